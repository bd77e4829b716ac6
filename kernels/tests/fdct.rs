//! The JPEG forward DCT with quantization (`kernels::fdct_quantize`, in `kernels/src/fdct/`):
//! simd128 against scalar on noise, smooth blocks and extremes, at several strides, with random
//! quantization tables from the finest (every step 1) to the coarsest. The scalar transform's
//! accuracy is tested in its own module.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{fdct_quantize, Quantizer, ZIGZAG_TO_NATURAL};
use support::{assert_backends_agree, Rng};

fn samples(rng: &mut Rng, kind: usize, stride: usize) -> Vec<u8> {
    let mut samples = vec![0u8; 7 * stride + 8];
    match kind {
        0 => rng.fill(&mut samples),
        1 => {
            let (base, dx, dy) = (rng.below(256) as i64, rng.below(33) as i64 - 16, rng.below(33) as i64 - 16);
            for (i, sample) in samples.iter_mut().enumerate() {
                let (x, y) = ((i % stride) as i64, (i / stride) as i64);
                *sample = (base + dx * x + dy * y + rng.below(5) as i64 - 2).clamp(0, 255) as u8;
            }
        }
        _ => samples.iter_mut().for_each(|s| *s = [0, 255][rng.below(2)]),
    }
    samples
}

#[test]
fn fdct_backends_agree() {
    let mut rng = Rng(1992);
    for case in 0..3000 {
        let kind = case % 3;
        let stride = 8 + [0, 1, 8, 23][rng.below(4)];
        let block = samples(&mut rng, kind, stride);
        let table: [u16; 64] = match rng.below(4) {
            0 => [1; 64],
            1 => core::array::from_fn(|_| rng.range(1, 2047) as u16),
            _ => core::array::from_fn(|_| rng.range(1, 255) as u16),
        };
        let quantizer = Quantizer::new(&table);
        assert_backends_agree(format!("block {case} (kind {kind}), stride {stride}"), |backend| {
            let mut out = [0i16; 64];
            let nonzero = fdct_quantize(&block, stride, &quantizer, &mut out, backend).unwrap();
            for (k, &natural) in ZIGZAG_TO_NATURAL.iter().enumerate() {
                assert_eq!(nonzero >> k & 1 == 1, out[usize::from(natural)] != 0, "case {case}: mask bit {k}");
            }
            (out, nonzero)
        });
    }
}
