//! `decode` and `decode_frames`: source bytes to sRGB pixels, within the decoding limits.

use std::io::Cursor;

use image::codecs::gif::GifDecoder;
use image::codecs::png::PngDecoder;
use image::{AnimationDecoder, ImageDecoder};
use kernels::{Backend, Image, PixelLayout};

use super::jpeg_rows::decode_jpeg;
use super::png_rows::PngRows;
use super::webp::{decode_webp, webp_features, WebpFrames};
use super::{decode_error, decoder_limits, reader, Probe};
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
/// `1 / jpeg_shrink` of its size (1, 2, 4 or 8), rounded up, with `backend`'s kernels; other
/// formats ignore both.
pub fn decode(
    bytes: &[u8],
    probe: &Probe,
    limits: &Limits,
    jpeg_shrink: u32,
    backend: Backend,
) -> Result<Image, TransformError> {
    let mut image = decode_pixels(bytes, probe, limits, jpeg_shrink, backend)?;
    // PNG and JPEG are converted row by row as they decode.
    let to_srgb = probe.icc.as_deref().filter(|_| !matches!(probe.format, SourceFormat::Png | SourceFormat::Jpeg));
    if let Some(conversion) = to_srgb.and_then(|profile| ToSrgb::new(profile, image.layout)) {
        conversion.apply(&mut image.pixels);
    }
    Ok(image)
}

fn decode_pixels(
    bytes: &[u8],
    probe: &Probe,
    limits: &Limits,
    jpeg_shrink: u32,
    backend: Backend,
) -> Result<Image, TransformError> {
    match probe.format {
        SourceFormat::Jpeg => return decode_jpeg(bytes, probe, limits, jpeg_shrink, backend),
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
        SourceFormat::Png => return PngRows::new(bytes, probe, limits)?.into_image(),
        SourceFormat::Gif => {}
    }
    // GIF: the image crate decodes the first frame to RGBA.
    let image = reader(bytes, probe.format, limits).decode().map_err(|error| decode_error(probe.format, error))?;
    let (width, height) = (image.width() as usize, image.height() as usize);
    Ok(Image { pixels: image.into_rgba8().into_raw(), width, height, layout: PixelLayout::Rgba8 })
}
