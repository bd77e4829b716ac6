//! Any bytes as an embedded ICC profile: the conversion to sRGB is built and applied to a small
//! RGB and RGBA image, or refused, never a panic. Inputs with an odd first byte patch a valid
//! profile instead (3 bytes per patch: offset, offset, value), so mutations get past the header.
#![no_main]

use image_worker::icc::ToSrgb;
use kernels::PixelLayout;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let profile = match data.split_first() {
        Some((&mode, patches)) if mode & 1 == 1 => {
            let base = if mode & 2 == 0 {
                moxcms::ColorProfile::new_display_p3()
            } else {
                moxcms::ColorProfile::new_adobe_rgb()
            };
            let mut profile = base.encode().expect("built-in profiles encode");
            for patch in patches.chunks_exact(3) {
                let at = u16::from_le_bytes([patch[0], patch[1]]) as usize % profile.len();
                profile[at] = patch[2];
            }
            profile
        }
        _ => data.to_vec(),
    };
    for layout in [PixelLayout::Rgb8, PixelLayout::Rgba8] {
        if let Some(conversion) = ToSrgb::new(&profile, layout) {
            // A 7x3 image.
            let mut pixels: Vec<u8> = (0..21 * layout.channels()).map(|i| (i * 37) as u8).collect();
            conversion.apply(&mut pixels);
        }
    }
});
