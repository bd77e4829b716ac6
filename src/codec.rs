//! Decoding source bytes into a [`Bitmap`] and encoding a bitmap into an output format; format
//! detection and the pixel limit are checked from the header first. JPEG goes through
//! jpeg-decoder (which can decode at a reduced scale) and jpeg-encoder; PNG, GIF and WebP through
//! the image crate.

use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPDecoder;
use image::codecs::webp::WebPEncoder;
use image::{
    AnimationDecoder, Delay, DynamicImage, ExtendedColorType, Frame, ImageDecoder, ImageEncoder, ImageError,
    ImageFormat, ImageReader, RgbaImage,
};
use kernels::{ImageMut, ImageRef, Orientation, PixelLayout};

use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::geometry::Size;
use crate::icc::{self, ToSrgb};
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
    pub fn content_type(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "image/jpeg",
            SourceFormat::Png => "image/png",
            SourceFormat::Gif => "image/gif",
            SourceFormat::Webp => "image/webp",
        }
    }

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub format: SourceFormat,
    /// As stored, before EXIF orientation.
    pub size: Size,
    /// The raw EXIF block (TIFF data), if the file has one.
    pub exif: Option<Vec<u8>>,
    /// The embedded ICC colour profile, if any (and not over `icc::MAX_ICC_PROFILE_BYTES`).
    pub icc: Option<Vec<u8>>,
    /// Frames the container declares (1 for still images).
    pub frames: u64,
}

impl Probe {
    /// What makes the stored pixels upright, from the EXIF orientation tag.
    pub fn orientation(&self) -> Orientation {
        let tag = self.exif.as_deref().and_then(crate::exif::Exif::parse).and_then(|exif| exif.orientation());
        Orientation::from_exif(tag.unwrap_or(1))
    }
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
    let header_error = |error| match error {
        // The decoder's width/height limits are derived from the pixel limit: say so.
        ImageError::Limits(_) => TransformError::new(
            ErrorKind::TooLarge,
            format!(
                "the {format:?} image is wider or taller than the pixel limit of {} allows",
                limits.max_input_pixels
            ),
        ),
        other => decode_error(format, other),
    };
    let ((width, height), exif, icc) = match format {
        SourceFormat::Jpeg => {
            let mut decoder = jpeg_decoder::Decoder::new(bytes);
            decoder.read_info().map_err(jpeg_error)?;
            let info = jpeg_info(&decoder)?;
            ((info.width as u32, info.height as u32), decoder.exif_data().map(<[u8]>::to_vec), decoder.icc_profile())
        }
        SourceFormat::Webp => {
            let decoder = reader(bytes, format, limits).into_decoder().map_err(header_error)?;
            (decoder.dimensions(), webp_chunk(bytes, b"EXIF"), webp_chunk(bytes, b"ICCP"))
        }
        SourceFormat::Png => {
            // Before the png crate reads the header, which inflates the profile too.
            let icc = png_icc_profile(bytes)?;
            let mut decoder = reader(bytes, format, limits).into_decoder().map_err(header_error)?;
            // Unreadable metadata is no reason to refuse the pixels.
            (decoder.dimensions(), decoder.exif_metadata().ok().flatten(), icc)
        }
        SourceFormat::Gif => {
            let decoder = reader(bytes, format, limits).into_decoder().map_err(header_error)?;
            (decoder.dimensions(), None, None)
        }
    };
    let icc = icc.filter(|profile| profile.len() <= icc::MAX_ICC_PROFILE_BYTES);
    let size = Size { width, height };
    if width == 0 || height == 0 {
        return Err(TransformError::new(ErrorKind::Undecodable, format!("the {format:?} image has no pixels")));
    }
    // Animations count every frame at the full canvas size, as a renderer of all of them would.
    let frames = frame_count(format, bytes);
    let counted = size.pixels().saturating_mul(frames);
    if counted > limits.max_input_pixels {
        let what =
            if frames > 1 { format!("{frames} frames of {width}x{height}") } else { format!("{width}x{height}") };
        return Err(TransformError::new(
            ErrorKind::TooLarge,
            format!("the image is {what} ({counted} pixels); the pixel limit is {}", limits.max_input_pixels),
        ));
    }
    Ok(Probe { format, size, exif, icc, frames })
}

