//! The JPEG inverse DCT at full size, in integers: the Loeffler–Ligtenberg–Moschytz
//! factorisation (12 multiplications per 8 points) with 13-bit constants, columns first with 2
//! extra bits of precision between the passes, the accuracy class libjpeg calls "islow" (it
//! passes IEEE 1180-1990; the test is in `scalar.rs`). The simd128 twin runs the same integer
//! arithmetic on four columns (then four rows) at a time, so its output is identical.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, KernelError};

/// One block of dequantised coefficients (natural order) to 8 × 8 samples, level-shifted by 128
/// and clamped to 0..=255, into `out` at rows `stride` bytes apart.
pub fn idct_8x8(coefficients: &[i32; 64], out: &mut [u8], stride: usize, backend: Backend) -> Result<(), KernelError> {
    if stride < 8 {
        return Err(KernelError::StrideTooShort { stride, row_bytes: 8 });
    }
    let needed = 7 * stride + 8;
    if out.len() < needed {
        return Err(KernelError::BufferTooShort { len: out.len(), needed });
    }
    match backend {
        Backend::Scalar => scalar::idct_8x8(coefficients, out, stride),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::idct_8x8(coefficients, out, stride),
    }
    Ok(())
}
