//! `encode` and [`GifWriter`]: pixels to output bytes.

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, ImageError, RgbaImage};
use kernels::{Image, PixelLayout};

use crate::error::{ErrorKind, TransformError};
use crate::format::OutputFormat;

/// Writes GIF frames as they come; the frames are RGBA8 (transparency is kept where alpha is
/// below half, as GIF has one transparent palette entry).
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
        let Image { pixels, width, height, layout } = image;
        let buffer = RgbaImage::from_raw(side(width)?, side(height)?, pixels)
            .filter(|_| layout == PixelLayout::Rgba8)
            .ok_or_else(|| TransformError::new(ErrorKind::Internal, "GIF frames must be RGBA8"))?;
        let delay = Delay::from_numer_denom_ms(delay_ms.0, delay_ms.1);
        self.encoder.encode_frame(Frame::from_parts(buffer, 0, 0, delay)).map_err(gif_error)
    }
}

fn gif_error(error: ImageError) -> TransformError {
    TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as GIF: {error}"))
}

/// A side length as the image crate's encoders take it.
fn side(pixels: usize) -> Result<u32, TransformError> {
    u32::try_from(pixels).map_err(|_| TransformError::new(ErrorKind::Unencodable, "the image is too large to encode"))
}

fn encode_jpeg(image: &Image, quality: u8, exif: Option<&[u8]>) -> Result<Vec<u8>, TransformError> {
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
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    if let Some(exif) = exif {
        encoder.add_exif_metadata(exif).map_err(failed)?;
    }
    encoder.encode(&image.pixels, side(image.width)?, side(image.height)?, color).map_err(failed)?;
    Ok(out)
}

/// Encodes `image`; JPEG takes L8 or RGB8 only (flatten alpha first), GIF RGBA8 only. JPEG also
/// takes `exif` (TIFF data of at most [`crate::exif::MAX_JPEG_EXIF_LEN`] bytes), which other
/// formats leave out. WebP is lossless, so `quality` applies to JPEG alone.
pub fn encode(
    image: &Image,
    format: OutputFormat,
    quality: u8,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, TransformError> {
    let color = match image.layout {
        PixelLayout::L8 => ExtendedColorType::L8,
        PixelLayout::Rgb8 => ExtendedColorType::Rgb8,
        PixelLayout::Rgba8 => ExtendedColorType::Rgba8,
    };
    let (width, height) = (side(image.width)?, side(image.height)?);
    let mut out = Vec::new();
    let result = match format {
        OutputFormat::Jpeg => return encode_jpeg(image, quality, exif),
        OutputFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&image.pixels, width, height, color),
        OutputFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(&image.pixels, width, height, color),
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
