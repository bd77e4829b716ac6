//! The last steps of JPEG decoding, on rows: chroma upsampling by libjpeg's "fancy" triangle
//! filter (each output sample 3/4 of its nearer input and 1/4 of the next one out, the way
//! libjpeg-turbo's `djpeg` does by default), and YCbCr to RGB in the standard's 16-bit fixed
//! point, from bytes or from the fine values a resize of YCbCr planes writes. And the first steps
//! of encoding: RGB to YCbCr, with chroma at full size or the mean of each 2 × 2 pixels. The
//! simd128 twins run the same integer arithmetic, so their output is identical.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, KernelError};

fn check_length(len: usize, needed: usize) -> Result<(), KernelError> {
    if len < needed {
        return Err(KernelError::BufferTooShort { len, needed });
    }
    Ok(())
}

/// Doubles `row` horizontally (2x1 subsampling) into the first `2 × row.len()` bytes of `out`:
/// output `2i` is `(3 row[i] + row[i-1] + 1) / 4`, output `2i+1` is
/// `(3 row[i] + row[i+1] + 2) / 4`, the ends their own neighbours.
pub fn upsample_h2(row: &[u8], out: &mut [u8], backend: Backend) -> Result<(), KernelError> {
    check_length(out.len(), 2 * row.len())?;
    match backend {
        Backend::Scalar => scalar::upsample_h2(row, out, 0..row.len()),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::upsample_h2(row, out),
    }
    Ok(())
}

/// One output row of 2x2 subsampling from the input row it lies in (`near`) and the one beside
/// it on its side (`far`: above for an upper output row, below for a lower one; the row itself
/// at the image's edges), into the first `2 × near.len()` bytes of `out`. Columns are summed
/// `3 near + far` first, then doubled like [`upsample_h2`] with rounding 8 and 7 of 16.
pub fn upsample_h2v2(near: &[u8], far: &[u8], out: &mut [u8], backend: Backend) -> Result<(), KernelError> {
    check_length(far.len(), near.len())?;
    check_length(out.len(), 2 * near.len())?;
    let far = &far[..near.len()];
    match backend {
        Backend::Scalar => scalar::upsample_h2v2(near, far, out, 0..near.len()),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::upsample_h2v2(near, far, out),
    }
    Ok(())
}

/// One output row of 1x2 subsampling into the first `near.len()` bytes of `out`:
/// `(3 near + far + bias) / 4`, rounding 1 of 4 when `far` is the row above, 2 when below.
pub fn upsample_v2(
    near: &[u8],
    far: &[u8],
    far_is_below: bool,
    out: &mut [u8],
    backend: Backend,
) -> Result<(), KernelError> {
    check_length(far.len(), near.len())?;
    check_length(out.len(), near.len())?;
    let bias = if far_is_below { 2 } else { 1 };
    let (far, out) = (&far[..near.len()], &mut out[..near.len()]);
    match backend {
        Backend::Scalar => scalar::upsample_v2(near, far, bias, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::upsample_v2(near, far, bias, out),
    }
    Ok(())
}

/// Two rows of a plane to one of half the height, in the first `top.len()` bytes of `out`: each
/// sample the mean of the two, rounded half up (`(top + bottom + 1) / 2`), a box filter that
/// shrinks chroma before a resize that still reduces it at least twice.
pub fn downsample_v2(top: &[u8], bottom: &[u8], out: &mut [u8], backend: Backend) -> Result<(), KernelError> {
    check_length(bottom.len(), top.len())?;
    check_length(out.len(), top.len())?;
    let (bottom, out) = (&bottom[..top.len()], &mut out[..top.len()]);
    match backend {
        Backend::Scalar => scalar::downsample_v2(top, bottom, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::downsample_v2(top, bottom, out),
    }
    Ok(())
}

/// Two rows of a plane to one of half the width and height, in the first
/// `top.len().div_ceil(2)` bytes of `out`: each sample the mean of a 2 × 2 square, rounded half
/// up (`(a + b + c + d + 2) / 4`), the last column of an odd width paired with itself. The box
/// filter of [`downsample_v2`] both ways.
pub fn downsample_h2v2(top: &[u8], bottom: &[u8], out: &mut [u8], backend: Backend) -> Result<(), KernelError> {
    let half = top.len().div_ceil(2);
    check_length(bottom.len(), top.len())?;
    check_length(out.len(), half)?;
    let (bottom, out) = (&bottom[..top.len()], &mut out[..half]);
    match backend {
        Backend::Scalar => scalar::downsample_h2v2(top, bottom, out, 0),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::downsample_h2v2(top, bottom, out),
    }
    Ok(())
}

/// A conversion's Cb and Cr rows and its RGB output.
type ConversionRows<'a, T> = (&'a [T], &'a [T], &'a mut [u8]);

/// A conversion's chroma rows and output cut to `width` pixels, refused when shorter.
fn conversion_rows<'a, T>(
    width: usize,
    cb: &'a [T],
    cr: &'a [T],
    out: &'a mut [u8],
) -> Result<ConversionRows<'a, T>, KernelError> {
    check_length(cb.len(), width)?;
    check_length(cr.len(), width)?;
    check_length(out.len(), 3 * width)?;
    Ok((&cb[..width], &cr[..width], &mut out[..3 * width]))
}