/// How many frames the container declares, from its structure alone (1 for still formats, and
/// at least 1). A truncated file counts the frames seen before the end.
fn frame_count(format: SourceFormat, bytes: &[u8]) -> u64 {
    let frames = match format {
        SourceFormat::Gif => gif_frames(bytes),
        SourceFormat::Webp => webp_frames(bytes),
        SourceFormat::Jpeg | SourceFormat::Png => 1,
    };
    frames.max(1)
}

/// Counts GIF image descriptors, skipping colour tables, extensions and image data by their
/// declared lengths.
fn gif_frames(bytes: &[u8]) -> u64 {
    let colour_table = |flags: u8| if flags & 0x80 != 0 { 3usize << ((flags & 7) + 1) } else { 0 };
    let skip_sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let len = *bytes.get(at)? as usize;
            at += 1 + len;
            if len == 0 {
                return Some(at);
            }
        }
    };
    let mut frames = 0;
    let Some(&screen_flags) = bytes.get(10) else { return frames };
    let mut at = 13 + colour_table(screen_flags);
    loop {
        let next = match bytes.get(at) {
            // Image descriptor: 10 bytes, a local colour table, the LZW code size, data blocks.
            Some(0x2C) => {
                frames += 1;
                let Some(&flags) = bytes.get(at + 9) else { return frames };
                skip_sub_blocks(at + 10 + colour_table(flags) + 1)
            }
            // Extension: introducer, label, data blocks.
            Some(0x21) => skip_sub_blocks(at + 2),
            // Trailer, garbage or the end: the decoder judges the rest.
            _ => None,
        };
        match next {
            Some(position) => at = position,
            None => return frames,
        }
    }
}

/// Counts the `ANMF` (animation frame) chunks of a RIFF WebP file.
fn webp_frames(bytes: &[u8]) -> u64 {
    riff_chunks(bytes).filter(|(fourcc, _)| fourcc == b"ANMF").count() as u64
}

/// The payload of the first top-level `fourcc` chunk of a WebP file, if it lies wholly inside
/// `bytes`. We read metadata chunks ourselves because image-webp allocates a chunk's declared size
/// before reading it: a 100-byte file declaring a 2.7 GB EXIF chunk asked for 2.7 GB (a fuzzing
/// find, kept in fixtures/fuzz/).
fn webp_chunk(bytes: &[u8], wanted: &[u8; 4]) -> Option<Vec<u8>> {
    riff_chunks(bytes).find(|(fourcc, _)| fourcc == wanted).and_then(|(_, payload)| payload).map(<[u8]>::to_vec)
}

/// The top-level chunks of a RIFF WebP file, each with its payload when the file holds all of
/// it. Stops at the first header that does not fit.
fn riff_chunks(bytes: &[u8]) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
    let mut at: usize = 12; // "RIFF", size, "WEBP"
    core::iter::from_fn(move || {
        let header = bytes.get(at..at.checked_add(8)?)?;
        let (fourcc, size) = header.split_at(4);
        let size = size.iter().rev().fold(0usize, |value, &byte| value << 8 | byte as usize);
        let start = at + 8;
        let payload = start.checked_add(size).and_then(|end| bytes.get(start..end));
        // Chunks are padded to an even length.
        at = start.saturating_add(size).saturating_add(size & 1);
        Some((fourcc, payload))
    })
}

