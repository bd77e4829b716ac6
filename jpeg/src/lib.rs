//! A JPEG decoder made for decode-to-resize (issue 14): our own code, read from the standard
//! (ITU T.81) and libjpeg's documented behaviour. It decodes baseline and progressive Huffman
//! JPEGs at full size or 1/2, 1/4 or 1/8 (any sampling factors, 1, 3 or 4 components, restart
//! intervals, interleaved or not), row by row ([`Decoder`]: sequential files stream through
//! three MCU rows; progressive files keep only the coefficients their scale reads) or an MCU row
//! of component planes at a time, for a caller that resizes YCbCr planes itself, with the
//! IDCTs, upsampling and YCbCr conversion as `kernels` with bit-identical simd128 twins, and
//! refuses the variants it does not read in words. The Worker decodes JPEG with it, and encodes
//! with [`encode`]: baseline, one interleaved scan, Huffman tables fitted to the image.
//!
//! Input is untrusted: nothing here may panic on it (the lints below, as in the Worker).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod coefficients;
mod color;
mod decode;
pub mod encode;
mod error;
mod huffman;
mod markers;
mod plane;

pub use color::ColorSpace;
pub use decode::{decode, read_info, Decoded, Decoder, Info};
pub use error::{Error, Result};
pub use plane::{PlaneBand, PlaneSampling};
