//! Decoding source bytes into a [`Bitmap`] and encoding a bitmap into an output format, with the
//! image crate; format detection and the pixel limit are checked from the header first.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder, ImageError, ImageFormat, ImageReader};
use kernels::{ImageMut, ImageRef, PixelLayout};

use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::geometry::Size;
use crate::options::OutputFormat;

/// Formats we decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl SourceFormat {
    fn image_format(self) -> ImageFormat {
        match self {
            SourceFormat::Jpeg => ImageFormat::Jpeg,
            SourceFormat::Png => ImageFormat::Png,
            SourceFormat::Gif => ImageFormat::Gif,
            SourceFormat::Webp => ImageFormat::WebP,
        }
    }
}

/// What the header says, read before any pixel buffer is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    pub format: SourceFormat,
    pub size: Size,
}

/// Tightly packed 8-bit pixels (stride = width × channels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub pixels: Vec<u8>,
    pub size: Size,
    pub layout: PixelLayout,
}

impl Bitmap {
    pub fn stride(&self) -> usize {
        self.size.width as usize * self.layout.channels()
    }

    pub fn view(&self) -> ImageRef<'_> {
        ImageRef {
            pixels: &self.pixels,
            width: self.size.width as usize,
            height: self.size.height as usize,
            stride: self.stride(),
            layout: self.layout,
        }
    }

    pub fn view_mut(&mut self) -> ImageMut<'_> {
        let stride = self.stride();
        ImageMut {
            pixels: &mut self.pixels,
            width: self.size.width as usize,
            height: self.size.height as usize,
            stride,
            layout: self.layout,
        }
    }
}

/// Identifies the format and reads the dimensions, refusing images over the pixel limit.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe, TransformError> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => SourceFormat::Jpeg,
        Ok(ImageFormat::Png) => SourceFormat::Png,
        Ok(ImageFormat::Gif) => SourceFormat::Gif,
        Ok(ImageFormat::WebP) => SourceFormat::Webp,
        Ok(other) => {
            return Err(TransformError::new(
                ErrorKind::UnsupportedFormat,
                format!("{other:?} images are not supported; send JPEG, PNG, GIF or WebP"),
            ))
        }
        Err(_) => {
            return Err(TransformError::new(
                ErrorKind::UnsupportedFormat,
                "the data is not an image in a supported format (JPEG, PNG, GIF, WebP)",
            ))
        }
    };
    let (width, height) = reader(bytes, format, limits)
        .into_dimensions()
        .map_err(|error| decode_error(format, error))?;
    let size = Size { width, height };
    if width == 0 || height == 0 {
        return Err(TransformError::new(ErrorKind::Undecodable, format!("the {format:?} image has no pixels")));
    }
    if size.pixels() > limits.max_input_pixels {
        return Err(TransformError::new(
            ErrorKind::TooLarge,
            format!(
                "the image is {width}x{height} ({} pixels); the pixel limit is {}",
                size.pixels(),
                limits.max_input_pixels
            ),
        ));
    }
    Ok(Probe { format, size })
}

/// Decodes the first frame into L8, RGB8 or RGBA8 (grey with alpha becomes RGBA8; deeper bit
/// depths are reduced to 8 bits).
pub fn decode(bytes: &[u8], probe: &Probe, limits: &Limits) -> Result<Bitmap, TransformError> {
    let image = reader(bytes, probe.format, limits)
        .decode()
        .map_err(|error| decode_error(probe.format, error))?;
    let size = Size { width: image.width(), height: image.height() };
    let (pixels, layout) = match image {
        DynamicImage::ImageLuma8(gray) => (gray.into_raw(), PixelLayout::L8),
        DynamicImage::ImageRgb8(rgb) => (rgb.into_raw(), PixelLayout::Rgb8),
        DynamicImage::ImageRgba8(rgba) => (rgba.into_raw(), PixelLayout::Rgba8),
        DynamicImage::ImageLuma16(_) => (image.to_luma8().into_raw(), PixelLayout::L8),
        other if other.color().has_alpha() => (other.to_rgba8().into_raw(), PixelLayout::Rgba8),
        other => (other.to_rgb8().into_raw(), PixelLayout::Rgb8),
    };
    Ok(Bitmap { pixels, size, layout })
}

fn reader<'a>(bytes: &'a [u8], format: SourceFormat, limits: &Limits) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let side = u32::try_from(limits.max_input_pixels).unwrap_or(u32::MAX);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(side);
    image_limits.max_image_height = Some(side);
    // Room for the decoded image at up to 16 bits per RGBA channel, plus the decoder's own state.
    image_limits.max_alloc = Some(limits.max_input_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(image_limits);
    reader
}

fn decode_error(format: SourceFormat, error: ImageError) -> TransformError {
    match error {
        ImageError::Limits(limit) => TransformError::new(
            ErrorKind::TooLarge,
            format!("the {format:?} image exceeds the decoding limits: {limit}"),
        ),
        ImageError::Unsupported(unsupported) => TransformError::new(
            ErrorKind::UnsupportedFormat,
            format!("this {format:?} variant is not supported: {unsupported}"),
        ),
        other => TransformError::new(
            ErrorKind::Undecodable,
            format!("the {format:?} image cannot be decoded: {other}"),
        ),
    }
}

/// Encodes `bitmap`; JPEG takes L8 or RGB8 only (flatten alpha first). WebP is lossless, so
/// `quality` applies to JPEG alone.
pub fn encode(bitmap: &Bitmap, format: OutputFormat, quality: u8) -> Result<Vec<u8>, TransformError> {
    let color = match bitmap.layout {
        PixelLayout::L8 => ExtendedColorType::L8,
        PixelLayout::Rgb8 => ExtendedColorType::Rgb8,
        PixelLayout::Rgba8 => ExtendedColorType::Rgba8,
    };
    let Size { width, height } = bitmap.size;
    let mut out = Vec::new();
    let result = match format {
        OutputFormat::Jpeg => JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(&bitmap.pixels, width, height, color),
        OutputFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&bitmap.pixels, width, height, color),
        OutputFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(&bitmap.pixels, width, height, color),
    };
    result.map_err(|error| {
        TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as {format:?}: {error}"))
    })?;
    Ok(out)
}