/// The ICC profile of a PNG, inflated by us within `icc::MAX_ICC_PROFILE_BYTES`. The png crate
/// inflates `iCCP` while reading the header, bounded only by the decoding limit: a 300 KB file
/// made it allocate 300 MB. A profile that does not inflate within our bound refuses the image
/// (413) before the png crate sees it; one that fits inflates the same within it there too.
fn png_icc_profile(bytes: &[u8]) -> Result<Option<Vec<u8>>, TransformError> {
    let mut at: usize = 8; // the signature
                           // Chunks: length, type, data, CRC. `iCCP` must come before the image data.
    while let Some(header) = at.checked_add(8).and_then(|end| bytes.get(at..end)) {
        let (length, kind) = header.split_at(4);
        let length = length.iter().fold(0usize, |value, &byte| value << 8 | byte as usize);
        let data = (at + 8).checked_add(length).and_then(|end| bytes.get(at + 8..end));
        match (kind, data) {
            (b"IDAT", _) | (_, None) => return Ok(None),
            (b"iCCP", Some(data)) => {
                // A name of 1 to 79 bytes, a NUL, the compression method, the zlib stream.
                let Some(stream) = data.iter().position(|&byte| byte == 0).and_then(|name| data.get(name + 2..)) else {
                    return Ok(None);
                };
                return match fdeflate::decompress_to_vec_bounded(stream, icc::MAX_ICC_PROFILE_BYTES) {
                    Ok(profile) => Ok(Some(profile)),
                    Err(fdeflate::BoundedDecompressionError::OutputTooLarge { .. }) => Err(TransformError::new(
                        ErrorKind::TooLarge,
                        format!("the PNG's ICC profile inflates past {} bytes", icc::MAX_ICC_PROFILE_BYTES),
                    )),
                    // The png crate stops at the same error, having inflated no more than we did.
                    Err(_) => Ok(None),
                };
            }
            _ => at = at.saturating_add(12).saturating_add(length),
        }
    }
    Ok(None)
}

/// One frame of an animation: the full canvas, and how long it shows.
pub struct AnimationFrame {
    pub bitmap: Bitmap,
    /// Milliseconds, as a ratio (numerator, denominator).
    pub delay_ms: (u32, u32),
}

/// The frames of an animated GIF or WebP, each composited onto the full canvas as RGBA8. Frames
/// decode one at a time.
pub fn decode_frames<'a>(
    bytes: &'a [u8],
    probe: &Probe,
    limits: &Limits,
) -> Result<impl Iterator<Item = Result<AnimationFrame, TransformError>> + 'a, TransformError> {
    let format = probe.format;
    // The frame decoders allocate per frame, within the same limits as still decoding.
    let frames = match format {
        SourceFormat::Gif => GifDecoder::new(Cursor::new(bytes)).and_then(|mut decoder| {
            decoder.set_limits(decoder_limits(limits))?;
            Ok(decoder.into_frames())
        }),
        SourceFormat::Webp => WebPDecoder::new(Cursor::new(bytes)).and_then(|mut decoder| {
            decoder.set_limits(decoder_limits(limits))?;
            Ok(decoder.into_frames())
        }),
        SourceFormat::Jpeg | SourceFormat::Png => {
            return Err(TransformError::new(ErrorKind::Unencodable, format!("{format:?} images have no animation")))
        }
    }
    .map_err(|error| decode_error(format, error))?;
    let to_srgb = probe.icc.as_deref().and_then(|profile| ToSrgb::new(profile, PixelLayout::Rgba8));
    // The probe counted the frames against the pixel limit; a stream that holds more stops there.
    Ok(frames.take(usize::try_from(probe.frames).unwrap_or(usize::MAX)).map(move |frame| {
        let frame = frame.map_err(|error| decode_error(format, error))?;
        let delay = frame.delay().numer_denom_ms();
        let buffer = frame.into_buffer();
        let size = Size { width: buffer.width(), height: buffer.height() };
        let mut bitmap = Bitmap { pixels: buffer.into_raw(), size, layout: PixelLayout::Rgba8 };
        if let Some(conversion) = &to_srgb {
            conversion.apply(&mut bitmap);
        }
        Ok(AnimationFrame { bitmap, delay_ms: delay })
    }))
}

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

    pub fn add(&mut self, bitmap: Bitmap, delay_ms: (u32, u32)) -> Result<(), TransformError> {
        let Bitmap { pixels, size, layout } = bitmap;
        let buffer = RgbaImage::from_raw(size.width, size.height, pixels)
            .filter(|_| layout == PixelLayout::Rgba8)
            .ok_or_else(|| TransformError::new(ErrorKind::Unencodable, "GIF frames must be RGBA8"))?;
        let delay = Delay::from_numer_denom_ms(delay_ms.0, delay_ms.1);
        self.encoder.encode_frame(Frame::from_parts(buffer, 0, 0, delay)).map_err(gif_error)
    }
}

