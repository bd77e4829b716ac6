//! `encode` and [`AnimationWriter`]: pixels to output bytes.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use kernels::{Image, PixelLayout};

use super::avif::encode_avif;
use super::gif::GifWriter;
use super::quality;
use super::webp::{encode_webp, WebpAnimationWriter, WebpMode};
use crate::error::{ErrorKind, TransformError};
use crate::format::OutputFormat;
use crate::geometry::Size;

/// How to encode, beyond the pixels and the format.
#[derive(Clone, Copy, Debug)]
pub struct EncodeSettings<'a> {
    /// Our 1–100 scale, the same look in every lossy format ([`quality`] maps it).
    pub quality: u8,
    /// JPEG: TIFF data of at most [`crate::exif::MAX_JPEG_EXIF_LEN`] bytes; other formats carry none.
    pub exif: Option<&'a [u8]>,
    /// The working memory the AVIF encoder may take, in bytes: it splits the picture into more
    /// tiles to stay within it where it can (`u64::MAX`: as few tiles as its own bound allows).
    pub avif_allowance: u64,
}

/// An animated GIF or WebP written frame by frame; every frame is RGBA8 of the animation's
/// size, and [`AnimationWriter::finish`] returns the file.
pub enum AnimationWriter {
    Gif(GifWriter),
    Webp(WebpAnimationWriter),
}

impl AnimationWriter {
    /// A looping animation; `format` is GIF or WebP.
    pub fn new(format: OutputFormat, size: Size, quality: u8) -> Result<Self, TransformError> {
        match format {
            OutputFormat::Gif => Ok(AnimationWriter::Gif(GifWriter::new(size, true)?)),
            OutputFormat::Webp => {
                let mode = WebpMode::Lossy { quality: quality::webp(quality) };
                let writer = WebpAnimationWriter::new(size.width as usize, size.height as usize, mode, true)?;
                Ok(AnimationWriter::Webp(writer))
            }
            other => {
                Err(TransformError::new(ErrorKind::Internal, format!("{} is not an animation format", other.name())))
            }
        }
    }

    /// Adds a frame shown for `delay_ms` (numerator, denominator) milliseconds.
    pub fn add(&mut self, image: Image, delay_ms: (u32, u32)) -> Result<(), TransformError> {
        match self {
            AnimationWriter::Gif(writer) => writer.add(image, delay_ms),
            AnimationWriter::Webp(writer) => writer.add(&image, delay_ms),
        }
    }

    /// What [`AnimationWriter::finish`] would allocate for the frames written so far, in bytes:
    /// GIF copies its segments into one file; libwebp assembles the frames it holds into one (at
    /// most what it holds), then frees them, so copying the file out of its heap takes no more.
    pub fn finishing_bytes(&self) -> u64 {
        match self {
            AnimationWriter::Gif(writer) => writer.encoded_bytes() as u64,
            AnimationWriter::Webp(writer) => writer.held_bytes(),
        }
    }

    pub fn finish(self) -> Result<Vec<u8>, TransformError> {
        match self {
            AnimationWriter::Gif(writer) => writer.finish(),
            AnimationWriter::Webp(writer) => writer.finish(),
        }
    }
}

/// A side length as the image crate's encoders take it.
fn side(pixels: usize) -> Result<u32, TransformError> {
    u32::try_from(pixels).map_err(|_| TransformError::new(ErrorKind::Unencodable, "the image is too large to encode"))
}

/// Whether JPEG output at our `quality` halves chroma both ways (4:2:0): below 90, full from 90,
/// as libjpeg-turbo does on its scale.
pub fn jpeg_chroma_halved(quality: u8) -> bool {
    quality < 90
}

/// `pixels` (`size`) as JPEG at `settings`' quality, grey images with their own table.
fn encode_jpeg_pixels(
    pixels: jpeg::encode::Pixels,
    size: (usize, usize),
    settings: &EncodeSettings,
) -> Result<Vec<u8>, TransformError> {
    // Grey images have their own table and mapping: Klein's luma table, chosen on colour
    // photos, left grey ones 2 SSIMULACRA2 points short of libjpeg-turbo.
    let table = quality::jpeg(settings.quality, matches!(pixels, jpeg::encode::Pixels::Grey(_)));
    // The free gains over a default libjpeg file: Huffman tables fitted to the image (always, in
    // our encoder), chroma averaged (not point-sampled) when halved, and quantization tables
    // that spend bits where they are seen (`codec-quality` in benches/quality measured them).
    let jpeg_settings = jpeg::encode::EncodeSettings {
        luma_table: &table,
        chroma_table: &table,
        subsample_chroma: jpeg_chroma_halved(settings.quality),
        exif: settings.exif,
    };
    jpeg::encode::encode(pixels, size.0, size.1, &jpeg_settings).map_err(|error| {
        let kind = match error {
            jpeg::encode::EncodeError::Internal(_) => ErrorKind::Internal,
            _ => ErrorKind::Unencodable,
        };
        TransformError::new(kind, format!("the image cannot be encoded as JPEG: {error}"))
    })
}

