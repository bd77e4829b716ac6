//! The memory budget (`MAX_WORKING_BYTES`): before any pixel buffer exists, an upper bound on the
//! linear memory a request grows to on its route, from the header, the plan and the options.
//! A request over the budget gets a 413 naming both, since wasm memory never shrinks and one
//! request past the isolate's 128 MB takes down every request on it.
//!
//! The bound follows the route's phases ([`estimate`]): each decoder's own buffers and the image
//! it yields (decoded whole) or the rows in flight (streamed), the resize's window, and what the
//! steps after the resize and the encoder hold per output pixel. The factors come from
//! `benches/results/memory.md`, with a margin, and `node benches/memory.mjs --check` (run by
//! `npm test`) checks that every request it makes stays within its estimate. Animations are
//! also checked as their frames are written ([`check_growth`]), since what those code to is
//! unknown until they are.

use super::stream::Resampling;
use crate::codec::quality::{self, along, Curve};
use crate::codec::{avif_working_bytes, Probe, Storage, CMYK_ROWS};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::format::OutputFormat;
use crate::geometry::{Placement, Size};
use crate::options::TransformOptions;

const MIB: u64 = 1 << 20;

/// What every request holds whatever its image: the instance's own memory beyond the first
/// page, tables, decoder and encoder state, small buffers and the allocator's slack.
const FIXED_BYTES: u64 = 6 * MIB;

/// A CMYK profile's conversion as moxcms builds it: a 17⁴ grid of RGB in `f32` (1 MB) held while
/// decoding, 2.4 MB at its peak while being built (measured natively).
const CMYK_TRANSFORM_BYTES: u64 = 5 * MIB / 2;

/// Where the pixels come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Route {
    /// Decoded whole, at `decoded` (smaller than stored for a JPEG shrunk on load).
    Whole { decoded: Size },
    /// Rows stream from the decoder into the resize; with `planes_to_jpeg`, a JPEG's resized
    /// planes go straight to the encoder where the output is JPEG.
    Streamed { planes_to_jpeg: bool },
    /// A JPEG that does not stream (progressive, or a scan per component) decoded whole at
    /// `decoded` into its component planes, whose rows go into the resize as streamed ones do:
    /// no interleaved image.
    Planes { decoded: Size },
    /// Every frame, one at a time, into an animation.
    Animated,
}

