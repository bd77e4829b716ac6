//! The JPEG forward DCT with quantization, for encoding: the Loeffler–Ligtenberg–Moschytz
//! factorisation with 13-bit constants and 2 extra bits between the passes (libjpeg's "islow"
//! accuracy class, the inverse of [`crate::idct_8x8`]), rows first as libjpeg does, then each
//! coefficient divided by its quantizer and rounded half away from zero, with the mask of the
//! nonzero ones in zig-zag order, as an entropy coder reads them. The simd128 twin runs the same
//! integer transform on eight lines at once in 16-bit lanes and divides in `f32`, which gives the
//! integer quotient's rounding exactly (see `simd128.rs`), so its output is identical.

pub(crate) mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, KernelError};

/// A quantization table ready for [`fdct_quantize`]: the steps (natural order, each at least 1)
/// and their divisors for the transform's output, which is 8 times the DCT's.
#[derive(Clone, Debug)]
pub struct Quantizer {
    steps: [u16; 64],
    #[cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
    divisors: [f32; 64],
}

impl Quantizer {
    /// `table` in natural order; steps of 0 become 1, steps over 2047 become 2047 (baseline
    /// JPEG files hold at most 255, 16-bit tables at most 65535, which no encoder of 8-bit
    /// samples needs).
    pub fn new(table: &[u16; 64]) -> Self {
        let steps = table.map(|step| step.clamp(1, MAX_STEP));
        Quantizer { steps, divisors: steps.map(|step| f32::from(8 * step)) }
    }

    /// The steps, natural order, as [`Quantizer::new`] kept them.
    pub fn steps(&self) -> &[u16; 64] {
        &self.steps
    }
}

/// The largest quantizer step: 8 times it is exact in `f32`, and a quotient's distance from a
/// rounding boundary stays far above `f32`'s error (`simd128.rs`).
const MAX_STEP: u16 = 2047;

/// The natural (row-major) index of each zig-zag position.
pub const ZIGZAG_TO_NATURAL: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63,
];

/// One 8 × 8 block of samples (rows `stride` bytes apart in `samples`) to quantized
/// coefficients in natural order in `out`: each the forward DCT of the samples less 128,
/// divided by its step in `quantizer` and rounded half away from zero. Returns the nonzero
/// mask in zig-zag order: bit `k` set where `out[ZIGZAG_TO_NATURAL[k]]` is not zero.
pub fn fdct_quantize(
    samples: &[u8],
    stride: usize,
    quantizer: &Quantizer,
    out: &mut [i16; 64],
    backend: Backend,
) -> Result<u64, KernelError> {
    if stride < 8 {
        return Err(KernelError::StrideTooShort { stride, row_bytes: 8 });
    }
    let needed = 7 * stride + 8;
    if samples.len() < needed {
        return Err(KernelError::BufferTooShort { len: samples.len(), needed });
    }
    Ok(match backend {
        Backend::Scalar => scalar::fdct_quantize(samples, stride, quantizer, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::fdct_quantize(samples, stride, quantizer, out),
    })
}