fn encode_jpeg(image: &Image, settings: &EncodeSettings) -> Result<Vec<u8>, TransformError> {
    let pixels = match image.layout {
        PixelLayout::L8 => jpeg::encode::Pixels::Grey(&image.pixels),
        PixelLayout::Rgb8 => jpeg::encode::Pixels::Rgb(&image.pixels),
        PixelLayout::Rgba8 => {
            return Err(TransformError::new(ErrorKind::Internal, "JPEG has no alpha; flatten the image first"))
        }
    };
    encode_jpeg_pixels(pixels, (image.width, image.height), settings)
}

/// A picture as JPEG's Y, Cb and Cr planes (one byte a sample, rows packed), Cb and Cr at half
/// the width and height (rounded up) where [`jpeg_chroma_halved`] says so for the quality.
pub struct YcbcrPlanes {
    pub size: Size,
    pub y: Vec<u8>,
    pub cb: Vec<u8>,
    pub cr: Vec<u8>,
}

/// `planes` as JPEG, with no colour conversion or chroma averaging of ours.
pub fn encode_jpeg_planes(planes: &YcbcrPlanes, settings: &EncodeSettings) -> Result<Vec<u8>, TransformError> {
    let pixels = jpeg::encode::Pixels::Planes { y: &planes.y, cb: &planes.cb, cr: &planes.cr };
    encode_jpeg_pixels(pixels, (planes.size.width as usize, planes.size.height as usize), settings)
}

/// Encodes `image`; JPEG takes L8 or RGB8 only (flatten alpha first), GIF RGBA8 only.
pub fn encode(image: &Image, format: OutputFormat, settings: &EncodeSettings) -> Result<Vec<u8>, TransformError> {
    let color = match image.layout {
        PixelLayout::L8 => ExtendedColorType::L8,
        PixelLayout::Rgb8 => ExtendedColorType::Rgb8,
        PixelLayout::Rgba8 => ExtendedColorType::Rgba8,
    };
    let (width, height) = (side(image.width)?, side(image.height)?);
    let mut out = Vec::new();
    let result = match format {
        OutputFormat::Jpeg => return encode_jpeg(image, settings),
        OutputFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&image.pixels, width, height, color),
        OutputFormat::Webp => return encode_webp(image, webp_mode(image, settings.quality)),
        OutputFormat::Avif => return encode_avif(image, quality::avif(settings.quality), settings.avif_allowance),
        OutputFormat::Gif => {
            let mut writer = GifWriter::new(Size::of(image), false)?;
            writer.add(image.clone(), (0, 1))?;
            return writer.finish();
        }
    };
    result.map_err(|error| {
        TransformError::new(
            ErrorKind::Unencodable,
            format!("the image cannot be encoded as {}: {error}", format.name()),
        )
    })?;
    Ok(out)
}

/// Lossless WebP for images of at most this many colours (logos, icons, flat graphics): there it
/// is both exact and smaller than lossy; everything else is lossy. Not 256: every grey photo has
/// at most 256 levels, and lossless made one 3x the size of libjpeg-turbo's JPEG.
const LOSSLESS_WEBP_MAX_COLOURS: usize = 64;

/// The WebP mode for `image`: lossless where it has few colours, else lossy at `quality`.
pub fn webp_mode(image: &Image, quality: u8) -> WebpMode {
    if has_few_colours(image, LOSSLESS_WEBP_MAX_COLOURS) {
        WebpMode::Lossless
    } else {
        WebpMode::Lossy { quality: quality::webp(quality) }
    }
}

/// Whether `image` has at most `limit` distinct colours; stops counting past the limit.
fn has_few_colours(image: &Image, limit: usize) -> bool {
    let channels = image.layout.channels();
    let mut seen = std::collections::HashSet::with_capacity(limit + 1);
    let mut previous = None;
    for pixel in image.pixels.chunks_exact(channels) {
        let mut colour = [0u8; 4];
        colour.iter_mut().zip(pixel).for_each(|(to, &from)| *to = from);
        // Flat graphics repeat colours in runs: skip the hash for those.
        if previous == Some(colour) {
            continue;
        }
        previous = Some(colour);
        if seen.insert(u32::from_le_bytes(colour)) && seen.len() > limit {
            return false;
        }
    }
    true
}