/// The estimate for one request, in bytes: the source, and the largest of three phases. The
/// decode holds the decoder's buffers and the image it yields; the resize that image, its window
/// and the resized image, on top of the decode (see below); the steps after the resize and the
/// encoder a few copies of the output and the encoded bytes (the full-size image is gone by
/// then, and the output is small enough for the freed memory to serve). An animation holds its decoder,
/// a frame being rendered and its encoder at once.
#[allow(clippy::too_many_arguments)] // What the request is, in the pipeline's own terms.
pub(super) fn estimate(
    source_len: usize,
    probe: &Probe,
    placement: &Placement,
    options: &TransformOptions,
    format: OutputFormat,
    output: Size,
    route: Route,
    budget: u64,
) -> u64 {
    let resized = placement.resized.pixels();
    // Rows in flight, a band and the decoder's inflate window, on the routes that read rows.
    let rows = 2 * MIB + 32 * u64::from(probe.size.width);
    let decode = match route {
        Route::Whole { decoded } => {
            let held = decode_bytes(probe, decoded);
            held.planes + held.coefficients + held.ink + held.image
        }
        // The decoder's own, without the image: the rows streamed ones take instead.
        Route::Planes { decoded } => {
            let held = decode_bytes(probe, decoded);
            rows + held.planes + held.coefficients + held.ink
        }
        // The rows; a JPEG's planes of three MCU rows (at most 32 rows each) at full size.
        Route::Streamed { .. } => {
            let planes = match probe.storage {
                Storage::Jpeg { samples_16ths, .. } => 96 * u64::from(probe.size.width) * u64::from(samples_16ths) / 16,
                _ => 0,
            };
            rows + planes
        }
        // The canvas of each frame, its predecessor, and the decoder's own.
        Route::Animated => 12 * probe.size.pixels(),
    };
    let linear = match route {
        _ if !options.gamma_correct => 0,
        // The linear-light copy of the image (12-bit samples in u16) and of the resized one.
        Route::Whole { decoded } => 8 * (decoded.pixels() + resized),
        // Each frame's canvas, whole.
        Route::Animated => 8 * (probe.size.pixels() + resized),
        // Streamed rows go to linear light a band at a time; the resized image is whole.
        Route::Streamed { .. } | Route::Planes { .. } => 8 * resized,
    };
    // Where a streamed JPEG's planes go straight to the JPEG encoder, the resized image is its Y,
    // Cb and Cr planes as bytes (three a pixel at most, at 4:4:4); else RGB(A).
    let to_encoder = format == OutputFormat::Jpeg && route == (Route::Streamed { planes_to_jpeg: true });
    let resized_image = if to_encoder { 3 * resized } else { 4 * resized };
    // A subsampled YCbCr JPEG resized as planes for a lossy output (and not to the encoder):
    // three planes of fine `i16` values the resized size, beside the RGB image they become.
    let planes = match (route, probe.storage) {
        (Route::Streamed { .. } | Route::Planes { .. }, Storage::Jpeg { components: 3, samples_16ths, .. })
            if !to_encoder
                && samples_16ths < 48
                && Resampling::for_output(options.gamma_correct, format, options.quality)
                    == Resampling::PlanesAllowed =>
        {
            6 * resized
        }
        _ => 0,
    };
    // The resize's buffers come after the decoder's, which they seldom fit in once freed: the
    // allocator grows memory for them, so they count on top of the decode.
    let resize = decode + window_bytes(probe.size, placement, options.gamma_correct) + linear + planes + resized_image;
    // Per output pixel, the output image and the encoder. GIF holds about the same whatever the
    // picture (measured peaks over the source: 9–12 bytes). JPEG keeps every quantized block
    // between its two passes (3.2 bytes a pixel at 4:2:0, below quality 90; 6.4 at 4:4:4) beside
    // its output, which grows with the detail: 6.8 and 10.4 bytes on a smooth picture, 7.6 and
    // 14.9 on noise (at 85 and 95-100). PNG holds its compressed output and
    // deflate state, up to 17 bytes on noise (21 with alpha). WebP and AVIF hold more the more
    // they code, so by quality (`WEBP_BYTES_PER_PIXEL`; AVIF's encoder bounds its own beside
    // the output image, splitting the picture into more tiles to fit what the budget leaves it).
    let alpha = probe.alpha;
    let per_output_pixel = |bytes: u64| bytes * output.pixels();
    let encoder = match (route, format) {
        (Route::Animated, _) => per_output_pixel(48),
        (_, OutputFormat::Avif) => {
            let (width, height) = (output.width as usize, output.height as usize);
            let allowance = avif_allowance(source_len, options, output, budget);
            per_output_pixel(4) + avif_working_bytes(width, height, quality::avif(options.quality), alpha, allowance)
        }
        (_, OutputFormat::Webp) => {
            let lossless_alpha = if alpha { 24 } else { 0 };
            per_output_pixel(along(WEBP_BYTES_PER_PIXEL, options.quality).ceil() as u64 + lossless_alpha)
        }
        (_, OutputFormat::Gif) => per_output_pixel(14),
        (_, OutputFormat::Jpeg) => per_output_pixel(along(JPEG_BYTES_PER_PIXEL, options.quality).ceil() as u64),
        (_, OutputFormat::Png) => per_output_pixel(if alpha { 24 } else { 20 }),
    };
    let finish = encoder + filter_bytes(options, output);
    let peak = match route {
        // Frames render one at a time as the encoded ones accumulate (about a byte per pixel).
        Route::Animated => decode + linear + finish + probe.frames.saturating_mul(output.pixels()),
        _ => decode.max(resize).max(finish),
    };
    source_len as u64 + FIXED_BYTES + peak
}

/// A blurred copy of the output (RGBA at most).
fn filter_bytes(options: &TransformOptions, output: Size) -> u64 {
    if options.blur > 0.0 || options.sharpen > 0.0 {
        4 * output.pixels()
    } else {
        0
    }
}

