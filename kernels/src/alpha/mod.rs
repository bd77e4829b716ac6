//! Conversions between straight and premultiplied alpha for RGBA8, in place.
//!
//! Premultiplying rounds `c * a / 255` to nearest (exactly, in integers). Unpremultiplying
//! computes `c * (255 / a)` in `f32`, rounds half to even and clamps to 255; fully transparent
//! pixels become `0, 0, 0, 0`. Both backends perform the same IEEE operations, so they agree bit
//! for bit.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageMut, KernelError, PixelLayout};

/// Multiplies each RGBA8 pixel's colour by its alpha.
pub fn premultiply(image: ImageMut<'_>, backend: Backend) -> Result<(), KernelError> {
    for_each_rgba_row(image, |row| match backend {
        Backend::Scalar => scalar::premultiply(row),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::premultiply(row),
    })
}

/// Divides each premultiplied RGBA8 pixel's colour by its alpha.
pub fn unpremultiply(image: ImageMut<'_>, backend: Backend) -> Result<(), KernelError> {
    for_each_rgba_row(image, |row| match backend {
        Backend::Scalar => scalar::unpremultiply(row),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::unpremultiply(row),
    })
}

fn for_each_rgba_row(image: ImageMut<'_>, mut kernel: impl FnMut(&mut [u8])) -> Result<(), KernelError> {
    image.validate()?;
    if image.layout != PixelLayout::Rgba8 {
        return Err(KernelError::LayoutMismatch);
    }
    let row_bytes = image.width * 4;
    for row in image.pixels.chunks_mut(image.stride).take(image.height) {
        kernel(&mut row[..row_bytes]);
    }
    Ok(())
}

/// `round(x / 255)` for `x` in `0..=255 * 255`, without a division.
#[inline(always)]
fn div255_round(x: u16) -> u16 {
    let t = x + 128;
    (t + (t >> 8)) >> 8
}

/// One straight colour channel from a premultiplied one; `alpha` is not zero.
#[inline(always)]
fn unpremultiply_channel(colour: u8, alpha: u8) -> u8 {
    let scale = 255.0f32 / alpha as f32;
    (colour as f32 * scale).round_ties_even().min(255.0) as u8
}
