//! A JPEG decoder made for decode-to-resize (issue 14): our own code, read from the standard
//! (ITU T.81) and libjpeg's documented behaviour. So far it decodes baseline and progressive
//! Huffman JPEGs at full size or 1/2, 1/4 or 1/8 (any sampling factors, 1, 3 or 4 components,
//! restart intervals, interleaved or not), row by row ([`Decoder`]: sequential files stream
//! through three MCU rows), and refuses the variants it does not read in words. The simd128
//! kernels and speed come next; until then the Worker keeps jpeg-decoder.
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
mod error;
mod huffman;
mod markers;
mod plane;

pub use color::ColorSpace;
pub use decode::{decode, read_info, Decoded, Decoder, Info};
pub use error::{Error, Result};