/// What the AVIF encoder may take of `budget` for an `output` image: what the encoding phase
/// leaves it beside the source, what every request holds, the output image and a filtered copy.
pub(super) fn avif_allowance(source_len: usize, options: &TransformOptions, output: Size, budget: u64) -> u64 {
    let beside = source_len as u64 + FIXED_BYTES + 4 * output.pixels() + filter_bytes(options, output);
    budget.saturating_sub(beside)
}

/// What JPEG output holds per pixel at our `quality`, with the output image (see above): 4:2:0
/// below 90, 4:4:4 from it.
const JPEG_BYTES_PER_PIXEL: &Curve = &[(89, 10.0), (90, 18.0)];

/// What opaque WebP output holds per pixel at our `quality`, with the output image: libwebp keeps
/// the tokens of the whole picture (2 bytes each) to write them after choosing their
/// probabilities, so the more detail and the finer the quality, the more it holds. The upper
/// envelope of uniform noise (the most an image can code) at 0.2 to 3.8 MP in V8, with a margin;
/// never below what lossless output (for few colours) takes. Alpha adds its lossless
/// compression's state, 24 bytes.
const WEBP_BYTES_PER_PIXEL: &Curve = &[(1, 12.0), (30, 14.0), (50, 17.0), (70, 20.0), (85, 24.0), (95, 33.0)];

/// What a whole decode at `decoded` holds: a JPEG's component planes, coefficients and CMYK ink
/// rows apart from the image it yields; for other formats, everything in `image`.
struct DecodeBytes {
    planes: u64,
    coefficients: u64,
    ink: u64,
    image: u64,
}

fn decode_bytes(probe: &Probe, decoded: Size) -> DecodeBytes {
    let (stored, pixels) = (probe.size.pixels(), decoded.pixels());
    let image = match probe.storage {
        Storage::Jpeg { components, samples_16ths, coefficient_bytes, .. } => {
            // Component planes at the decoded scale, the interleaved output (CMYK becomes RGB
            // through `CMYK_ROWS` rows of ink and its profile's conversion), and for progressive
            // files the coefficients that scale's IDCT reads, held from the first scan to the last.
            let planes = pixels * u64::from(samples_16ths) / 16;
            let ink = if components >= 4 {
                u64::from(decoded.width) * 4 * CMYK_ROWS as u64
                    + if probe.icc.is_some() { CMYK_TRANSFORM_BYTES } else { 0 }
            } else {
                0
            };
            let image = pixels * u64::from(components.min(3));
            let shrink = [1, 2, 4, 8].iter().position(|&s| probe.size.width.div_ceil(s) == decoded.width).unwrap_or(0);
            let coefficients = coefficient_bytes.get(shrink).copied().unwrap_or(coefficient_bytes[0]);
            return DecodeBytes { planes, coefficients, ink, image };
        }
        // The png crate's whole frame at up to 16-bit RGBA, and ours.
        Storage::Png { interlaced: true } => stored * 12,
        Storage::Png { interlaced: false } => stored * 4,
        // libwebp decodes lossless through an ARGB image of its own; animations keep a canvas
        // and the frame before it.
        Storage::Webp { lossless, animated } => {
            stored * (4 + if lossless { 4 } else { 0 } + if animated { 8 } else { 0 })
        }
        // The image crate's canvas, the frame's indices and our RGBA copy.
        Storage::Gif => stored * 6,
    };
    DecodeBytes { planes: 0, coefficients: 0, ink: 0, image }
}

/// The resize's window: about two vertical windows (six source rows per output row's reduction
/// each side for Lanczos3) of rows with up to four channels. Horizontal pass first, they are
/// `i16` intermediate rows of the output's width; vertical pass first (downscales), source rows
/// of the region's width (samples of 1 byte, 2 in linear light), and eight intermediate rows of
/// that width. Which order a resize takes is the kernels' choice: the larger counts.
fn window_bytes(stored: Size, placement: &Placement, gamma_correct: bool) -> u64 {
    let resized = placement.resized;
    let reduction = (placement.region.height / f64::from(resized.height.max(1))).max(1.0);
    let taps = (6.0 * reduction).ceil() as u64 + 2;
    let rows = (2 * taps + 20).min(u64::from(stored.height));
    let region_width = placement.region.width.ceil() as u64 + 1;
    let sample_bytes = if gamma_correct { 2 } else { 1 };
    let horizontal_first = rows * u64::from(resized.width) * 8;
    let vertical_first = rows * region_width * 4 * sample_bytes + 8 * region_width * 8;
    horizontal_first.max(vertical_first)
}

