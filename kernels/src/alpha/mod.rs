//! Alpha kernels for RGBA8, in place: conversions between straight and premultiplied alpha,
//! compositing over a background colour, the opacity test, and dropping alpha from opaque images.
//!
//! Premultiplying rounds `c * a / 255` to nearest (exactly, in integers). Unpremultiplying
//! multiplies by a per-pixel fixed-point scale, `scale = round(255 * 256 / a)` computed in `f32`,
//! as `min(255, (c * scale + 128) >> 8)`: within one level of exact division, and cheap in 16-bit
//! SIMD lanes. Fully transparent pixels become `0, 0, 0, 0`. Both backends perform the same
//! operations, so they agree bit for bit.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageMut, ImageRef, KernelError, PixelLayout};

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

/// Composites premultiplied RGBA8 pixels over a premultiplied `background` colour (the
/// Porter-Duff "over"): every channel, alpha included, becomes
/// `c + round(background * (255 - a) / 255)`, saturating. Over an opaque background the result
/// is opaque.
pub fn composite_over(image: ImageMut<'_>, background: [u8; 4], backend: Backend) -> Result<(), KernelError> {
    for_each_rgba_row(image, |row| match backend {
        Backend::Scalar => scalar::composite_over(row, background),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::composite_over(row, background),
    })
}

/// Whether every pixel of an RGBA8 image has alpha 255 (then alpha can be dropped).
pub fn is_opaque(image: ImageRef<'_>, backend: Backend) -> Result<bool, KernelError> {
    image.validate()?;
    require_rgba(image.layout)?;
    let row_bytes = image.width * 4;
    Ok(image.pixels.chunks(image.stride).take(image.height).all(|row| match backend {
        Backend::Scalar => scalar::is_opaque(&row[..row_bytes]),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::is_opaque(&row[..row_bytes]),
    }))
}

/// Turns a tightly packed RGBA8 image (stride = width × 4) into tightly packed RGB8 in the same
/// buffer, dropping alpha; returns the RGB8 length, to which the caller truncates.
pub fn drop_alpha(image: ImageMut<'_>, backend: Backend) -> Result<usize, KernelError> {
    image.validate()?;
    require_rgba(image.layout)?;
    if image.stride != image.width * 4 {
        return Err(KernelError::LayoutMismatch);
    }
    let pixels = image.width * image.height;
    let bytes = &mut image.pixels[..pixels * 4];
    match backend {
        Backend::Scalar => scalar::drop_alpha(bytes),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::drop_alpha(bytes),
    }
    Ok(pixels * 3)
}

fn require_rgba(layout: PixelLayout) -> Result<(), KernelError> {
    if layout == PixelLayout::Rgba8 {
        Ok(())
    } else {
        Err(KernelError::LayoutMismatch)
    }
}

fn for_each_rgba_row(image: ImageMut<'_>, mut kernel: impl FnMut(&mut [u8])) -> Result<(), KernelError> {
    image.validate()?;
    require_rgba(image.layout)?;
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

/// `255 * 256 / alpha` rounded, the fixed-point factor that undoes premultiplication; at most
/// 65280, so it fits a 16-bit lane. `alpha` is not zero.
#[inline(always)]
fn unpremultiply_scale(alpha: u8) -> u32 {
    (65280.0f32 / alpha as f32).round_ties_even() as u32
}

/// One straight colour channel from a premultiplied one and its pixel's scale.
#[inline(always)]
fn unpremultiply_channel(colour: u8, scale: u32) -> u8 {
    ((colour as u32 * scale + 128) >> 8).min(255) as u8
}
