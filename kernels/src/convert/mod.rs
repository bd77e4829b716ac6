//! Layout widening: grey to colour and colour to colour with alpha, for when a grey or opaque
//! image meets a colour or a translucent background (padding, borders). Alpha added is 255.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageMut, ImageRef, KernelError, PixelLayout};

/// Copies `src` into `dst` (same size, a layout with more channels): L8 to RGB8 or RGBA8, or RGB8
/// to RGBA8.
pub fn widen(src: ImageRef<'_>, dst: ImageMut<'_>, backend: Backend) -> Result<(), KernelError> {
    src.validate()?;
    dst.validate()?;
    let widening = matches!(
        (src.layout, dst.layout),
        (PixelLayout::L8, PixelLayout::Rgb8 | PixelLayout::Rgba8) | (PixelLayout::Rgb8, PixelLayout::Rgba8)
    );
    if !widening || (src.width, src.height) != (dst.width, dst.height) {
        return Err(KernelError::LayoutMismatch);
    }
    let (in_bytes, out_bytes) = (src.width * src.layout.channels(), dst.width * dst.layout.channels());
    let rows = src.pixels.chunks(src.stride).zip(dst.pixels.chunks_mut(dst.stride)).take(src.height);
    for (input, output) in rows {
        let (input, output) = (&input[..in_bytes], &mut output[..out_bytes]);
        match backend {
            Backend::Scalar => scalar::widen(input, src.layout, output, dst.layout),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => simd128::widen(input, src.layout, output, dst.layout),
        }
    }
    Ok(())
}
