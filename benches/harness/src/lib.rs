//! Benchmark exports for `benches/run.mjs`, which builds this crate for wasm32 twice (with and
//! without simd128) and times each call in V8. A `setup_*` call prepares inputs once; each
//! `run_*` call then performs one operation with one variant, so the driver can interleave
//! variants and take medians. No wasm-bindgen: plain exports keep the harness engine-agnostic.

use std::cell::RefCell;

use fast_image_resize as fir;
use image_worker::config::Limits;
use image_worker::format::OutputFormat;
use image_worker::options::{FormatRequest, TransformOptions};
use kernels::{Backend, Filter, ImageMut, ImageRef, PixelLayout, SourceRegion};

// The noise animation the Worker's memory test sends too.
#[path = "../../../tests/support/noise.rs"]
mod noise;

/// Variant ids, shared with run.mjs.
const OURS_SCALAR: u32 = 0;
const OURS_SIMD128: u32 = 1;
const FAST_IMAGE_RESIZE: u32 = 2;
const IMAGE_CRATE: u32 = 3;

/// Pipeline ids, shared with run.mjs.
const PIPELINE_OURS: u32 = 0;
const PIPELINE_BASELINE: u32 = 1;

struct ResizeCase {
    layout: PixelLayout,
    filter: Filter,
    source: Vec<u8>,
    source_size: (u32, u32),
    output: Vec<u8>,
    output_size: (u32, u32),
    fir: fir::Resizer,
    image_crate: image::DynamicImage,
}

#[derive(Default)]
struct State {
    resize: Option<ResizeCase>,
    alpha: Vec<u8>,
    /// Random colour, every alpha 255.
    opaque: Vec<u8>,
    alpha_size: (u32, u32),
    input: Vec<u8>,
    effect: Option<EffectCase>,
    jpeg: Option<JpegKernelCase>,
    /// The resized photo the codec benchmark encodes, as lossless PNG and as pixels.
    codec_png: Vec<u8>,
    codec_image: Option<kernels::Image>,
    codec_output: Vec<u8>,
    /// The options `run_transform` applies, and the status it last answered.
    options: Vec<u8>,
    last_status: u32,
    last_message: String,
    last_estimate: u64,
}

/// Inputs for the kernels that run on output-sized images (orientation, compositing, colour,
/// blur): a source, a destination the same size (or turned), and a blurred twin for sharpening.
struct EffectCase {
    layout: PixelLayout,
    size: (usize, usize),
    source: Vec<u8>,
    output: Vec<u8>,
    blurred: Vec<u8>,
    wide: Vec<u8>,
    /// The edge-energy grid of `source` in `ENERGY_CELL`-pixel blocks.
    energy: Vec<u64>,
    /// `source` in linear light, and its resized copy (a third of each side).
    linear: Vec<u16>,
    linear_small: Vec<u16>,
}

/// Edge-energy block size: 64 blocks across 1920 pixels, as gravity=auto uses.
const ENERGY_CELL: usize = 30;

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Deterministic noise with some smooth structure, so compressors and filters see image-like data.
fn test_pixels(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((i / 7) as u8).wrapping_add((state % 48) as u8)
        })
        .collect()
}

fn layout(id: u32) -> PixelLayout {
    match id {
        1 => PixelLayout::L8,
        3 => PixelLayout::Rgb8,
        _ => PixelLayout::Rgba8,
    }
}

fn backend(variant: u32) -> Option<Backend> {
    match variant {
        OURS_SCALAR => Some(Backend::Scalar),
        OURS_SIMD128 => Backend::from_name("simd128"),
        _ => None,
    }
}

/// 1 when this build has the explicit simd128 backend.
#[no_mangle]
pub extern "C" fn has_simd128() -> u32 {
    Backend::from_name("simd128").is_some() as u32
}

/// Prepares a resize of a `channels`-channel image; `filter` indexes `Filter::ALL`.
#[no_mangle]
pub extern "C" fn setup_resize(channels: u32, filter: u32, width: u32, height: u32, out_width: u32, out_height: u32) {
    let layout = layout(channels);
    let source = test_pixels((width * height) as usize * layout.channels(), 0x5EED);
    let image_crate = match layout {
        PixelLayout::L8 => image::GrayImage::from_raw(width, height, source.clone()).map(image::DynamicImage::from),
        PixelLayout::Rgb8 => image::RgbImage::from_raw(width, height, source.clone()).map(image::DynamicImage::from),
        PixelLayout::Rgba8 => image::RgbaImage::from_raw(width, height, source.clone()).map(image::DynamicImage::from),
    };
    let case = ResizeCase {
        layout,
        filter: Filter::ALL[filter as usize % Filter::ALL.len()],
        source,
        source_size: (width, height),
        output: vec![0; (out_width * out_height) as usize * layout.channels()],
        output_size: (out_width, out_height),
        fir: fir::Resizer::new(),
        image_crate: image_crate.expect("buffer matches its size"),
    };
    STATE.with(|state| state.borrow_mut().resize = Some(case));
}

