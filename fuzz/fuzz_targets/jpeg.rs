//! Any bytes through our JPEG decoder alone, at every scale: a picture or an error, never a panic,
//! within the fuzzer's memory and time limits. The first byte picks the scale; the rest is the
//! file (seeded with the small JPEGs of fixtures/ and the corpus).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Small enough that every seed decodes and no input allocates past the fuzzer's limit.
const MAX_PIXELS: u64 = 4_000_000;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, file)) = data.split_first() {
        let scale = [1, 2, 4, 8][usize::from(selector % 4)];
        if let Ok(image) = jpeg::decode(file, scale, MAX_PIXELS, kernels::Backend::best()) {
            let expected = image.width as usize * image.height as usize * usize::from(image.channels);
            assert_eq!(image.pixels.len(), expected, "pixels for the size the decoder reports");
        }
    }
});
