//! An image-resizing Cloudflare Worker. The modules below `worker` are pure (no Worker types) and
//! build and test natively; `worker` is the HTTP edge and exists only in the wasm build.

pub mod codec;
pub mod config;
pub mod error;
pub mod geometry;
pub mod options;
pub mod pipeline;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod worker;