/// Runs the prepared resize once with `variant`; returns 0 if this build lacks the variant or
/// the library lacks the filter.
#[no_mangle]
pub extern "C" fn run_resize(variant: u32) -> u32 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let Some(case) = state.resize.as_mut() else { return 0 };
        let ((w, h), (ow, oh)) = (case.source_size, case.output_size);
        let channels = case.layout.channels();
        match variant {
            OURS_SCALAR | OURS_SIMD128 => {
                let Some(backend) = backend(variant) else { return 0 };
                let src = ImageRef {
                    pixels: &case.source,
                    width: w as usize,
                    height: h as usize,
                    stride: w as usize * channels,
                    layout: case.layout,
                };
                let dst = ImageMut {
                    pixels: &mut case.output,
                    width: ow as usize,
                    height: oh as usize,
                    stride: ow as usize * channels,
                    layout: case.layout,
                };
                let region = SourceRegion::whole(w as usize, h as usize);
                kernels::resize(src, region, dst, case.filter, backend).is_ok() as u32
            }
            FAST_IMAGE_RESIZE => {
                let pixel_type = match case.layout {
                    PixelLayout::L8 => fir::PixelType::U8,
                    PixelLayout::Rgb8 => fir::PixelType::U8x3,
                    PixelLayout::Rgba8 => fir::PixelType::U8x4,
                };
                let algorithm = match case.filter {
                    Filter::Nearest => fir::ResizeAlg::Nearest,
                    Filter::Box => fir::ResizeAlg::Convolution(fir::FilterType::Box),
                    Filter::Bilinear => fir::ResizeAlg::Convolution(fir::FilterType::Bilinear),
                    Filter::CatmullRom => fir::ResizeAlg::Convolution(fir::FilterType::CatmullRom),
                    Filter::Mitchell => fir::ResizeAlg::Convolution(fir::FilterType::Mitchell),
                    Filter::Lanczos3 => fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3),
                };
                let Ok(src) = fir::images::ImageRef::new(w, h, &case.source, pixel_type) else { return 0 };
                let Ok(mut dst) = fir::images::Image::from_slice_u8(ow, oh, &mut case.output, pixel_type) else {
                    return 0;
                };
                // Alpha handling is timed separately (premultiply/unpremultiply), as for ours.
                let options = fir::ResizeOptions::new().resize_alg(algorithm).use_alpha(false);
                case.fir.resize(&src, &mut dst, &options).is_ok() as u32
            }
            IMAGE_CRATE => {
                let filter = match case.filter {
                    Filter::Nearest => image::imageops::FilterType::Nearest,
                    Filter::Bilinear => image::imageops::FilterType::Triangle,
                    Filter::CatmullRom => image::imageops::FilterType::CatmullRom,
                    Filter::Lanczos3 => image::imageops::FilterType::Lanczos3,
                    Filter::Box | Filter::Mitchell => return 0,
                };
                let resized = case.image_crate.resize_exact(ow, oh, filter);
                (resized.width() == ow) as u32
            }
            _ => 0,
        }
    })
}

/// Prepares an RGBA8 image for the alpha kernels.
#[no_mangle]
pub extern "C" fn setup_alpha(width: u32, height: u32) {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        state.alpha = test_pixels((width * height * 4) as usize, 0xA1FA);
        state.opaque = state.alpha.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
        state.alpha_size = (width, height);
    });
}

/// Alpha kernel ids, shared with run.mjs.
const PREMULTIPLY: u32 = 0;
const UNPREMULTIPLY: u32 = 1;
const IS_OPAQUE: u32 = 2;
const DROP_ALPHA: u32 = 3;

/// Runs alpha kernel `kernel` on the prepared image, in place (the opacity test and alpha
/// dropping on its opaque twin).
#[no_mangle]
pub extern "C" fn run_alpha(variant: u32, kernel: u32) -> u32 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let (w, h) = state.alpha_size;
        let (width, height, stride) = (w as usize, h as usize, w as usize * 4);
        match variant {
            OURS_SCALAR | OURS_SIMD128 => {
                let Some(backend) = backend(variant) else { return 0 };
                let pixels = if kernel >= IS_OPAQUE { &mut state.opaque } else { &mut state.alpha };
                let image = ImageMut { pixels, width, height, stride, layout: PixelLayout::Rgba8 };
                match kernel {
                    PREMULTIPLY => kernels::premultiply(image, backend).is_ok() as u32,
                    UNPREMULTIPLY => kernels::unpremultiply(image, backend).is_ok() as u32,
                    IS_OPAQUE => {
                        let view = ImageRef { pixels: image.pixels, width, height, stride, layout: PixelLayout::Rgba8 };
                        kernels::is_opaque(view, backend).is_ok() as u32
                    }
                    DROP_ALPHA => kernels::drop_alpha(image, backend).is_ok() as u32,
                    _ => 0,
                }
            }
            FAST_IMAGE_RESIZE if kernel <= UNPREMULTIPLY => {
                let divide = kernel == UNPREMULTIPLY;
                let Ok(mut image) = fir::images::Image::from_slice_u8(w, h, &mut state.alpha, fir::PixelType::U8x4)
                else {
                    return 0;
                };
                let mul_div = fir::MulDiv::new();
                let result = if divide {
                    mul_div.divide_alpha_inplace(&mut image)
                } else {
                    mul_div.multiply_alpha_inplace(&mut image)
                };
                result.is_ok() as u32
            }
            _ => 0,
        }
    })
}

