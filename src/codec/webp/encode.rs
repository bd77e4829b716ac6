//! WebP output: lossy VP8 (with a losslessly compressed alpha plane where the image has alpha)
//! or lossless VP8L, still or animated.

use std::ffi::{c_int, c_void};
use std::mem::MaybeUninit;
use std::ptr;

use kernels::{Image, PixelLayout};
use libwebp_sys as webp;

use crate::error::{ErrorKind, TransformError};

/// How to compress: lossy at a libwebp quality (0–100), or lossless.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WebpMode {
    Lossy { quality: f32 },
    Lossless,
}

/// libwebp's effort (0 fastest – 6 smallest) for lossy output: 4 is its default balance.
const LOSSY_METHOD: c_int = 4;
/// Lossless effort: method 4 at quality 50 is close to method 6's size at a fraction of the time.
const LOSSLESS_METHOD: c_int = 4;
const LOSSLESS_EFFORT: f32 = 50.0;

fn config(mode: WebpMode) -> Result<webp::WebPConfig, TransformError> {
    let mut config = MaybeUninit::<webp::WebPConfig>::zeroed();
    let quality = match mode {
        WebpMode::Lossy { quality } => quality.clamp(0.0, 100.0),
        WebpMode::Lossless => LOSSLESS_EFFORT,
    };
    // SAFETY: the pointer is to a zeroed config that the call fills in whole.
    let initialised = unsafe {
        webp::WebPConfigInitInternal(
            config.as_mut_ptr(),
            webp::WebPPreset::WEBP_PRESET_DEFAULT,
            quality,
            webp::WEBP_ENCODER_ABI_VERSION as c_int,
        )
    };
    if initialised == 0 {
        return Err(internal("libwebp rejected its own default configuration"));
    }
    // SAFETY: WebPConfigInitInternal succeeded, so every field is set.
    let mut config = unsafe { config.assume_init() };
    match mode {
        WebpMode::Lossy { .. } => config.method = LOSSY_METHOD,
        WebpMode::Lossless => {
            config.lossless = 1;
            config.method = LOSSLESS_METHOD;
            // Fully transparent pixels may take any colour that compresses better.
            config.exact = 0;
        }
    }
    Ok(config)
}

/// A libwebp picture holding a copy of `image`'s pixels, freed on drop.
struct Picture(webp::WebPPicture);

/// A side length as libwebp takes it: 1 to `WEBP_MAX_DIMENSION` pixels.
fn side(pixels: usize) -> Result<c_int, TransformError> {
    c_int::try_from(pixels).ok().filter(|&p| p > 0 && p as u32 <= webp::WEBP_MAX_DIMENSION).ok_or_else(|| {
        TransformError::new(
            ErrorKind::Unencodable,
            format!("WebP images are at most {} pixels a side", webp::WEBP_MAX_DIMENSION),
        )
    })
}

impl Picture {
    fn new(image: &Image, mode: WebpMode) -> Result<Self, TransformError> {
        let (width, height) = (side(image.width)?, side(image.height)?);
        let mut picture = MaybeUninit::<webp::WebPPicture>::zeroed();
        // SAFETY: the pointer is to a zeroed picture that the call initialises.
        if unsafe { webp::WebPPictureInitInternal(picture.as_mut_ptr(), webp::WEBP_ENCODER_ABI_VERSION as c_int) } == 0
        {
            return Err(internal("libwebp rejected its own picture version"));
        }
        // SAFETY: initialised above.
        let mut picture = Picture(unsafe { picture.assume_init() });
        picture.0.width = width;
        picture.0.height = height;
        // Lossless works on ARGB, lossy on YUV: importing straight into the right one saves a copy.
        picture.0.use_argb = c_int::from(mode == WebpMode::Lossless);
        let grey_as_rgb;
        let (pixels, channels, import): (&[u8], usize, ImportFn) = match image.layout {
            PixelLayout::Rgb8 => (&image.pixels, 3, webp::WebPPictureImportRGB),
            PixelLayout::Rgba8 => (&image.pixels, 4, webp::WebPPictureImportRGBA),
            PixelLayout::L8 => {
                grey_as_rgb = image.pixels.iter().flat_map(|&v| [v, v, v]).collect::<Vec<u8>>();
                (&grey_as_rgb, 3, webp::WebPPictureImportRGB)
            }
        };
        // At most 16383 × 4 bytes, as the width was checked.
        let stride = width.saturating_mul(channels as c_int);
        if pixels.len() != image.width * image.height * channels {
            return Err(internal("the image's buffer does not match its size"));
        }
        // SAFETY: `pixels` holds `height` rows of `stride` bytes (checked above); libwebp copies
        // them into the picture's own buffers, which `Drop` frees.
        if unsafe { import(&mut picture.0, pixels.as_ptr(), stride) } == 0 {
            return Err(out_of_memory());
        }
        Ok(picture)
    }
}

