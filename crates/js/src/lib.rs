//! The pipeline as wasm-bindgen exports, for `packages/image-worker-wasm`: its JavaScript wraps
//! these in the documented API (options as a string or an object, errors as exceptions with a
//! `code`). Errors cross as the HTTP JSON error body plus its status, so both speak the same
//! codes and messages.
//!
//! A panic would abort the instance, so the same lints as the Worker's apply.
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

use image_worker::codec;
use image_worker::config::Limits;
use image_worker::error::{json_string, TransformError};
use image_worker::options::TransformOptions;
use image_worker::pipeline;
use kernels::Backend;
use wasm_bindgen::prelude::wasm_bindgen;

/// An encoded image and what it is.
#[wasm_bindgen]
pub struct Output {
    bytes: Vec<u8>,
    format: &'static str,
    content_type: &'static str,
    width: u32,
    height: u32,
}

#[wasm_bindgen]
impl Output {
    /// The encoded bytes, moved out (a second call returns none).
    #[wasm_bindgen(js_name = takeBytes)]
    pub fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }

    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.format.to_owned()
    }

    #[wasm_bindgen(getter, js_name = contentType)]
    pub fn content_type(&self) -> String {
        self.content_type.to_owned()
    }

    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.width
    }

    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.height
    }
}

/// What the header says, without decoding pixels.
#[wasm_bindgen]
pub struct Header {
    format: &'static str,
    width: u32,
    height: u32,
    frames: u32,
    orientation: u16,
}

#[wasm_bindgen]
impl Header {
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.format.to_owned()
    }

    /// As stored, before EXIF orientation.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.width
    }

    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.height
    }

    #[wasm_bindgen(getter)]
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The EXIF orientation tag, 1 to 8.
    #[wasm_bindgen(getter)]
    pub fn orientation(&self) -> u16 {
        self.orientation
    }
}

/// Transforms `source` by `options` (the URL grammar, `width=800,fit=cover`; empty for the
/// defaults). `accept` is an HTTP `Accept` value for `format=auto`; `backend` names the kernels
/// (`simd128` or `scalar`, empty for the fastest); `limits` alternates variable names and values
/// (`MAX_WORKING_BYTES`, `"134217728"`, …) as the Worker's variables set them. Fails with the
/// JSON error body and status.
#[wasm_bindgen]
pub fn transform(
    source: &[u8],
    options: &str,
    accept: Option<String>,
    backend: &str,
    limits: Vec<String>,
) -> Result<Output, String> {
    let run = || {
        let limits = limits_from(&limits)?;
        let options = TransformOptions::from_list(options, &limits)?;
        let backend = backend_named(backend)?;
        pipeline::transform(source, &options, accept.as_deref(), &limits, backend)
    };
    let transformed = run().map_err(|error| error_json(&error))?;
    Ok(Output {
        format: transformed.format.keyword(),
        content_type: transformed.content_type,
        width: transformed.size.width,
        height: transformed.size.height,
        bytes: transformed.bytes,
    })
}

/// Reads `source`'s header. Fails with the JSON error body and status.
#[wasm_bindgen]
pub fn probe(source: &[u8], limits: Vec<String>) -> Result<Header, String> {
    let run = || codec::probe(source, &limits_from(&limits)?);
    let probe = run().map_err(|error| error_json(&error))?;
    Ok(Header {
        format: probe.format.keyword(),
        width: probe.size.width,
        height: probe.size.height,
        frames: u32::try_from(probe.frames).unwrap_or(u32::MAX),
        orientation: probe.exif_orientation(),
    })
}

/// The instance's linear memory in bytes (it grows and never shrinks).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// `{"error": message, "code": N, "status": HTTP status}`.
fn error_json(error: &TransformError) -> String {
    format!(
        "{{\"error\":{},\"code\":{},\"status\":{}}}",
        json_string(&error.message),
        error.kind.code(),
        error.status()
    )
}

fn limits_from(pairs: &[String]) -> Result<Limits, TransformError> {
    let settings: Vec<(&str, &str)> = pairs
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [name, value] => Some((name.as_str(), value.as_str())),
            _ => None,
        })
        .collect();
    Limits::from_settings(&settings)
}

fn backend_named(name: &str) -> Result<Backend, TransformError> {
    if name.is_empty() {
        return Ok(Backend::best());
    }
    Backend::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Backend::available().iter().map(|backend| backend.name()).collect();
        TransformError::bad_option(format!("unknown backend {name:?}; this build has {}", names.join(", ")))
    })
}