/// `y.len()` pixels of YCbCr to interleaved RGB in `out` (3 bytes each), as JFIF defines the
/// conversion, in 16-bit fixed point rounded as libjpeg does, clamped to 0..=255.
pub fn ycbcr_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8], backend: Backend) -> Result<(), KernelError> {
    let (cb, cr, out) = conversion_rows(y.len(), cb, cr, out)?;
    match backend {
        Backend::Scalar => scalar::ycbcr_to_rgb(y, cb, cr, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::ycbcr_to_rgb(y, cb, cr, out),
    }
    Ok(())
}

/// As [`ycbcr_to_rgb`] from fine values (`i16`, 16 times the sample, as a resize writes them
/// with [`crate::FINE_BITS`] fractional bits), so that resizing YCbCr planes before converting
/// them rounds once: `(Y + 1.402 (Cr - 128))` and the others in 14-bit fixed point, rounded
/// to the nearest sample, clamped to 0..=255. Chroma's offset is subtracted saturating.
pub fn ycbcr_fine_to_rgb(
    y: &[i16],
    cb: &[i16],
    cr: &[i16],
    out: &mut [u8],
    backend: Backend,
) -> Result<(), KernelError> {
    let (cb, cr, out) = conversion_rows(y.len(), cb, cr, out)?;
    match backend {
        Backend::Scalar => scalar::ycbcr_fine_to_rgb(y, cb, cr, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::ycbcr_fine_to_rgb(y, cb, cr, out),
    }
    Ok(())
}

/// `y.len()` pixels of interleaved RGB (3 bytes each) to Y, Cb and Cr, as JFIF defines the
/// conversion, in 15-bit fixed point (see `scalar.rs`).
pub fn rgb_to_ycbcr(
    rgb: &[u8],
    y: &mut [u8],
    cb: &mut [u8],
    cr: &mut [u8],
    backend: Backend,
) -> Result<(), KernelError> {
    let width = y.len();
    check_length(rgb.len(), 3 * width)?;
    check_length(cb.len(), width)?;
    check_length(cr.len(), width)?;
    let (rgb, cb, cr) = (&rgb[..3 * width], &mut cb[..width], &mut cr[..width]);
    match backend {
        Backend::Scalar => scalar::rgb_to_ycbcr(rgb, y, cb, cr),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::rgb_to_ycbcr(rgb, y, cb, cr),
    }
    Ok(())
}

/// Two rows of interleaved RGB (`rows`, each `y_rows[0].len()` pixels, an even number) to their
/// Y rows and one row of Cb and Cr at half the width, each chroma sample converted from the sums
/// of the 2 × 2 pixels it covers (the mean, rounded once) for 4:2:0 JPEG.
pub fn rgb_to_ycbcr_h2v2(
    rows: [&[u8]; 2],
    y_rows: [&mut [u8]; 2],
    cb: &mut [u8],
    cr: &mut [u8],
    backend: Backend,
) -> Result<(), KernelError> {
    let [top, bottom] = rows;
    let [y_top, y_bottom] = y_rows;
    let width = y_top.len();
    if width % 2 != 0 {
        return Err(KernelError::OddWidth { width });
    }
    for len in [top.len(), bottom.len()] {
        check_length(len, 3 * width)?;
    }
    check_length(y_bottom.len(), width)?;
    check_length(cb.len(), width / 2)?;
    check_length(cr.len(), width / 2)?;
    let rows = [&top[..3 * width], &bottom[..3 * width]];
    let y_rows = [y_top, &mut y_bottom[..width]];
    let (cb, cr) = (&mut cb[..width / 2], &mut cr[..width / 2]);
    match backend {
        Backend::Scalar => scalar::rgb_to_ycbcr_h2v2(rows, y_rows, cb, cr, 0..width / 2),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::rgb_to_ycbcr_h2v2(rows, y_rows, cb, cr),
    }
    Ok(())
}
