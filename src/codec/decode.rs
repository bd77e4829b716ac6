//! `decode` and `decode_frames`: source bytes to sRGB pixels, within the decoding limits.

use std::io::Cursor;

use image::codecs::gif::GifDecoder;
use image::codecs::png::PngDecoder;
use image::{AnimationDecoder, ImageDecoder};
use kernels::{Image, PixelLayout};

use super::png_rows::PngRows;
use super::webp::{decode_webp, webp_features, WebpFrames};
use super::{decode_error, decoder_limits, jpeg_error, jpeg_info, max_decoding_bytes, reader, Probe};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::format::SourceFormat;
use crate::icc::ToSrgb;

/// One frame of an animation: the full canvas, and how long it shows.
pub struct AnimationFrame {
    pub image: Image,
    /// Milliseconds, as a ratio (numerator, denominator).
    pub delay_ms: (u32, u32),
}

/// Frames as they decode.
type Frames<'a> = Box<dyn Iterator<Item = Result<AnimationFrame, TransformError>> + 'a>;

/// The frames of an animated GIF, PNG (APNG) or WebP, each composited onto the full canvas as
/// RGBA8 with its delay in milliseconds (numerator, denominator). Frames decode one at a time.
pub fn decode_frames<'a>(
    bytes: &'a [u8],
    probe: &Probe,
    limits: &Limits,
) -> Result<impl Iterator<Item = Result<AnimationFrame, TransformError>> + 'a, TransformError> {
    let format = probe.format;
    // The frame decoders allocate per frame, within the same limits as still decoding.
    let from_image_crate = |frames: Result<image::Frames<'a>, image::ImageError>| {
        let frames = frames.map_err(|error| decode_error(format, error))?;
        Ok::<_, TransformError>(frames.map(move |frame| {
            let frame = frame.map_err(|error| decode_error(format, error))?;
            let delay = frame.delay().numer_denom_ms();
            let buffer = frame.into_buffer();
            let (width, height) = (buffer.width() as usize, buffer.height() as usize);
            let image = Image { pixels: buffer.into_raw(), width, height, layout: PixelLayout::Rgba8 };
            Ok(AnimationFrame { image, delay_ms: delay })
        }))
    };
    let frames: Frames<'a> = match format {
        SourceFormat::Gif => {
            Box::new(from_image_crate(GifDecoder::new(Cursor::new(bytes)).and_then(|mut decoder| {
                decoder.set_limits(decoder_limits(limits))?;
                Ok(decoder.into_frames())
            }))?)
        }
        SourceFormat::Png => Box::new(from_image_crate(
            PngDecoder::with_limits(Cursor::new(bytes), decoder_limits(limits))
                .and_then(|decoder| decoder.apng())
                .map(AnimationDecoder::into_frames),
        )?),
        SourceFormat::Webp => Box::new(
            WebpFrames::new(bytes)?
                .map(|frame| frame.map(|(image, delay_ms)| AnimationFrame { image, delay_ms: (delay_ms, 1) })),
        ),
        SourceFormat::Jpeg => {
            return Err(TransformError::new(ErrorKind::Internal, format!("{} images have no animation", format.name())))
        }
    };
    let to_srgb = probe.icc.as_deref().and_then(|profile| ToSrgb::new(profile, PixelLayout::Rgba8));
    // The probe counted the frames against the pixel limit; a stream that holds more stops there.
    Ok(frames.take(usize::try_from(probe.frames).unwrap_or(usize::MAX)).map(move |frame| {
        let mut frame = frame?;
        if let Some(conversion) = &to_srgb {
            conversion.apply(&mut frame.image.pixels);
        }
        Ok(frame)
    }))
}

/// Decodes the first frame into sRGB L8, RGB8 or RGBA8 (grey with alpha becomes RGBA8; deeper
/// bit depths are reduced to 8 bits; an embedded colour profile is applied). JPEG decodes at
/// `1 / jpeg_shrink` of its size (1, 2 or 4), rounded up; other formats ignore `jpeg_shrink`.
pub fn decode(bytes: &[u8], probe: &Probe, limits: &Limits, jpeg_shrink: u32) -> Result<Image, TransformError> {
    let mut image = decode_pixels(bytes, probe, limits, jpeg_shrink)?;
    let to_srgb = probe.icc.as_deref().filter(|_| probe.format != SourceFormat::Png);
    if let Some(conversion) = to_srgb.and_then(|profile| ToSrgb::new(profile, image.layout)) {
        conversion.apply(&mut image.pixels);
    }
    Ok(image)
}

fn decode_pixels(bytes: &[u8], probe: &Probe, limits: &Limits, jpeg_shrink: u32) -> Result<Image, TransformError> {
    match probe.format {
        SourceFormat::Jpeg => return decode_jpeg(bytes, probe, limits, jpeg_shrink),
        SourceFormat::Webp => {
            let features = webp_features(bytes)?;
            if !features.animated {
                return decode_webp(bytes, features);
            }
            // libwebp's still decoder does not read animations, even of one frame: the first
            // frame comes from the demuxer.
            return match WebpFrames::new(bytes)?.next() {
                Some(frame) => frame.map(|(image, _)| image),
                None => Err(TransformError::new(ErrorKind::Undecodable, "the WebP animation has no frames")),
            };
        }
        // Converted to sRGB row by row as it decodes.
        SourceFormat::Png => return PngRows::new(bytes, probe, limits)?.into_image(),
        SourceFormat::Gif => {}
    }
    // GIF: the image crate decodes the first frame to RGBA.
    let image = reader(bytes, probe.format, limits).decode().map_err(|error| decode_error(probe.format, error))?;
    let (width, height) = (image.width() as usize, image.height() as usize);
    Ok(Image { pixels: image.into_rgba8().into_raw(), width, height, layout: PixelLayout::Rgba8 })
}

fn decode_jpeg(bytes: &[u8], probe: &Probe, limits: &Limits, shrink: u32) -> Result<Image, TransformError> {
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
    let image = Image { pixels, width: width as usize, height: height as usize, layout };
    if image.pixels.len() != image.width * image.height * layout.channels() {
        return Err(TransformError::new(ErrorKind::Undecodable, "the JPEG image decoded to an unexpected size"));
    }
    Ok(image)
}