/// Prepares a `channels`-channel image for the effect kernels.
#[no_mangle]
pub extern "C" fn setup_effect(channels: u32, width: u32, height: u32) {
    let layout = layout(channels);
    let len = (width * height) as usize * layout.channels();
    let case = EffectCase {
        layout,
        size: (width as usize, height as usize),
        source: test_pixels(len, 0xEFFEC7),
        output: vec![0; len],
        blurred: test_pixels(len, 0xB1),
        wide: vec![0; (width * height) as usize * 4],
        energy: Vec::new(),
        linear: vec![0; len],
        linear_small: vec![0; (width / 3 * (height / 3)) as usize * layout.channels()],
    };
    STATE.with(|state| state.borrow_mut().effect = Some(case));
}

/// Effect kernel ids, shared with run.mjs.
const ROTATE_90: u32 = 0;
const FLIP_HORIZONTAL: u32 = 1;
const COMPOSITE_OVER: u32 = 2;
const WIDEN_TO_RGBA: u32 = 3;
const TONE_CURVE: u32 = 4;
const SATURATE: u32 = 5;
const BLUR_SIGMA_2: u32 = 6;
const BLUR_SIGMA_20: u32 = 7;
const UNSHARP_MASK: u32 = 8;
const TRIM_SCAN: u32 = 9;
const EDGE_ENERGY: u32 = 10;
const LINEAR_LIGHT_RESIZE: u32 = 11;
const SRGB_RESIZE: u32 = 12;
const ICC_TO_SRGB: u32 = 13;

