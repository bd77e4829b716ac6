//! `encode` and [`GifWriter`]: pixels to output bytes.

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, ImageError, RgbaImage};
use kernels::{Image, PixelLayout};

use super::avif::encode_avif;
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
}

/// Writes GIF frames as they come; the frames are RGBA8 (pixels below half alpha become the
/// transparent entry, the rest opaque).
pub struct GifWriter<'a> {
    encoder: GifEncoder<&'a mut Vec<u8>>,
}

/// Colour quantization speed (1 best, 30 fastest); 10 is the gif crate's own default balance.
const GIF_QUANTIZATION_SPEED: i32 = 10;

impl<'a> GifWriter<'a> {
    /// A writer into `out`, which holds the whole GIF once the writer is dropped.
    pub fn new(out: &'a mut Vec<u8>, looping: bool) -> Result<Self, TransformError> {
        let mut encoder = GifEncoder::new_with_speed(out, GIF_QUANTIZATION_SPEED);
        if looping {
            encoder.set_repeat(Repeat::Infinite).map_err(gif_error)?;
        }
        Ok(GifWriter { encoder })
    }

    pub fn add(&mut self, image: Image, delay_ms: (u32, u32)) -> Result<(), TransformError> {
        let Image { mut pixels, width, height, layout } = image;
        // GIF has one fully transparent palette entry and no partial alpha: below half is
        // transparent, the rest opaque (the quantizer would otherwise treat a faint pixel's
        // colour as solid, giving soft edges a dark fringe).
        for [red, green, blue, alpha] in pixels.as_chunks_mut::<4>().0 {
            if *alpha < 128 {
                [*red, *green, *blue, *alpha] = [0; 4];
            } else {
                *alpha = 255;
            }
        }
        let buffer = RgbaImage::from_raw(side(width)?, side(height)?, pixels)
            .filter(|_| layout == PixelLayout::Rgba8)
            .ok_or_else(|| TransformError::new(ErrorKind::Internal, "GIF frames must be RGBA8"))?;
        let delay = Delay::from_numer_denom_ms(delay_ms.0, delay_ms.1);
        self.encoder.encode_frame(Frame::from_parts(buffer, 0, 0, delay)).map_err(gif_error)
    }
}

/// An animated GIF or WebP written frame by frame into `out`; every frame is RGBA8 of the
/// animation's size, and the file is whole once [`AnimationWriter::finish`] returns.
pub enum AnimationWriter<'a> {
    Gif(GifWriter<'a>),
    Webp { writer: WebpAnimationWriter, out: &'a mut Vec<u8> },
}

impl<'a> AnimationWriter<'a> {
    /// A looping animation; `format` is GIF or WebP.
    pub fn new(format: OutputFormat, out: &'a mut Vec<u8>, size: Size, quality: u8) -> Result<Self, TransformError> {
        match format {
            OutputFormat::Gif => Ok(AnimationWriter::Gif(GifWriter::new(out, true)?)),
            OutputFormat::Webp => {
                let mode = WebpMode::Lossy { quality: quality::webp(quality) };
                let writer = WebpAnimationWriter::new(size.width as usize, size.height as usize, mode, true)?;
                Ok(AnimationWriter::Webp { writer, out })
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
            AnimationWriter::Webp { writer, .. } => writer.add(&image, delay_ms),
        }
    }

    pub fn finish(self) -> Result<(), TransformError> {
        match self {
            // The GIF writer's drop writes the trailer.
            AnimationWriter::Gif(writer) => drop(writer),
            AnimationWriter::Webp { writer, out } => *out = writer.finish()?,
        }
        Ok(())
    }
}

fn gif_error(error: ImageError) -> TransformError {
    TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as GIF: {error}"))
}

/// A side length as the image crate's encoders take it.
fn side(pixels: usize) -> Result<u32, TransformError> {
    u32::try_from(pixels).map_err(|_| TransformError::new(ErrorKind::Unencodable, "the image is too large to encode"))
}

fn encode_jpeg(image: &Image, settings: &EncodeSettings) -> Result<Vec<u8>, TransformError> {
    let color = match image.layout {
        PixelLayout::L8 => jpeg_encoder::ColorType::Luma,
        PixelLayout::Rgb8 => jpeg_encoder::ColorType::Rgb,
        PixelLayout::Rgba8 => {
            return Err(TransformError::new(ErrorKind::Internal, "JPEG has no alpha; flatten the image first"))
        }
    };
    let side = |pixels: usize| {
        u16::try_from(pixels)
            .map_err(|_| TransformError::new(ErrorKind::Unencodable, "JPEG images are at most 65535 pixels a side"))
    };
    let failed = |error: jpeg_encoder::EncodingError| {
        TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as JPEG: {error}"))
    };
    let mut out = Vec::new();
    // Grey images have their own tables and mapping: Klein's luma table, chosen on colour
    // photos, left grey ones 2 SSIMULACRA2 points short of libjpeg-turbo.
    let (setting, tables) = quality::jpeg(settings.quality, image.layout == PixelLayout::L8);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, setting);
    // Chroma halved both ways below quality 90, full from 90, as libjpeg-turbo does on its scale.
    encoder.set_sampling_factor(if settings.quality < 90 {
        jpeg_encoder::SamplingFactor::R_4_2_0
    } else {
        jpeg_encoder::SamplingFactor::R_4_4_4
    });
    // The free gains over a default libjpeg file: Huffman tables fitted to the image, chroma
    // averaged (not point-sampled) when halved, and quantization tables that spend bits where
    // they are seen (`codec-quality` in benches/quality measured them). Baseline: jpeg-encoder's
    // progressive mode (spectral selection only) measured 9% larger.
    encoder.set_optimized_huffman_tables(true);
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    encoder.set_quantization_tables(tables.clone(), tables);
    if let Some(exif) = settings.exif {
        encoder.add_exif_metadata(exif).map_err(failed)?;
    }
    encoder.encode(&image.pixels, side(image.width)?, side(image.height)?, color).map_err(failed)?;
    Ok(out)
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
        OutputFormat::Avif => return encode_avif(image, quality::avif(settings.quality)),
        OutputFormat::Gif => {
            // The writer's drop writes the trailer.
            GifWriter::new(&mut out, false)?.add(image.clone(), (0, 1))?;
            return Ok(out);
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
