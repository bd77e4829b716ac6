//! The JPEG IDCT (`kernels::idct_8x8`, in `kernels/src/idct/`): simd128 against scalar on random
//! blocks as JPEG files hold them (a DC term and a few AC terms, dequantised), on dense and
//! extreme blocks whose outputs saturate, at several strides, with the bytes around each block
//! left untouched. The scalar transform's accuracy (IEEE 1180) is tested in its own module.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{idct_2x2, idct_4x4, idct_8x4, idct_8x8};
use support::{assert_backends_agree, Rng, GUARD};

/// A block as a decoder hands it over: dequantised values saturated to 16 bits.
fn block(rng: &mut Rng, kind: usize) -> [i16; 64] {
    let signed = |rng: &mut Rng, magnitude: usize| rng.below(2 * magnitude + 1) as i32 - magnitude as i32;
    let mut block = [0i32; 64];
    match kind {
        // Typical: a DC term, a few low-frequency terms, small quantisers (half the time only
        // in the left four columns, the top four rows or the first row, where most of a photo's
        // blocks have all theirs, and the transform takes shortcuts).
        0 => {
            let (columns, rows) = ([4, 8][rng.below(2)], [1, 4, 8][rng.below(3)]);
            block[0] = signed(rng, 1024 * 8);
            for _ in 0..rng.below(12) {
                let at = rng.below(rows) * 8 + rng.below(columns);
                block[at] = signed(rng, 200) * (1 + rng.below(16) as i32);
            }
        }
        // Dense: every coefficient.
        1 => block.iter_mut().for_each(|c| *c = signed(rng, 2048)),
        // Extreme: large values that drive outputs far out of range (and saturate to 16 bits).
        _ => {
            let (columns, rows) = ([4, 8][rng.below(2)], [4, 8][rng.below(2)]);
            for (_, c) in block.iter_mut().enumerate().filter(|(i, _)| i % 8 < columns && i / 8 < rows) {
                *c = signed(rng, 1 << 16);
            }
        }
    }
    block.map(|c| c.clamp(i16::MIN.into(), i16::MAX.into()) as i16)
}

#[test]
fn idct_backends_agree() {
    let mut rng = Rng(1180);
    for case in 0..3000 {
        let kind = case % 3;
        let coefficients = block(&mut rng, kind);
        let stride = 8 + [0, 1, 8, 23][rng.below(4)];
        let what = format!("block {case} (kind {kind}), stride {stride}");
        let out = assert_backends_agree(&what, |backend| {
            let mut out = vec![GUARD; 8 * stride];
            idct_8x8(&coefficients, &mut out, stride, backend).unwrap();
            out
        });
        for (y, row) in out.chunks(stride).enumerate() {
            assert!(row[8..].iter().all(|&b| b == GUARD), "{what}: row {y} written past 8 samples");
        }
    }
}

type Idct = fn(&[i16; 64], &mut [u8], usize, kernels::Backend) -> Result<(), kernels::KernelError>;

/// The reduced transforms: samples across and down each makes of a block.
const REDUCED: [(usize, usize, Idct); 3] = [(4, 4, idct_4x4), (2, 2, idct_2x2), (8, 4, idct_8x4)];

#[test]
fn reduced_idct_backends_agree() {
    let mut rng = Rng(1990);
    for case in 0..3000 {
        let kind = case % 3;
        let coefficients = block(&mut rng, kind);
        let extra = [0, 1, 4, 23][rng.below(4)];
        for (width, height, idct) in REDUCED {
            let stride = width + extra;
            let what = format!("{width}x{height}, block {case} (kind {kind}), stride {stride}");
            let out = assert_backends_agree(&what, |backend| {
                let mut out = vec![GUARD; height * stride];
                idct(&coefficients, &mut out, stride, backend).unwrap();
                out
            });
            for (y, row) in out.chunks(stride).enumerate() {
                assert!(row[width..].iter().all(|&b| b == GUARD), "{what}: row {y} written past {width} samples");
            }
        }
    }
}

/// The reduced transforms against the full one: each output within one of the mean of the
/// full-size samples it covers (which the full transform rounds and clamps first).
#[test]
fn reduced_idcts_are_means_of_the_full_one() {
    let mut rng = Rng(7);
    for case in 0..2000 {
        // Coefficients 8-bit samples can have (within about ±1024): larger ones saturate the
        // full transform's workspace where a reduced one's averages may not.
        let coefficients = block(&mut rng, 0).map(|c| c / 8);
        let mut full = [0u8; 64];
        idct_8x8(&coefficients, &mut full, 8, kernels::Backend::Scalar).unwrap();
        for (width, height, idct) in REDUCED {
            let mut reduced = vec![0u8; width * height];
            idct(&coefficients, &mut reduced, width, kernels::Backend::Scalar).unwrap();
            let (across, down) = (8 / width, 8 / height);
            for (i, &sample) in reduced.iter().enumerate() {
                let (y, x) = (i / width, i % width);
                let covered =
                    || (0..down * across).map(|j| full[(y * down + j / across) * 8 + x * across + j % across]);
                let mean = f64::from(covered().map(u32::from).sum::<u32>()) / (down * across) as f64;
                if !covered().any(|s| matches!(s, 0 | 255)) {
                    assert!(
                        (f64::from(sample) - mean).abs() <= 1.0,
                        "{width}x{height}, block {case}, sample {i}: {sample} vs {mean}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_dc_only_block_is_flat() {
    let mut coefficients = [0i16; 64];
    coefficients[0] = 80; // the mean of the block × 8: 10 above the level shift
    let out = assert_backends_agree("DC only", |backend| {
        let mut out = vec![0u8; 64];
        idct_8x8(&coefficients, &mut out, 8, backend).unwrap();
        out
    });
    assert!(out.iter().all(|&sample| sample == 138), "{out:?}");
}

#[test]
fn short_buffers_are_refused() {
    let coefficients = [0i16; 64];
    for backend in kernels::Backend::available() {
        assert!(idct_8x8(&coefficients, &mut [0u8; 63], 8, *backend).is_err());
        assert!(idct_8x8(&coefficients, &mut [0u8; 64], 7, *backend).is_err());
        assert!(idct_4x4(&coefficients, &mut [0u8; 15], 4, *backend).is_err());
        assert!(idct_2x2(&coefficients, &mut [0u8; 3], 2, *backend).is_err());
        assert!(idct_8x4(&coefficients, &mut [0u8; 31], 8, *backend).is_err());
        assert!(idct_8x4(&coefficients, &mut [0u8; 32], 7, *backend).is_err());
    }
}