/// Runs effect kernel `kernel` on the prepared image with our `variant`.
#[no_mangle]
pub extern "C" fn run_effect(variant: u32, kernel: u32) -> u32 {
    let Some(backend) = backend(variant) else { return 0 };
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let Some(case) = state.effect.as_mut() else { return 0 };
        let ((width, height), layout) = (case.size, case.layout);
        let stride = width * layout.channels();
        let src = ImageRef { pixels: &case.source, width, height, stride, layout };
        let dst = ImageMut { pixels: &mut case.output, width, height, stride, layout };
        let in_place = ImageMut { pixels: &mut case.blurred, width, height, stride, layout };
        let done = match kernel {
            ROTATE_90 => {
                let turned = ImageMut {
                    pixels: &mut case.output,
                    width: height,
                    height: width,
                    stride: height * layout.channels(),
                    layout,
                };
                kernels::orient(src, turned, kernels::Orientation::clockwise(1), backend)
            }
            FLIP_HORIZONTAL => kernels::orient(src, dst, kernels::Orientation::new(false, true, false), backend),
            COMPOSITE_OVER => kernels::composite_over(in_place, [255, 255, 255, 255], backend),
            WIDEN_TO_RGBA => {
                let wide =
                    ImageMut { pixels: &mut case.wide, width, height, stride: width * 4, layout: PixelLayout::Rgba8 };
                kernels::widen(src, wide, backend)
            }
            TONE_CURVE => kernels::apply_lut(in_place, &kernels::tone_curve(1.1, 1.2, 1.0)),
            SATURATE => kernels::saturate(in_place, 1.5, backend),
            BLUR_SIGMA_2 => kernels::gaussian_blur(src, dst, 2.0, backend),
            BLUR_SIGMA_20 => kernels::gaussian_blur(src, dst, 20.0, backend),
            UNSHARP_MASK => {
                let soft = ImageRef { pixels: &case.blurred, width, height, stride, layout };
                kernels::unsharp_mask(dst, soft, 0.5, backend)
            }
            TRIM_SCAN => {
                // All background (the zeroed output): the worst case, every pixel is looked at.
                let plain = ImageRef { pixels: &case.output, width, height, stride, layout };
                let background = [0; 4];
                let found = kernels::content_bounds(plain, &background[..layout.channels()], 10, backend);
                found.map(|_| ())
            }
            EDGE_ENERGY => {
                kernels::EdgeEnergy::new(width, height, layout, ENERGY_CELL, backend).and_then(|mut energy| {
                    energy.push(src)?;
                    case.energy = energy.finish()?;
                    Ok(())
                })
            }
            LINEAR_LIGHT_RESIZE => {
                // gamma-correct=true's resize: to linear light, Lanczos3 to a third, back to sRGB.
                let channels = layout.channels();
                let (small_width, small_height) = (width / 3, height / 3);
                let linear = ImageMut { pixels: &mut case.linear, width, height, stride, layout };
                let converted = kernels::to_linear(src, linear);
                let linear = ImageRef { pixels: &case.linear, width, height, stride, layout };
                let small = ImageMut {
                    pixels: &mut case.linear_small,
                    width: small_width,
                    height: small_height,
                    stride: small_width * channels,
                    layout,
                };
                let whole = kernels::SourceRegion::whole(width, height);
                let resized = kernels::resize(linear, whole, small, kernels::Filter::Lanczos3, backend);
                let small = ImageRef {
                    pixels: &case.linear_small,
                    width: small_width,
                    height: small_height,
                    stride: small_width * channels,
                    layout,
                };
                let out = ImageMut {
                    pixels: &mut case.output,
                    width: small_width,
                    height: small_height,
                    stride: small_width * channels,
                    layout,
                };
                converted.and(resized).and_then(|()| kernels::from_linear(small, out))
            }
            SRGB_RESIZE => {
                // The same resize on sRGB bytes, for comparison.
                let (small_width, small_height) = (width / 3, height / 3);
                let stride = small_width * layout.channels();
                let out =
                    ImageMut { pixels: &mut case.output, width: small_width, height: small_height, stride, layout };
                kernels::resize(
                    src,
                    kernels::SourceRegion::whole(width, height),
                    out,
                    kernels::Filter::Lanczos3,
                    backend,
                )
            }
            ICC_TO_SRGB => {
                // An Adobe RGB (1998) image to sRGB, as decoding applies an embedded profile
                // (moxcms's code: the backend does not change it, the build's simd128 flag may). After the
                // first call the transform comes from the remembered profiles.
                let Ok(profile) = moxcms::ColorProfile::new_adobe_rgb().encode() else { return 0 };
                let Some(conversion) = image_worker::icc::ToSrgb::new(&profile, layout) else { return 0 };
                conversion.apply(&mut case.blurred);
                Ok(())
            }
            _ => return 0,
        };
        done.is_ok() as u32
    })
}

/// Inputs for the JPEG decoder's kernels at one image size: photo-like coefficient blocks,
/// subsampled chroma planes and full-size component planes.
struct JpegKernelCase {
    size: (usize, usize),
    blocks: Vec<[i16; 64]>,
    /// A plane the IDCTs write into (full size; the reduced ones use part of it).
    plane: Vec<u8>,
    /// Y, Cb, Cr at full size, and a chroma plane at half size each way.
    luma: Vec<u8>,
    cb: Vec<u8>,
    cr: Vec<u8>,
    half: Vec<u8>,
    /// The same Y, Cb and Cr as a planar resize writes them (16 times the sample).
    fine: [Vec<i16>; 3],
    /// An upsampled row, and the RGB output.
    row: Vec<u8>,
    rgb: Vec<u8>,
    /// For the encoder's kernels: RGB pixels, the Y, Cb and Cr they convert to, the quantizer
    /// of quality 84's Klein table, and one block's coefficients.
    rgb_in: Vec<u8>,
    converted: [Vec<u8>; 3],
    quantizer: kernels::Quantizer,
    coefficients: [i16; 64],
}

/// Blocks as a photo's non-flat ones (flat blocks skip the IDCT): about two in five with every
/// coefficient in the top-left 4 × 4, the rest with a dozen or two spread over the block, the
/// shares of the 13 MP corpus photo.
fn photo_like_blocks(count: usize) -> Vec<[i16; 64]> {
    let mut state = 0x1DC7_u64;
    let mut next = |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    (0..count)
        .map(|i| {
            let mut block = [0i16; 64];
            block[0] = next(2048) as i16 - 1024;
            let (side, terms) = if i % 5 < 2 { (4, 1 + next(10)) } else { (8, 8 + next(24)) };
            for _ in 0..terms {
                let at = (next(side) * 8 + next(side)) as usize;
                block[at] = (next(121) as i16 - 60) * (1 + next(6) as i16);
            }
            block
        })
        .collect()
}