/// The instance's linear memory now, in bytes, in a JS engine's isolate (the Worker, the npm
/// package), whose memory limit this guards; `None` natively and under WASI (the CLI).
pub fn linear_memory_bytes() -> Option<u64> {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    return Some(core::arch::wasm32::memory_size::<0>() as u64 * 65536);
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    None
}

/// A 413 once an animation being written could grow memory past the budget: the `memory` it has
/// after `written` of `frames` frames, what finishing the file would allocate for them
/// (`finishing` bytes), and for another frame twice its share of that (its own encoded bytes
/// and their part of the finishing). The estimate counts encoded frames at a byte per pixel,
/// what animations code to, but noise codes to more: this keeps such a request within the
/// budget, refusing it mid-way. Memory never shrinks, so a warm instance keeps the high-water
/// mark of earlier requests, mostly free: a request still within the memory the instance had
/// at its start (`start`) is let be, and one that grew it may take it to the budget, or to
/// `start` where that is more.
pub(super) fn check_growth(
    memory: u64,
    start: u64,
    finishing: u64,
    (written, frames): (u64, u64),
    budget: u64,
) -> Result<(), TransformError> {
    let next_frame = if written < frames { 2 * finishing / written.max(1) } else { 0 };
    let ceiling = start.max(budget);
    if memory <= start || memory.saturating_add(finishing).saturating_add(next_frame) <= ceiling {
        return Ok(());
    }
    Err(TransformError::new(
        ErrorKind::TooLarge,
        format!(
            "the animation outgrew the memory budget of {} MiB (MAX_WORKING_BYTES) after {written} of its {frames} frames; ask for a smaller output, a lower quality or anim=false",
            budget.div_ceil(MIB),
        ),
    ))
}

/// A 413 when `estimate` is over the budget, naming both.
pub(super) fn check(estimate: u64, probe: &Probe, limits: &Limits) -> Result<(), TransformError> {
    if estimate <= limits.max_working_bytes {
        return Ok(());
    }
    let mib = |bytes: u64| bytes.div_ceil(MIB);
    Err(TransformError::new(
        ErrorKind::TooLarge,
        format!(
            "this request needs an estimated {} MiB of working memory for the {}x{} {} image, over the budget of {} MiB (MAX_WORKING_BYTES); ask for a smaller output or send a smaller image",
            mib(estimate),
            probe.size.width,
            probe.size.height,
            probe.format.name(),
            mib(limits.max_working_bytes),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_animation_stops_before_its_frames_could_outgrow_the_budget() {
        let (start, budget) = (20 * MIB, 64 * MIB);
        // 10 MiB written in 10 frames, finishing copies them once: another frame may add 2 MiB.
        assert!(check_growth(42 * MIB, start, 10 * MIB, (10, 40), budget).is_ok());
        assert!(check_growth(52 * MIB, start, 10 * MIB, (10, 40), budget).is_ok());
        let refused = check_growth(53 * MIB, start, 10 * MIB, (10, 40), budget).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::TooLarge);
        assert!(
            refused.message.contains("64 MiB (MAX_WORKING_BYTES) after 10 of its 40 frames"),
            "{}",
            refused.message
        );
        // After the last frame, only the finishing is left.
        assert!(check_growth(54 * MIB, start, 10 * MIB, (40, 40), budget).is_ok());
        assert!(check_growth(55 * MIB, start, 10 * MIB, (40, 40), budget).is_err());
    }

    #[test]
    fn a_warm_instance_past_the_budget_stops_only_animations_that_grow_it() {
        let (start, budget) = (124 * MIB, 64 * MIB);
        // Within the memory the instance had: the earlier requests' memory is free for this one.
        assert!(check_growth(124 * MIB, start, 10 * MIB, (1, 30), budget).is_ok());
        // Grown past it: only as far as it was.
        assert!(check_growth(125 * MIB, start, 10 * MIB, (20, 30), budget).is_err());
    }
}
