//! Gaussian blur, and the unsharp mask that sharpens with it.
//!
//! The blur reuses the resize passes (and so their simd128 twins) with Gaussian weights. Up to
//! [`MAX_DIRECT_SIGMA`] it convolves at full size; wider blurs would need hundreds of taps per
//! pixel, so they first reduce the image with a Gaussian of nearly the whole `sigma`, then scale
//! back up with a tent filter, whose own variance the reduction leaves room for. Either way the
//! cost per pixel stays bounded whatever the radius.
//!
//! RGBA input should be premultiplied, as for resizing.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::resize::{convolve, Filter, Profile};
use crate::{Backend, ImageMut, ImageRef, KernelError, PixelLayout, SourceRegion};

/// Widest Gaussian applied at full size; beyond it the blur goes through a reduced image with a
/// Gaussian of about this width in reduced pixels.
pub const MAX_DIRECT_SIGMA: f64 = 3.0;
/// Largest unsharp-mask amount.
pub const MAX_SHARPEN_AMOUNT: f64 = 50.0;

/// Blurs `src` into `dst` (same size and layout) with a Gaussian of standard deviation `sigma`
/// pixels (finite and positive).
pub fn gaussian_blur(src: ImageRef<'_>, dst: ImageMut<'_>, sigma: f64, backend: Backend) -> Result<(), KernelError> {
    src.validate()?;
    dst.validate()?;
    if src.layout != dst.layout || (src.width, src.height) != (dst.width, dst.height) {
        return Err(KernelError::LayoutMismatch);
    }
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(KernelError::BadRegion);
    }
    let whole = SourceRegion::whole(src.width, src.height);
    if sigma <= MAX_DIRECT_SIGMA {
        let gaussian = Profile::Gaussian { sigma };
        return convolve(src, whole, dst, gaussian, gaussian, backend);
    }
    let reduction = sigma / MAX_DIRECT_SIGMA;
    let reduced_len = |len: usize| ((len as f64 / reduction).ceil() as usize).max(1);
    let (width, height) = (reduced_len(src.width), reduced_len(src.height));
    // Each axis's own scale; its Gaussian is given in reduced pixels, as the weights stretch
    // the profile by the scale. The tent filter that scales back adds a variance of scale² / 6.
    let profile = |len: usize, reduced: usize| {
        let scale = len as f64 / reduced as f64;
        let remaining = (sigma * sigma - scale * scale / 6.0).max(0.25);
        Profile::Gaussian { sigma: remaining.sqrt() / scale }
    };
    let channels = src.layout.channels();
    let mut reduced = vec![0u8; width * height * channels];
    let small = ImageMut { pixels: &mut reduced, width, height, stride: width * channels, layout: src.layout };
    convolve(src, whole, small, profile(src.width, width), profile(src.height, height), backend)?;
    let small = ImageRef { pixels: &reduced, width, height, stride: width * channels, layout: src.layout };
    let tent = Profile::Filter(Filter::Bilinear);
    convolve(small, SourceRegion::whole(width, height), dst, tent, tent, backend)
}

/// Sharpens `image` in place with the unsharp mask: each colour channel moves away from its
/// `blurred` value by `amount` times the difference (quantized to 1/256), rounded and clamped:
/// `c + ((c - blurred) * round(amount * 256) + 128) >> 8`. RGBA alpha is left as it is.
pub fn unsharp_mask(
    image: ImageMut<'_>,
    blurred: ImageRef<'_>,
    amount: f64,
    backend: Backend,
) -> Result<(), KernelError> {
    image.validate()?;
    blurred.validate()?;
    if image.layout != blurred.layout || (image.width, image.height) != (blurred.width, blurred.height) {
        return Err(KernelError::LayoutMismatch);
    }
    let amount = (amount.clamp(0.0, MAX_SHARPEN_AMOUNT) * 256.0).round() as i32;
    let row_bytes = image.width * image.layout.channels();
    let rows = image.pixels.chunks_mut(image.stride).zip(blurred.pixels.chunks(blurred.stride)).take(image.height);
    for (row, blurred_row) in rows {
        let (row, blurred_row) = (&mut row[..row_bytes], &blurred_row[..row_bytes]);
        match backend {
            Backend::Scalar => scalar::unsharp_mask(row, blurred_row, image.layout, amount),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => simd128::unsharp_mask(row, blurred_row, image.layout, amount),
        }
    }
    Ok(())
}

/// One sharpened channel, as [`unsharp_mask`] defines it.
#[inline(always)]
fn sharpen_channel(channel: u8, blurred: u8, amount: i32) -> u8 {
    let difference = channel as i32 - blurred as i32;
    (channel as i32 + ((difference * amount + 128) >> 8)).clamp(0, 255) as u8
}

/// Whether byte `index` of a row is an alpha byte, which sharpening keeps.
#[inline(always)]
fn is_alpha(layout: PixelLayout, index: usize) -> bool {
    layout == PixelLayout::Rgba8 && index % 4 == 3
}