type ImportFn = unsafe extern "C" fn(*mut webp::WebPPicture, *const u8, c_int) -> c_int;

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: the picture was initialised by WebPPictureInitInternal; freeing its buffers
        // once is what libwebp expects (a picture without buffers is fine too).
        unsafe { webp::WebPPictureFree(&mut self.0) }
    }
}

/// libwebp's writer callback: appends to the `Vec<u8>` in `custom_ptr`; 0 (failure) when the
/// vector cannot grow.
unsafe extern "C" fn append_to_vec(data: *const u8, size: usize, picture: *const webp::WebPPicture) -> c_int {
    // SAFETY: `encode` sets `custom_ptr` to a live, exclusively borrowed Vec<u8> for the duration
    // of WebPEncode, and libwebp passes `size` readable bytes at `data`.
    unsafe {
        let out = &mut *(*picture).custom_ptr.cast::<Vec<u8>>();
        if out.try_reserve(size).is_err() {
            return 0;
        }
        out.extend_from_slice(std::slice::from_raw_parts(data, size));
    }
    1
}

/// Encodes a still image.
pub fn encode_webp(image: &Image, mode: WebpMode) -> Result<Vec<u8>, TransformError> {
    let config = config(mode)?;
    let mut picture = Picture::new(image, mode)?;
    let mut out = Vec::new();
    picture.0.writer = Some(append_to_vec);
    picture.0.custom_ptr = ptr::from_mut(&mut out).cast::<c_void>();
    // SAFETY: config and picture are initialised; the writer's target outlives the call.
    let encoded = unsafe { webp::WebPEncode(&config, &mut picture.0) };
    picture.0.custom_ptr = ptr::null_mut();
    if encoded == 0 {
        return Err(encoding_error(picture.0.error_code));
    }
    Ok(out)
}

/// Writes an animated WebP frame by frame; every frame has the canvas's size.
pub struct WebpAnimationWriter {
    encoder: ptr::NonNull<webp::WebPAnimEncoder>,
    config: webp::WebPConfig,
    mode: WebpMode,
    timestamp_ms: c_int,
    /// libwebp's heap once the encoder was made (its canvases), for [`Self::held_bytes`].
    heap_at_start: u64,
}

impl WebpAnimationWriter {
    pub fn new(width: usize, height: usize, mode: WebpMode, looping: bool) -> Result<Self, TransformError> {
        let (width, height) = (side(width)?, side(height)?);
        let mut options = MaybeUninit::<webp::WebPAnimEncoderOptions>::zeroed();
        // SAFETY: the pointer is to zeroed options that the call fills in.
        if unsafe {
            webp::WebPAnimEncoderOptionsInitInternal(options.as_mut_ptr(), webp::WEBP_MUX_ABI_VERSION as c_int)
        } == 0
        {
            return Err(internal("libwebp rejected its own animation options version"));
        }
        // SAFETY: initialised above.
        let mut options = unsafe { options.assume_init() };
        options.anim_params.loop_count = if looping { 0 } else { 1 };
        // Mixing lossy and lossless frames lets libwebp pick the smaller per frame (flat
        // graphics compress far better lossless), unless the whole animation is lossless.
        options.allow_mixed = c_int::from(matches!(mode, WebpMode::Lossy { .. }));
        // SAFETY: the options are initialised; the encoder is freed in Drop.
        let encoder =
            unsafe { webp::WebPAnimEncoderNewInternal(width, height, &options, webp::WEBP_MUX_ABI_VERSION as c_int) };
        let encoder = ptr::NonNull::new(encoder).ok_or_else(out_of_memory)?;
        let heap_at_start = c_heap_bytes();
        Ok(WebpAnimationWriter { encoder, config: config(mode)?, mode, timestamp_ms: 0, heap_at_start })
    }