fn gif_error(error: ImageError) -> TransformError {
    TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as GIF: {error}"))
}

/// Decodes the first frame into sRGB L8, RGB8 or RGBA8 (grey with alpha becomes RGBA8; deeper
/// bit depths are reduced to 8 bits; an embedded colour profile is applied). JPEG decodes at
/// `1 / jpeg_shrink` of its size (1, 2, 4 or 8), rounded up; other formats ignore `jpeg_shrink`.
pub fn decode(bytes: &[u8], probe: &Probe, limits: &Limits, jpeg_shrink: u32) -> Result<Bitmap, TransformError> {
    let mut image = decode_pixels(bytes, probe, limits, jpeg_shrink)?;
    if let Some(conversion) = probe.icc.as_deref().and_then(|profile| ToSrgb::new(profile, image.layout)) {
        conversion.apply(&mut image);
    }
    Ok(image)
}

fn decode_pixels(bytes: &[u8], probe: &Probe, limits: &Limits, jpeg_shrink: u32) -> Result<Bitmap, TransformError> {
    if probe.format == SourceFormat::Jpeg {
        return decode_jpeg(bytes, probe, limits, jpeg_shrink);
    }
    let image = reader(bytes, probe.format, limits).decode().map_err(|error| decode_error(probe.format, error))?;
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

fn decode_jpeg(bytes: &[u8], probe: &Probe, limits: &Limits, shrink: u32) -> Result<Bitmap, TransformError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(max_decoding_bytes(limits));
    let (mut width, mut height) = (probe.size.width, probe.size.height);
    if shrink > 1 {
        // The decoder picks the smallest IDCT scale that is at least the requested size.
        let requested = |side: u32| u16::try_from(side.div_ceil(shrink)).unwrap_or(u16::MAX);
        let (w, h) = decoder.scale(requested(width), requested(height)).map_err(jpeg_error)?;
        (width, height) = (w as u32, h as u32);
    }
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let info = jpeg_info(&decoder)?;
    let size = Size { width, height };
    let (pixels, layout) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (pixels, PixelLayout::L8),
        jpeg_decoder::PixelFormat::RGB24 => (pixels, PixelLayout::Rgb8),
        // Native-endian 16-bit samples: keep the high byte.
        jpeg_decoder::PixelFormat::L16 => (
            pixels
                .chunks_exact(2)
                .map(|sample| match *sample {
                    [first, second] => (u16::from_ne_bytes([first, second]) >> 8) as u8,
                    _ => 0,
                })
                .collect(),
            PixelLayout::L8,
        ),
        // CMYK with 0 meaning no ink, as the decoder returns it.
        jpeg_decoder::PixelFormat::CMYK32 => (
            pixels
                .chunks_exact(4)
                .flat_map(|pixel| match *pixel {
                    [c, m, y, k] => {
                        let white = 255 - k as u16;
                        [c, m, y].map(|ink| ((255 - ink as u16) * white / 255) as u8)
                    }
                    _ => [0; 3],
                })
                .collect(),
            PixelLayout::Rgb8,
        ),
    };
    if pixels.len() != size.pixels() as usize * layout.channels() {
        return Err(TransformError::new(ErrorKind::Undecodable, "the JPEG image decoded to an unexpected size"));
    }
    Ok(Bitmap { pixels, size, layout })
}

/// The frame information, which the decoder has once headers were read.
fn jpeg_info(decoder: &jpeg_decoder::Decoder<&[u8]>) -> Result<jpeg_decoder::ImageInfo, TransformError> {
    decoder.info().ok_or_else(|| jpeg_error(jpeg_decoder::Error::Format("no frame header".into())))
}

fn jpeg_error(error: jpeg_decoder::Error) -> TransformError {
    match error {
        jpeg_decoder::Error::Unsupported(feature) => TransformError::new(
            ErrorKind::UnsupportedFormat,
            format!("this JPEG variant is not supported: {feature:?}"),
        ),
        other => TransformError::new(ErrorKind::Undecodable, format!("the JPEG image cannot be decoded: {other}")),
    }
}