/// Prepares the JPEG kernels' inputs for a `width` × `height` image (multiples of 16).
#[no_mangle]
pub extern "C" fn setup_jpeg_kernels(width: u32, height: u32) {
    let (width, height) = (width as usize, height as usize);
    let len = width * height;
    let (luma, cb, cr) = (test_pixels(len, 0x1), test_pixels(len, 0x2), test_pixels(len, 0x3));
    let fine = [&luma, &cb, &cr].map(|plane| plane.iter().map(|&v| i16::from(v) << kernels::FINE_BITS).collect());
    let case = JpegKernelCase {
        size: (width, height),
        blocks: photo_like_blocks(len / 64),
        plane: vec![0; len],
        luma,
        cb,
        cr,
        fine,
        half: test_pixels(len / 4, 0x4),
        row: vec![0; width],
        rgb: vec![0; len * 3],
        rgb_in: test_pixels(len * 3, 0x5),
        converted: [vec![0; len], vec![0; len], vec![0; len]],
        quantizer: kernels::Quantizer::new(&jpeg::encode::scaled_table(&jpeg::encode::KLEIN_SILVERSTEIN_CARNEY, 84.0)),
        coefficients: [0; 64],
    };
    STATE.with(|state| state.borrow_mut().jpeg = Some(case));
}

/// JPEG kernel ids, shared with run.mjs.
const IDCT_8X8: u32 = 0;
const IDCT_4X4: u32 = 1;
const IDCT_2X2: u32 = 2;
const UPSAMPLE_H2V2: u32 = 3;
const UPSAMPLE_H2: u32 = 4;
const UPSAMPLE_V2: u32 = 5;
const YCBCR_TO_RGB: u32 = 6;
const YCBCR_FINE_TO_RGB: u32 = 7;
const FDCT_QUANTIZE: u32 = 8;
const RGB_TO_YCBCR: u32 = 9;
const RGB_TO_YCBCR_H2V2: u32 = 10;
const IDCT_8X4: u32 = 11;

/// Runs JPEG kernel `kernel` over the prepared image with our `variant`: the IDCTs on every
/// block of a plane (at 1/1, 1/2, 1/4), the upsamplers making every full-size row of a chroma
/// plane, the conversions (from bytes, and from a planar resize's fine values) on every pixel;
/// and the encoder's: the forward DCT with quantization of every block of a plane, RGB to YCbCr
/// of every pixel at full chroma and at 4:2:0.
#[no_mangle]
pub extern "C" fn run_jpeg_kernel(variant: u32, kernel: u32) -> u32 {
    let Some(backend) = backend(variant) else { return 0 };
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let Some(case) = state.jpeg.as_mut() else { return 0 };
        let (width, height) = case.size;
        // Each block to `across` × `down` samples.
        let idct = |case: &mut JpegKernelCase,
                    (across, down): (usize, usize),
                    transform: fn(&[i16; 64], &mut [u8], usize, Backend) -> _| {
            let (stride, blocks_wide) = (width * across / 8, width / 8);
            case.blocks.iter().enumerate().try_for_each(|(i, block)| {
                let offset = (i / blocks_wide) * down * stride + (i % blocks_wide) * across;
                transform(block, &mut case.plane[offset..], stride, backend)
            })
        };
        let half_width = width / 2;
        let half_row = |y: usize| &case.half[y.min(height / 2 - 1) * half_width..][..half_width];
        let done = match kernel {
            IDCT_8X8 => idct(case, (8, 8), kernels::idct_8x8),
            IDCT_8X4 => idct(case, (8, 4), kernels::idct_8x4),
            IDCT_4X4 => idct(case, (4, 4), kernels::idct_4x4),
            IDCT_2X2 => idct(case, (2, 2), kernels::idct_2x2),
            UPSAMPLE_H2V2 => (0..height).try_for_each(|y| {
                let far = if y % 2 == 0 { (y / 2).saturating_sub(1) } else { y / 2 + 1 };
                kernels::upsample_h2v2(half_row(y / 2), half_row(far), &mut case.row, backend)
            }),
            UPSAMPLE_H2 => (0..height).try_for_each(|y| kernels::upsample_h2(half_row(y / 2), &mut case.row, backend)),
            UPSAMPLE_V2 => (0..height).try_for_each(|y| {
                let row = |y: usize| &case.luma[y.min(height / 2 - 1) * width..][..width];
                let far = if y % 2 == 0 { (y / 2).saturating_sub(1) } else { y / 2 + 1 };
                kernels::upsample_v2(row(y / 2), row(far), y % 2 == 1, &mut case.row, backend)
            }),
            YCBCR_TO_RGB => kernels::ycbcr_to_rgb(&case.luma, &case.cb, &case.cr, &mut case.rgb, backend),
            YCBCR_FINE_TO_RGB => {
                let [y, cb, cr] = &case.fine;
                kernels::ycbcr_fine_to_rgb(y, cb, cr, &mut case.rgb, backend)
            }
            FDCT_QUANTIZE => (0..height / 8).try_for_each(|by| {
                (0..width / 8).try_for_each(|bx| {
                    let block = &case.luma[8 * by * width + 8 * bx..];
                    kernels::fdct_quantize(block, width, &case.quantizer, &mut case.coefficients, backend).map(|_| ())
                })
            }),
            RGB_TO_YCBCR => {
                let [y, cb, cr] = &mut case.converted;
                kernels::rgb_to_ycbcr(&case.rgb_in, y, cb, cr, backend)
            }
            RGB_TO_YCBCR_H2V2 => {
                let [y, cb, cr] = &mut case.converted;
                let (rows, half_width) = (y.chunks_exact_mut(2 * width), width / 2);
                let chroma = cb.chunks_exact_mut(half_width).zip(cr.chunks_exact_mut(half_width));
                let pixels = case.rgb_in.chunks_exact(6 * width);
                pixels.zip(rows).zip(chroma).try_for_each(|((pixels, luma), (cb, cr))| {
                    let (top, bottom) = pixels.split_at(3 * width);
                    let (luma_top, luma_bottom) = luma.split_at_mut(width);
                    kernels::rgb_to_ycbcr_h2v2([top, bottom], [luma_top, luma_bottom], cb, cr, backend)
                })
            }
            _ => return 0,
        };
        done.is_ok() as u32
    })
}