    /// Adds a frame shown for `delay_ms` (numerator, denominator) milliseconds.
    pub fn add(&mut self, image: &Image, delay_ms: (u32, u32)) -> Result<(), TransformError> {
        let mut picture = Picture::new(image, self.mode)?;
        // SAFETY: the encoder is live; the picture and config are initialised and outlive the call.
        if unsafe { webp::WebPAnimEncoderAdd(self.encoder.as_ptr(), &mut picture.0, self.timestamp_ms, &self.config) }
            == 0
        {
            return Err(self.error());
        }
        let delay = delay_ms.0.checked_div(delay_ms.1).unwrap_or(0);
        self.timestamp_ms = self.timestamp_ms.saturating_add(c_int::try_from(delay).unwrap_or(c_int::MAX));
        Ok(())
    }

    /// What the encoder holds beyond its canvases, in bytes: the frames encoded so far (and the
    /// candidates for the latest, until libwebp picks one). Counted where we supply libwebp's
    /// allocator (wasm32-unknown-unknown, the Worker); 0 elsewhere.
    pub fn held_bytes(&self) -> u64 {
        c_heap_bytes().saturating_sub(self.heap_at_start)
    }

    /// The whole animation.
    pub fn finish(self) -> Result<Vec<u8>, TransformError> {
        // SAFETY: a null frame marks the end of the last frame at this timestamp.
        if unsafe { webp::WebPAnimEncoderAdd(self.encoder.as_ptr(), ptr::null_mut(), self.timestamp_ms, ptr::null()) }
            == 0
        {
            return Err(self.error());
        }
        let mut data = webp::WebPData { bytes: ptr::null(), size: 0 };
        // SAFETY: the encoder is live.
        if unsafe { webp::WebPAnimEncoderAssemble(self.encoder.as_ptr(), &mut data) } == 0 {
            return Err(self.error());
        }
        // The encoder's frames go before the file is copied, so the copy can reuse their memory.
        drop(self);
        let mut out = Vec::new();
        let copied = out.try_reserve_exact(data.size);
        // SAFETY: `data` points at the file, a buffer libwebp allocated, copied and then freed
        // with WebPFree.
        unsafe {
            if copied.is_ok() {
                out.extend_from_slice(std::slice::from_raw_parts(data.bytes, data.size));
            }
            webp::WebPFree(data.bytes.cast_mut().cast::<c_void>());
        }
        copied.map_err(|_| out_of_memory())?;
        Ok(out)
    }

    fn error(&self) -> TransformError {
        // SAFETY: the encoder is live; the message is a NUL-terminated string it owns.
        let message = unsafe {
            let text = webp::WebPAnimEncoderGetError(self.encoder.as_ptr());
            if text.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(text).to_string_lossy().into_owned()
            }
        };
        let reason = if message.is_empty() { String::new() } else { format!(": {message}") };
        TransformError::new(ErrorKind::Unencodable, format!("the animation cannot be encoded as WebP{reason}"))
    }
}

impl Drop for WebpAnimationWriter {
    fn drop(&mut self) {
        // SAFETY: created by WebPAnimEncoderNewInternal and deleted once.
        unsafe { webp::WebPAnimEncoderDelete(self.encoder.as_ptr()) }
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn c_heap_bytes() -> u64 {
    crate::codec::c_runtime::held_bytes() as u64
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn c_heap_bytes() -> u64 {
    0
}

fn encoding_error(code: webp::WebPEncodingError) -> TransformError {
    use webp::WebPEncodingError as E;
    match code {
        E::VP8_ENC_ERROR_OUT_OF_MEMORY | E::VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY | E::VP8_ENC_ERROR_BAD_WRITE => {
            out_of_memory()
        }
        E::VP8_ENC_ERROR_BAD_DIMENSION | E::VP8_ENC_ERROR_FILE_TOO_BIG | E::VP8_ENC_ERROR_PARTITION0_OVERFLOW => {
            TransformError::new(ErrorKind::Unencodable, "the image is too large to encode as WebP")
        }
        other => internal(&format!("libwebp failed: {other:?}")),
    }
}

fn out_of_memory() -> TransformError {
    TransformError::new(ErrorKind::TooLarge, "not enough memory to encode the image as WebP")
}

fn internal(message: &str) -> TransformError {
    TransformError::new(ErrorKind::Internal, message.to_owned())
}
