//! Trim detection for `trim=border`: the smallest box holding every pixel that differs from a
//! background colour by more than a tolerance in some channel. Rows are scanned from the top and
//! the bottom until one holds such a pixel; rows in between are scanned from each end only as far
//! as the box already reaches, so an image with a thin border costs little more than its edges.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageRef, KernelError};

/// A box of whole pixels; `right` and `bottom` are exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

/// The bounds of the pixels of `image` that differ from `background` (one byte per channel of the
/// image's layout) by more than `tolerance` in at least one channel; `None` if there are none.
pub fn content_bounds(
    image: ImageRef<'_>,
    background: &[u8],
    tolerance: u8,
    backend: Backend,
) -> Result<Option<Bounds>, KernelError> {
    image.validate()?;
    let channels = image.layout.channels();
    if background.len() != channels {
        return Err(KernelError::LayoutMismatch);
    }
    let row_bytes = image.width * channels;
    let row = |y: usize| &image.pixels[y * image.stride..y * image.stride + row_bytes];
    let first = |bytes: &[u8]| match backend {
        Backend::Scalar => scalar::first_outlier(bytes, background, tolerance),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::first_outlier(bytes, background, tolerance),
    };
    let last = |bytes: &[u8]| match backend {
        Backend::Scalar => scalar::last_outlier(bytes, background, tolerance),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::last_outlier(bytes, background, tolerance),
    };

    let Some((top, left)) = (0..image.height).find_map(|y| first(row(y)).map(|x| (y, x))) else {
        return Ok(None);
    };
    let bottom = (top..image.height).rev().find(|&y| first(row(y)).is_some()).unwrap_or(top) + 1;
    let mut bounds = Bounds { left, top, right: left + 1, bottom };
    for y in top..bottom {
        let pixels = row(y);
        if let Some(x) = first(&pixels[..bounds.left * channels]) {
            bounds.left = x;
        }
        let from = bounds.right;
        if let Some(x) = last(&pixels[from * channels..]) {
            bounds.right = from + x + 1;
        }
    }
    Ok(Some(bounds))
}

/// Whether a pixel is far enough from `background` to be content, as both backends decide it.
#[inline(always)]
fn is_outlier(pixel: &[u8], background: &[u8], tolerance: u8) -> bool {
    pixel.iter().zip(background).any(|(&value, &expected)| value.abs_diff(expected) > tolerance)
}