/// A buffer of `len` bytes for the driver to copy a source file into.
#[no_mangle]
pub extern "C" fn input_buffer(len: u32) -> *mut u8 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        state.input = vec![0; len as usize];
        state.input.as_mut_ptr()
    })
}

/// JPEG in the input buffer → `width` px wide JPEG at `quality`; returns the output's size in
/// bytes (0 on failure).
#[no_mangle]
pub extern "C" fn run_pipeline(pipeline: u32, width: u32, quality: u32) -> u32 {
    STATE.with(|state| {
        let state = state.borrow();
        let output = match pipeline {
            PIPELINE_OURS => ours(&state.input, width, quality as u8),
            PIPELINE_BASELINE => baseline(&state.input, width, quality as u8),
            _ => None,
        };
        output.map_or(0, |bytes| bytes.len() as u32)
    })
}

fn ours(input: &[u8], width: u32, quality: u8) -> Option<Vec<u8>> {
    let options = TransformOptions {
        width: Some(width),
        quality,
        format: FormatRequest::Exactly(OutputFormat::Jpeg),
        ..TransformOptions::default()
    };
    let limits = Limits { max_input_pixels: 200_000_000, ..Limits::default() };
    image_worker::pipeline::transform(input, &options, None, &limits, Backend::best())
        .ok()
        .map(|transformed| transformed.bytes)
}

/// zune-jpeg + fast_image_resize + jpeg-encoder: a straightforward fast wasm stack.
fn baseline(input: &[u8], width: u32, quality: u8) -> Option<Vec<u8>> {
    let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(input));
    let pixels = decoder.decode().ok()?;
    let (w, h) = decoder.dimensions()?;
    let (w, h) = (w as u32, h as u32);
    let height = ((h as f64 * width as f64 / w as f64).round() as u32).max(1);
    let src = fir::images::ImageRef::new(w, h, &pixels, fir::PixelType::U8x3).ok()?;
    let mut dst = fir::images::Image::new(width, height, fir::PixelType::U8x3);
    let options = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new().resize(&src, &mut dst, &options).ok()?;
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(dst.buffer(), width as u16, height as u16, jpeg_encoder::ColorType::Rgb)
        .ok()?;
    Some(out)
}

/// Decodes the JPEG in the input buffer: 0 with zune-jpeg (the image crate's decoder), 1..=4 with
/// jpeg-decoder at scale 1, 1/2, 1/4, 1/8, 5..=8 with ours (the `jpeg` crate) at the same scales.
/// Returns the decoded size in bytes (0 on failure).
#[no_mangle]
pub extern "C" fn run_decode(kind: u32) -> u32 {
    STATE.with(|state| {
        let state = state.borrow();
        if kind == 0 {
            let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(&state.input));
            return decoder.decode().map_or(0, |p| p.len() as u32);
        }
        if kind >= 5 {
            let scale = 1u8 << (kind - 5).min(3);
            return jpeg::decode(&state.input, scale, u64::MAX, kernels::Backend::best())
                .map_or(0, |image| image.pixels.len() as u32);
        }
        let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(&state.input));
        let Some(info) = decoder.read_info().ok().and_then(|()| decoder.info()) else { return 0 };
        let divisor = 1u16 << (kind - 1).min(3);
        if decoder.scale(info.width.div_ceil(divisor), info.height.div_ceil(divisor)).is_err() {
            return 0;
        }
        decoder.decode().map_or(0, |p| p.len() as u32)
    })
}

