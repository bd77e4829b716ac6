//! WebP through libwebp (C, BSD), both ways: the one place we call C. Every pointer libwebp
//! keeps lives inside these functions or in a value that frees it on drop.

mod decode;
mod encode;

pub use decode::{decode_webp, webp_features, WebpFrames};
pub use encode::{encode_webp, WebpAnimationWriter, WebpMode};
