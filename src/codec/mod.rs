//! Source bytes to pixels and pixels to output bytes, under our limits. `probe` reads the header
//! (format, size, metadata, frame count) and checks the pixel limit before any pixel buffer
//! exists; `decode` and `decode_frames` produce sRGB [`Image`](kernels::Image)s; `encode` and
//! [`AnimationWriter`] write them. JPEG goes through our own codec (the `jpeg` crate, which
//! decodes at a reduced scale and row by row, and encodes baseline); PNG and GIF through the image
//! crate (and the png and gif crates beneath it); WebP through libwebp; AVIF out through rav1e.
//! `container` holds our own bounded walks over file structure, for what those crates
//! would over-allocate on.

mod avif;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod c_runtime;
mod container;
mod decode;
mod encode;
mod gif;
mod jpeg_rows;
mod png_rows;
mod probe;
pub mod quality;
mod webp;

use std::error::Error as _;
use std::io::Cursor;

use image::{ImageError, ImageFormat, ImageReader};
use kernels::PixelLayout;

pub use avif::{avif_working_bytes, encode_avif, encode_avif_with, AvifSettings};
pub use decode::{decode, decode_frames, AnimationFrame};
pub use encode::{
    encode, encode_jpeg_planes, jpeg_chroma_halved, webp_mode, AnimationWriter, EncodeSettings, YcbcrPlanes,
};
pub use jpeg_rows::{JpegRows, CMYK_ROWS};
pub use png_rows::PngRows;
pub use probe::{probe, Probe, Storage};
pub use webp::{encode_webp, WebpMode};

use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::format::SourceFormat;

/// A still image's rows in order, from a decoder that yields them as it goes (the streaming
/// route's source).
#[allow(clippy::large_enum_variant)] // One per request, made once and moved once: no box needed.
pub enum Rows<'a> {
    Png(PngRows<'a>),
    Jpeg(JpegRows<'a>),
}

impl Rows<'_> {
    pub fn layout(&self) -> PixelLayout {
        match self {
            Rows::Png(rows) => rows.layout(),
            Rows::Jpeg(rows) => rows.layout(),
        }
    }

    pub fn width(&self) -> usize {
        match self {
            Rows::Png(rows) => rows.width(),
            Rows::Jpeg(rows) => rows.width(),
        }
    }

    pub fn height(&self) -> usize {
        match self {
            Rows::Png(rows) => rows.height(),
            Rows::Jpeg(rows) => rows.height(),
        }
    }

    /// The next rows into `band`, a whole number of rows of `width × channels` bytes.
    pub fn read_rows(&mut self, band: &mut [u8]) -> Result<(), TransformError> {
        match self {
            Rows::Png(rows) => rows.read_rows(band),
            Rows::Jpeg(rows) => rows.read_rows(band),
        }
    }

    /// Passes over `count` rows (those above a crop).
    pub fn skip_rows(&mut self, count: usize) -> Result<(), TransformError> {
        match self {
            Rows::Png(rows) => rows.skip_rows(count),
            Rows::Jpeg(rows) => rows.skip_rows(count),
        }
    }

    /// Reads the rest of the image, refusing damage below the rows used.
    pub fn finish(&mut self) -> Result<(), TransformError> {
        match self {
            Rows::Png(rows) => rows.finish(),
            Rows::Jpeg(rows) => rows.finish(),
        }
    }
}

fn jpeg_error(error: jpeg::Error) -> TransformError {
    match error {
        jpeg::Error::Unsupported(variant) => {
            TransformError::new(ErrorKind::UnsupportedFormat, format!("this JPEG is not supported: {variant}"))
        }
        jpeg::Error::Corrupt(what) => {
            TransformError::new(ErrorKind::Undecodable, format!("the JPEG image cannot be decoded: {what}"))
        }
        jpeg::Error::TooLarge { width, height } => TransformError::new(
            ErrorKind::TooLarge,
            format!("the JPEG image is {width}x{height}, more pixels than the limit allows"),
        ),
        jpeg::Error::Internal(what) => {
            TransformError::new(ErrorKind::Internal, format!("JPEG decoding failed: {what}"))
        }
    }
}

/// The most one decoder may allocate: the request's memory budget. The budget's estimate has
/// already kept the route within it; this catches what a header does not show (a frame larger
/// than the estimate assumed, metadata chunks inflating).
fn max_decoding_bytes(limits: &Limits) -> usize {
    usize::try_from(limits.max_working_bytes).unwrap_or(usize::MAX)
}

fn reader<'a>(bytes: &'a [u8], format: SourceFormat, limits: &Limits) -> ImageReader<Cursor<&'a [u8]>> {
    let image_format = match format {
        SourceFormat::Jpeg => ImageFormat::Jpeg,
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Gif => ImageFormat::Gif,
        SourceFormat::Webp => ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(decoder_limits(limits));
    reader
}

/// The image crate's decoding limits from ours: no side longer than the pixel limit, and
/// allocations within [`max_decoding_bytes`].
fn decoder_limits(limits: &Limits) -> image::Limits {
    let side = u32::try_from(limits.max_input_pixels).unwrap_or(u32::MAX);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(side);
    image_limits.max_image_height = Some(side);
    image_limits.max_alloc = Some(max_decoding_bytes(limits) as u64);
    image_limits
}

fn decode_error(format: SourceFormat, error: ImageError) -> TransformError {
    let name = format.name();
    match error {
        ImageError::Limits(limit) => {
            TransformError::new(ErrorKind::TooLarge, format!("the {name} image exceeds the decoding limits: {limit}"))
        }
        ImageError::Unsupported(unsupported) => TransformError::new(
            ErrorKind::UnsupportedFormat,
            format!("this {name} variant is not supported: {unsupported}"),
        ),
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            TransformError::new(ErrorKind::Undecodable, format!("the {name} image is truncated"))
        }
        other => corrupt(name, &other.source().map(ToString::to_string).unwrap_or_else(|| other.to_string())),
    }
}

/// A decoder's refusal of corrupt data, in its own words, unless those are a Rust debug dump (the
/// png crate's chunk errors print structs), which would tell a person nothing.
fn corrupt(name: &str, reason: &str) -> TransformError {
    let message = if reason.contains("CRC error") {
        format!("the {name} image is corrupt: a checksum does not match its data")
    } else if reason.contains(['{', '}']) {
        format!("the {name} image is corrupt and cannot be decoded")
    } else {
        format!("the {name} image cannot be decoded: {reason}")
    };
    TransformError::new(ErrorKind::Undecodable, message)
}