/// Replaces the JPEG in the input buffer with a `width` × `height` q90 JPEG of the same picture
/// (Lanczos3-resized), for sizes the corpus has no photo of. Returns its size in bytes.
#[no_mangle]
pub extern "C" fn synthesize_jpeg(width: u32, height: u32) -> u32 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(&state.input));
        let Ok(pixels) = decoder.decode() else { return 0 };
        let Some((w, h)) = decoder.dimensions() else { return 0 };
        let Ok(src) = fir::images::ImageRef::new(w as u32, h as u32, &pixels, fir::PixelType::U8x3) else { return 0 };
        let mut dst = fir::images::Image::new(width, height, fir::PixelType::U8x3);
        if fir::Resizer::new().resize(&src, &mut dst, None).is_err() {
            return 0;
        }
        let mut out = Vec::new();
        let encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        if encoder.encode(dst.buffer(), width as u16, height as u16, jpeg_encoder::ColorType::Rgb).is_err() {
            return 0;
        }
        state.input = out;
        state.input.len() as u32
    })
}

/// Where the input buffer's bytes are (after `synthesize_jpeg` replaced them).
#[no_mangle]
pub extern "C" fn input_buffer_pointer() -> *const u8 {
    STATE.with(|state| state.borrow().input.as_ptr())
}

/// Encoders of the codec benchmark (benches/codecs.mjs).
const CODEC_JPEG: u32 = 0;
const CODEC_WEBP: u32 = 1;
const CODEC_AVIF: u32 = 2;
const CODEC_JPEG_ENCODER_DEFAULT: u32 = 3;

/// Resizes the source in the input buffer to `width` (never enlarging) with our pipeline, into
/// a lossless PNG and its pixels (grey or RGB) for `run_codec`; returns the PNG's size (0 on
/// failure).
#[no_mangle]
pub extern "C" fn prepare_codec(width: u32) -> u32 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let options = TransformOptions {
            width: Some(width),
            fit: image_worker::options::Fit::ScaleDown,
            format: FormatRequest::Exactly(OutputFormat::Png),
            ..TransformOptions::default()
        };
        // The lossless PNG of the 13 MP photo at 1600 px is over the Worker's memory budget (PNG
        // output counts 20 bytes a pixel); the budget is not what this benchmark measures.
        let limits = Limits { max_working_bytes: u64::MAX, ..Limits::default() };
        let Ok(png) = image_worker::pipeline::transform(&state.input, &options, None, &limits, Backend::best()) else {
            return 0;
        };
        // Grey stays grey, as in the pipeline (our JPEG encoder treats it apart).
        let Ok(decoded) = image::load_from_memory(&png.bytes) else { return 0 };
        let (w, h) = (decoded.width() as usize, decoded.height() as usize);
        let (pixels, layout) = match decoded {
            image::DynamicImage::ImageLuma8(grey) => (grey.into_raw(), PixelLayout::L8),
            other => (other.to_rgb8().into_raw(), PixelLayout::Rgb8),
        };
        state.codec_image = Some(kernels::Image { pixels, width: w, height: h, layout });
        state.codec_png = png.bytes;
        state.codec_png.len() as u32
    })
}

/// Encodes the prepared image with `codec` at our `quality`; returns the output's size (0 on
/// failure). The output stays in `codec_output_pointer`.
#[no_mangle]
pub extern "C" fn run_codec(codec: u32, quality: u32) -> u32 {
    use image_worker::codec::{encode, EncodeSettings};
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let Some(image) = state.codec_image.as_ref() else { return 0 };
        let settings = EncodeSettings { quality: quality as u8, exif: None, avif_allowance: u64::MAX };
        let output = match codec {
            CODEC_JPEG => encode(image, OutputFormat::Jpeg, &settings).ok(),
            CODEC_WEBP => encode(image, OutputFormat::Webp, &settings).ok(),
            CODEC_AVIF => encode(image, OutputFormat::Avif, &settings).ok(),
            CODEC_JPEG_ENCODER_DEFAULT => {
                let mut out = Vec::new();
                let color = match image.layout {
                    PixelLayout::L8 => jpeg_encoder::ColorType::Luma,
                    _ => jpeg_encoder::ColorType::Rgb,
                };
                jpeg_encoder::Encoder::new(&mut out, quality as u8)
                    .encode(&image.pixels, image.width as u16, image.height as u16, color)
                    .ok()
                    .map(|()| out)
            }
            _ => None,
        };
        state.codec_output = output.unwrap_or_default();
        state.codec_output.len() as u32
    })
}

#[no_mangle]
pub extern "C" fn codec_png_pointer() -> *const u8 {
    STATE.with(|state| state.borrow().codec_png.as_ptr())
}

#[no_mangle]
pub extern "C" fn codec_output_pointer() -> *const u8 {
    STATE.with(|state| state.borrow().codec_output.as_ptr())
}