/// Room for the decoded image at up to 16 bits per RGBA channel, plus the decoder's own state.
fn max_decoding_bytes(limits: &Limits) -> usize {
    let bytes = limits.max_input_pixels.saturating_mul(8).saturating_add(64 << 20);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

fn reader<'a>(bytes: &'a [u8], format: SourceFormat, limits: &Limits) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
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
    match error {
        ImageError::Limits(limit) => TransformError::new(
            ErrorKind::TooLarge,
            format!("the {format:?} image exceeds the decoding limits: {limit}"),
        ),
        ImageError::Unsupported(unsupported) => TransformError::new(
            ErrorKind::UnsupportedFormat,
            format!("this {format:?} variant is not supported: {unsupported}"),
        ),
        other => {
            TransformError::new(ErrorKind::Undecodable, format!("the {format:?} image cannot be decoded: {other}"))
        }
    }
}

fn encode_jpeg(bitmap: &Bitmap, quality: u8, exif: Option<&[u8]>) -> Result<Vec<u8>, TransformError> {
    let color = match bitmap.layout {
        PixelLayout::L8 => jpeg_encoder::ColorType::Luma,
        PixelLayout::Rgb8 => jpeg_encoder::ColorType::Rgb,
        PixelLayout::Rgba8 => {
            return Err(TransformError::new(ErrorKind::Unencodable, "JPEG has no alpha; flatten the image first"))
        }
    };
    let side = |pixels: u32| {
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
    encoder.encode(&bitmap.pixels, side(bitmap.size.width)?, side(bitmap.size.height)?, color).map_err(failed)?;
    Ok(out)
}

/// Encodes `bitmap`; JPEG takes L8 or RGB8 only (flatten alpha first), GIF RGBA8 only, JPEG also
/// `exif` (TIFF data of
/// at most [`crate::exif::MAX_JPEG_EXIF_LEN`] bytes), which other formats leave out. WebP is
/// lossless, so `quality` applies to JPEG alone.
pub fn encode(
    bitmap: &Bitmap,
    format: OutputFormat,
    quality: u8,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, TransformError> {
    let color = match bitmap.layout {
        PixelLayout::L8 => ExtendedColorType::L8,
        PixelLayout::Rgb8 => ExtendedColorType::Rgb8,
        PixelLayout::Rgba8 => ExtendedColorType::Rgba8,
    };
    let Size { width, height } = bitmap.size;
    let mut out = Vec::new();
    let result = match format {
        OutputFormat::Jpeg => return encode_jpeg(bitmap, quality, exif),
        OutputFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&bitmap.pixels, width, height, color),
        OutputFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(&bitmap.pixels, width, height, color),
        OutputFormat::Gif => {
            // The writer's drop writes the trailer.
            GifWriter::new(&mut out, false)?.add(bitmap.clone(), (0, 1))?;
            return Ok(out);
        }
    };
    result.map_err(|error| {
        TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as {format:?}: {error}"))
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn frames_are_counted_from_the_container() {
        let fire = fixture("fire.gif");
        let frames = frame_count(SourceFormat::Gif, &fire);
        assert!(frames > 1, "fire.gif is animated, counted {frames}");
        assert_eq!(frame_count(SourceFormat::Gif, &fixture("porsche.gif")), 1);
        assert_eq!(frame_count(SourceFormat::Webp, &fixture("flower.webp")), 1);
        let truncated = frame_count(SourceFormat::Gif, &fire[..fire.len() / 2]);
        assert!((1..frames).contains(&truncated), "{truncated} of {frames}");
        assert_eq!(frame_count(SourceFormat::Gif, b"GIF89a"), 1);
    }

    #[test]
    fn animations_count_every_frame_against_the_pixel_limit() {
        let fire = fixture("fire.gif");
        let still = probe(&fire, &Limits::default()).unwrap();
        let frames = frame_count(SourceFormat::Gif, &fire);
        let limits = Limits { max_input_pixels: still.size.pixels() * frames - 1, ..Limits::default() };
        let error = probe(&fire, &limits).unwrap_err();
        assert_eq!(error.kind, ErrorKind::TooLarge);
        assert!(error.message.contains(&format!("{frames} frames")), "{}", error.message);
    }
}
