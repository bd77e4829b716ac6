//! The JPEG inverse DCT at full size, in integers: the Loeffler–Ligtenberg–Moschytz
//! factorisation (12 multiplications per 8 points) with 13-bit constants, columns first with 2
//! extra bits of precision between the passes, the accuracy class libjpeg calls "islow" (it
//! passes IEEE 1180-1990; the test is in `scalar.rs`), with a 16-bit workspace between the
//! passes, as libjpeg-turbo's SIMD code has (see `scalar::saturate`). The simd128 twin runs the
//! same integer arithmetic on eight columns (then eight rows) at a time, so its output is
//! identical. The
//! reduced transforms for scaled decoding (4 × 4 and 2 × 2 outputs, and 8 × 4 for a plane halved
//! down) work the same way.

pub(crate) mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, KernelError};

fn check(out: &[u8], stride: usize, size: usize) -> Result<(), KernelError> {
    check_rows(out, stride, size, size)
}

/// `rows` rows of `width` samples, `stride` apart, fit `out`.
fn check_rows(out: &[u8], stride: usize, width: usize, rows: usize) -> Result<(), KernelError> {
    if stride < width {
        return Err(KernelError::StrideTooShort { stride, row_bytes: width });
    }
    let needed = (rows - 1) * stride + width;
    if out.len() < needed {
        return Err(KernelError::BufferTooShort { len: out.len(), needed });
    }
    Ok(())
}

/// One block of dequantised coefficients (natural order) to 8 × 8 samples, level-shifted by 128
/// and clamped to 0..=255, into `out` at rows `stride` bytes apart.
pub fn idct_8x8(coefficients: &[i16; 64], out: &mut [u8], stride: usize, backend: Backend) -> Result<(), KernelError> {
    check(out, stride, 8)?;
    match backend {
        Backend::Scalar => scalar::idct_8x8(coefficients, out, stride),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::idct_8x8(coefficients, out, stride),
    }
    Ok(())
}

/// For scaled decoding at 1/2: one block to 4 × 4 samples, each the mean of the 2 × 2 full-size
/// samples it covers (computed in the DCT domain, in integers as [`idct_8x8`]), level-shifted and
/// clamped.
pub fn idct_4x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize, backend: Backend) -> Result<(), KernelError> {
    check(out, stride, 4)?;
    match backend {
        Backend::Scalar => scalar::idct_4x4(coefficients, out, stride),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::idct_4x4(coefficients, out, stride),
    }
    Ok(())
}

/// For a plane halved down only: one block to 8 × 4 samples, each the mean of the two full-size
/// samples above each other it covers (in the DCT domain, as [`idct_4x4`]), level-shifted and
/// clamped.
pub fn idct_8x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize, backend: Backend) -> Result<(), KernelError> {
    check_rows(out, stride, 8, 4)?;
    match backend {
        Backend::Scalar => scalar::idct_8x4(coefficients, out, stride),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::idct_8x4(coefficients, out, stride),
    }
    Ok(())
}

/// For 1/4: one block to 2 × 2 samples, each the mean of 4 × 4, as [`idct_4x4`].
pub fn idct_2x2(coefficients: &[i16; 64], out: &mut [u8], stride: usize, backend: Backend) -> Result<(), KernelError> {
    check(out, stride, 2)?;
    match backend {
        Backend::Scalar => scalar::idct_2x2(coefficients, out, stride),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::idct_2x2(coefficients, out, stride),
    }
    Ok(())
}