/// Synthetic sources for the memory benchmark (benches/memory.mjs), which makes PNG and WebP
/// itself: a smooth picture with fine detail, as JPEG (baseline or progressive, q85) or GIF; and
/// an animated GIF of `NOISE_FRAMES` frames of noise (the most an animation can code).
const SOURCE_JPEG_BASELINE: u32 = 0;
const SOURCE_JPEG_PROGRESSIVE: u32 = 1;
const SOURCE_GIF: u32 = 2;
const SOURCE_GIF_NOISE_ANIMATION: u32 = 3;
const NOISE_FRAMES: usize = 24;

/// Replaces the input buffer with a synthetic `width` × `height` source of `kind`; returns its
/// size in bytes (0 on failure). Run it in an instance of its own: it grows memory.
#[no_mangle]
pub extern "C" fn synthesize_source(kind: u32, width: u32, height: u32) -> u32 {
    let (w, h) = (width as usize, height as usize);
    let sample = |x: usize, y: usize, c: usize| ((x * (3 + c) + y * (5 - c) + (x ^ y) % 7) % 256) as u8;
    let out = match kind {
        SOURCE_JPEG_BASELINE | SOURCE_JPEG_PROGRESSIVE => {
            let mut rgb = Vec::with_capacity(w * h * 3);
            for y in 0..h {
                for x in 0..w {
                    rgb.extend([sample(x, y, 0), sample(x, y, 1), sample(x, y, 2)]);
                }
            }
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
            encoder.set_progressive(kind == SOURCE_JPEG_PROGRESSIVE);
            encoder.encode(&rgb, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).ok().map(|()| out)
        }
        SOURCE_GIF => {
            let indices: Vec<u8> = (0..w * h).map(|i| sample(i % w, i / w, 0) >> 2).collect();
            let palette: Vec<u8> = (0..64u8).flat_map(|i| [i * 4, 255 - i * 4, i * 2]).collect();
            let mut out = Vec::new();
            let frame = gif::Frame::from_indexed_pixels(width as u16, height as u16, indices, None);
            gif::Encoder::new(&mut out, width as u16, height as u16, &palette)
                .and_then(|mut encoder| encoder.write_frame(&frame))
                .ok()
                .map(|()| out)
        }
        SOURCE_GIF_NOISE_ANIMATION => noise::noise_animation(width as u16, height as u16, NOISE_FRAMES).ok(),
        _ => None,
    };
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        state.input = out.unwrap_or_default();
        state.input.len() as u32
    })
}

/// A buffer of `len` bytes for the options (the URL grammar) `run_transform` applies.
#[no_mangle]
pub extern "C" fn options_buffer(len: u32) -> *mut u8 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        state.options = vec![0; len as usize];
        state.options.as_mut_ptr()
    })
}

/// The Worker's default limits with the memory budget given, for the memory benchmark.
fn memory_bench_limits(budget_mib: u32) -> Limits {
    Limits { max_working_bytes: u64::from(budget_mib) << 20, ..Limits::default() }
}

/// The source in the input buffer through the whole pipeline with the options in the options
/// buffer and a memory budget of `budget_mib` MiB (`Accept` of a browser that takes neither AVIF
/// nor WebP); returns the output's size, or 0 with the error's status in `last_status` and its
/// message at `last_message` (a budget of 0 makes the 413 tell the estimate).
#[no_mangle]
pub extern "C" fn run_transform(budget_mib: u32) -> u32 {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let limits = memory_bench_limits(budget_mib);
        let result = std::str::from_utf8(&state.options)
            .ok()
            .and_then(|text| TransformOptions::from_path_segment(text, &limits).ok())
            .ok_or((400, String::from("the options do not parse")))
            .and_then(|options| {
                image_worker::pipeline::transform(&state.input, &options, None, &limits, Backend::best())
                    .map_err(|error| (error.status(), error.message))
            });
        match result {
            Ok(transformed) => {
                state.last_status = 200;
                state.last_estimate = transformed.memory_estimate;
                transformed.bytes.len() as u32
            }
            Err((status, message)) => {
                state.last_status = u32::from(status);
                state.last_message = message;
                0
            }
        }
    })
}

/// The memory budget's estimate for the last `run_transform` that succeeded, in MiB (rounded up).
#[no_mangle]
pub extern "C" fn last_estimate_mib() -> u32 {
    STATE.with(|state| state.borrow().last_estimate.div_ceil(1 << 20) as u32)
}

/// The HTTP status of the last `run_transform`.
#[no_mangle]
pub extern "C" fn last_status() -> u32 {
    STATE.with(|state| state.borrow().last_status)
}

/// Where the last error's message is, and its length in bytes.
#[no_mangle]
pub extern "C" fn last_message() -> *const u8 {
    STATE.with(|state| state.borrow().last_message.as_ptr())
}

#[no_mangle]
pub extern "C" fn last_message_len() -> u32 {
    STATE.with(|state| state.borrow().last_message.len() as u32)
}
