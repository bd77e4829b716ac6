//! Pixel kernels for the image Worker.
//!
//! Every kernel has a scalar implementation, which is the specification, and (in builds with the
//! wasm32 `simd128` target feature) a simd128 twin that must produce bit-identical output. The
//! implementation is chosen at run time through [`Backend`], so one binary can time both.
//!
//! Kernels work on plain slices with explicit width, height and stride, validate their arguments
//! up front (returning [`KernelError`] instead of panicking), and allocate nothing inside their
//! per-pixel loops.
//!
//! The simd128 kernels read and write memory through the `simd` support layer: safe loads and
//! stores on fixed-size arrays, and, in the hot loops of the resize passes and edge energy,
//! unchecked loads inside windows whose bounds were checked once (each such `unsafe` block
//! says why it is in bounds).

#![warn(clippy::undocumented_unsafe_blocks)]

mod alpha;
mod backend;
mod blur;
mod chroma;
mod colour;
mod convert;
mod error;
mod fdct;
mod idct;
mod image;
mod linear;
mod orient;
pub mod resize;
mod saliency;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
mod trim;

pub use alpha::{composite_over, drop_alpha, is_opaque, premultiply, unpremultiply};
pub use backend::Backend;
pub use blur::{gaussian_blur, unsharp_mask, MAX_DIRECT_SIGMA, MAX_SHARPEN_AMOUNT};
pub use chroma::{
    downsample_h2v2, downsample_v2, rgb_to_ycbcr, rgb_to_ycbcr_h2v2, upsample_h2, upsample_h2v2, upsample_v2,
    ycbcr_fine_to_rgb, ycbcr_to_rgb,
};
pub use colour::{apply_lut, saturate, tone_curve, MAX_SATURATION};
pub use convert::widen;
pub use error::KernelError;
pub use fdct::{fdct_quantize, Quantizer, ZIGZAG_TO_NATURAL};
pub use idct::{idct_2x2, idct_4x4, idct_8x4, idct_8x8};
pub use image::{Image, ImageMut, ImageRef, PixelLayout};
pub use linear::{from_linear, to_linear, LINEAR_MAX};
pub use orient::{orient, Orientation};
pub use resize::{resize, Filter, OutputSample, RowResizer, Sample, SourceRegion, FINE_BITS};
pub use saliency::{energy_grid_size, EdgeEnergy};
pub use trim::{content_bounds, Bounds};
