//! An image-resizing Cloudflare Worker. The modules below `worker` are pure (no Worker types) and
//! build and test natively; `worker` is the HTTP edge and exists only in the wasm build.
//!
//! A panic in wasm aborts the Worker's instance, so the request path may not contain anything
//! that can panic on input: these lints (checked by `npm test`) forbid it outside tests.
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

pub mod cache;
pub mod codec;
pub mod config;
mod content;
pub mod error;
mod exif;
pub mod format;
pub mod geometry;
pub mod icc;
pub mod options;
pub mod pipeline;
pub mod signature;
pub mod source;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod worker;
