//! WebP input: the header's features, still images into our own buffer, and animations frame by
//! frame on their canvas (libwebp's demuxer composites them).

use std::ffi::c_int;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};

use kernels::{Image, PixelLayout};
use libwebp_sys as webp;

use crate::error::{ErrorKind, TransformError};

/// What the header says, read without decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebpFeatures {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    /// An animation (even of one frame), which only the demuxer reads.
    pub animated: bool,
    /// A lossless (VP8L) bitstream, which libwebp decodes through a whole ARGB image of its own.
    pub lossless: bool,
}

pub fn webp_features(bytes: &[u8]) -> Result<WebpFeatures, TransformError> {
    let mut features = MaybeUninit::<webp::WebPBitstreamFeatures>::zeroed();
    // SAFETY: libwebp reads at most `bytes.len()` bytes and fills the zeroed features.
    let status = unsafe {
        webp::WebPGetFeaturesInternal(
            bytes.as_ptr(),
            bytes.len(),
            features.as_mut_ptr(),
            webp::WEBP_DECODER_ABI_VERSION as c_int,
        )
    };
    if status != webp::VP8StatusCode::VP8_STATUS_OK {
        return Err(status_error(status));
    }
    // SAFETY: filled in on success.
    let features = unsafe { features.assume_init() };
    let side = |value: c_int| u32::try_from(value).unwrap_or(0);
    Ok(WebpFeatures {
        width: side(features.width),
        height: side(features.height),
        has_alpha: features.has_alpha != 0,
        animated: features.has_animation != 0,
        // libwebp's format: 0 mixed (animations), 1 lossy, 2 lossless.
        lossless: features.format == 2,
    })
}

/// Decodes a still WebP into RGB8, or RGBA8 where the file has alpha (an animation's first frame
/// comes from [`WebpFrames`]). The caller has checked the size against the pixel limit.
pub fn decode_webp(bytes: &[u8], features: WebpFeatures) -> Result<Image, TransformError> {
    let (width, height) = (features.width as usize, features.height as usize);
    let layout = if features.has_alpha { PixelLayout::Rgba8 } else { PixelLayout::Rgb8 };
    let stride = width * layout.channels();
    let mut pixels = Vec::new();
    pixels.try_reserve_exact(stride * height).map_err(|_| out_of_memory())?;
    pixels.resize(stride * height, 0);
    let stride_c = c_int::try_from(stride).map_err(|_| out_of_memory())?;
    let decode = if features.has_alpha { webp::WebPDecodeRGBAInto } else { webp::WebPDecodeRGBInto };
    // SAFETY: libwebp writes at most `pixels.len()` bytes, rows `stride` apart, into our buffer,
    // and reads at most `bytes.len()` bytes.
    let written = unsafe { decode(bytes.as_ptr(), bytes.len(), pixels.as_mut_ptr(), pixels.len(), stride_c) };
    if written.is_null() {
        return Err(corrupt());
    }
    Ok(Image { pixels, width, height, layout })
}

/// The frames of an animated WebP, each the whole canvas as RGBA8 with how long it shows.
pub struct WebpFrames<'a> {
    decoder: NonNull<webp::WebPAnimDecoder>,
    width: usize,
    height: usize,
    remaining: u32,
    previous_ms: c_int,
    /// The decoder reads the file in place.
    file: PhantomData<&'a [u8]>,
}

impl<'a> WebpFrames<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<Self, TransformError> {
        let mut options = MaybeUninit::<webp::WebPAnimDecoderOptions>::zeroed();
        // SAFETY: the pointer is to zeroed options that the call fills in.
        if unsafe {
            webp::WebPAnimDecoderOptionsInitInternal(options.as_mut_ptr(), webp::WEBP_DEMUX_ABI_VERSION as c_int)
        } == 0
        {
            return Err(TransformError::new(ErrorKind::Internal, "libwebp rejected its own demuxer version"));
        }
        // SAFETY: initialised above.
        let mut options = unsafe { options.assume_init() };
        options.color_mode = webp::WEBP_CSP_MODE::MODE_RGBA;
        options.use_threads = 0;
        let data = webp::WebPData { bytes: bytes.as_ptr(), size: bytes.len() };
        // SAFETY: `data` points into `bytes`, which outlives the decoder (the lifetime 'a).
        let decoder =
            unsafe { webp::WebPAnimDecoderNewInternal(&data, &options, webp::WEBP_DEMUX_ABI_VERSION as c_int) };
        let decoder = NonNull::new(decoder).ok_or_else(corrupt)?;
        let mut info = MaybeUninit::<webp::WebPAnimInfo>::zeroed();
        // From here on, dropping `frames` deletes the decoder.
        let mut frames = WebpFrames { decoder, width: 0, height: 0, remaining: 0, previous_ms: 0, file: PhantomData };
        // SAFETY: the decoder is live; the call fills `info`.
        if unsafe { webp::WebPAnimDecoderGetInfo(frames.decoder.as_ptr(), info.as_mut_ptr()) } == 0 {
            return Err(corrupt());
        }
        // SAFETY: filled in on success.
        let info = unsafe { info.assume_init() };
        frames.width = info.canvas_width as usize;
        frames.height = info.canvas_height as usize;
        frames.remaining = info.frame_count;
        Ok(frames)
    }
}

impl Iterator for WebpFrames<'_> {
    /// A frame and its delay in milliseconds.
    type Item = Result<(Image, u32), TransformError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.remaining = self.remaining.checked_sub(1)?;
        let mut canvas: *mut u8 = ptr::null_mut();
        let mut timestamp_ms: c_int = 0;
        // SAFETY: the decoder is live; on success `canvas` points at its RGBA canvas of
        // width × height pixels, valid until the next call, which we copy at once.
        let pixels = unsafe {
            if webp::WebPAnimDecoderGetNext(self.decoder.as_ptr(), &mut canvas, &mut timestamp_ms) == 0
                || canvas.is_null()
            {
                self.remaining = 0;
                return Some(Err(corrupt()));
            }
            std::slice::from_raw_parts(canvas, self.width * self.height * 4).to_vec()
        };
        let delay = u32::try_from(timestamp_ms.saturating_sub(self.previous_ms)).unwrap_or(0);
        self.previous_ms = timestamp_ms;
        let image = Image { pixels, width: self.width, height: self.height, layout: PixelLayout::Rgba8 };
        Some(Ok((image, delay)))
    }
}

impl Drop for WebpFrames<'_> {
    fn drop(&mut self) {
        // SAFETY: created by WebPAnimDecoderNewInternal and deleted once.
        unsafe { webp::WebPAnimDecoderDelete(self.decoder.as_ptr()) }
    }
}

fn status_error(status: webp::VP8StatusCode) -> TransformError {
    use webp::VP8StatusCode as S;
    match status {
        S::VP8_STATUS_OUT_OF_MEMORY => out_of_memory(),
        S::VP8_STATUS_NOT_ENOUGH_DATA => TransformError::new(ErrorKind::Undecodable, "the WebP image is truncated"),
        S::VP8_STATUS_UNSUPPORTED_FEATURE => {
            TransformError::new(ErrorKind::UnsupportedFormat, "this WebP variant is not supported")
        }
        _ => corrupt(),
    }
}

fn corrupt() -> TransformError {
    TransformError::new(ErrorKind::Undecodable, "the WebP image is corrupt and cannot be decoded")
}

fn out_of_memory() -> TransformError {
    TransformError::new(ErrorKind::TooLarge, "not enough memory to decode the WebP image")
}
