//! Each operation on real fixtures against an independent reference: moves of pixels (rotate,
//! flip, trim, EXIF orientation) exactly, or within a stated tolerance where lossy coding sits
//! between the two.

#[path = "../support/mod.rs"]
mod support;

use image::{imageops, DynamicImage, RgbImage};
use image_worker::config::Limits;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::Backend;
use support::{fixture as fixture_bytes, run, transformed};

fn mean_abs_difference(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| x.abs_diff(y) as u64).sum();
    total as f64 / a.as_raw().len() as f64
}

#[test]
fn every_exif_orientation_gives_the_same_upright_image() {
    // Pillow's hopper test images: one picture stored with orientations 2..=8, in JPEG and WebP.
    // Each was encoded separately after its transformation, so they agree only up to coding noise.
    let reference = run(&fixture_bytes("orientation/hopper_orientation_2.jpg"), "format=png").to_rgb8();
    // Orientation 2 is stored mirrored; the image crate (another JPEG decoder) does not turn it.
    let stored = image::load_from_memory(&fixture_bytes("orientation/hopper_orientation_2.jpg")).unwrap().to_rgb8();
    let difference = mean_abs_difference(&reference, &imageops::flip_horizontal(&stored));
    assert!(difference < 1.0, "orientation 2 is a mirror: mean difference {difference:.2}");
    for extension in ["jpg", "webp"] {
        for orientation in 2..=8 {
            let name = format!("orientation/hopper_orientation_{orientation}.{extension}");
            let upright = run(&fixture_bytes(&name), "format=png").to_rgb8();
            let difference = mean_abs_difference(&upright, &reference);
            // Measured: 0-3.9 for the JPEGs, 5.7 for the lossy WebPs; a wrong turn scores about 80.
            assert!(difference < 8.0, "{name}: mean difference {difference:.2} from the upright reference");
        }
    }
}

#[test]
fn rotations_and_flips_match_the_image_crate_exactly() {
    let source = fixture_bytes("chelsea.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let cases: [(&str, RgbImage); 6] = [
        ("rotate=90", imageops::rotate90(&original)),
        ("rotate=180", imageops::rotate180(&original)),
        ("rotate=270", imageops::rotate270(&original)),
        ("flip=h", imageops::flip_horizontal(&original)),
        ("flip=v", imageops::flip_vertical(&original)),
        // Flip first, then rotate, as Cloudflare orders them.
        ("flip=h,rotate=90", imageops::rotate90(&imageops::flip_horizontal(&original))),
    ];
    for (options, expected) in cases {
        let out = run(&source, &format!("{options},format=png")).to_rgb8();
        assert!(out == expected, "{options}");
    }
}

#[test]
fn trims_cut_exactly_before_rotation() {
    let source = fixture_bytes("chelsea.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let (width, height) = original.dimensions();
    let out = run(&source, "trim=10;20;30;40,rotate=90,format=png").to_rgb8();
    let cut = imageops::crop_imm(&original, 40, 10, width - 60, height - 40).to_image();
    assert!(out == imageops::rotate90(&cut));
    let corner = run(&source, "trim.left=5,trim.top=6,trim.width=100,trim.height=50,format=png").to_rgb8();
    assert!(corner == imageops::crop_imm(&original, 5, 6, 100, 50).to_image());
}

#[test]
fn colour_adjustments_match_a_float_reference() {
    let source = fixture_bytes("coffee.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let unit = |v: u8| v as f64 / 255.0;
    let level = |x: f64| (x.clamp(0.0, 1.0) * 255.0).round() as i32;
    // brightness, then contrast about mid-grey, then gamma (above 1 lightens): exact, as the
    // table is computed in floating point.
    for (brightness, contrast, gamma) in [(1.3, 1.0, 1.0), (1.0, 1.6, 1.0), (1.0, 1.0, 2.2), (0.8, 0.7, 0.5)] {
        let out =
            run(&source, &format!("brightness={brightness},contrast={contrast},gamma={gamma},format=png")).to_rgb8();
        for (&got, &was) in out.as_raw().iter().zip(original.as_raw()) {
            let x = ((unit(was) * brightness - 0.5) * contrast + 0.5).clamp(0.0, 1.0).powf(1.0 / gamma);
            assert_eq!(got as i32, level(x), "brightness={brightness},contrast={contrast},gamma={gamma}");
        }
    }
    // Saturation as CSS saturate(): within one level (8-bit fixed-point luma and factor).
    for saturation in [0.0, 0.5, 1.5] {
        let out = run(&source, &format!("saturation={saturation},format=png")).to_rgb8();
        for (got, was) in out.pixels().zip(original.pixels()) {
            let [r, g, b] = was.0.map(unit);
            let luma = 0.213 * r + 0.715 * g + 0.072 * b;
            for (&channel, value) in got.0.iter().zip([r, g, b]) {
                let expected = level(luma + (value - luma) * saturation);
                assert!((channel as i32 - expected).abs() <= 1, "saturation={saturation}: {channel} vs {expected}");
            }
        }
    }
}

/// A separable f64 Gaussian over an RGB image, weights cut at 3 sigma and renormalized at the
/// edges (the edge handling the blur kernel documents).
fn reference_blur(image: &RgbImage, sigma: f64) -> Vec<f64> {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pass = |input: &[f64], len: usize, lines: usize, at: &dyn Fn(usize, usize) -> usize| -> Vec<f64> {
        let mut out = vec![0.0; input.len()];
        let reach = (3.0 * sigma).ceil() as isize;
        for line in 0..lines {
            for i in 0..len {
                let mut sums = [0.0; 3];
                let mut total = 0.0;
                for j in (i as isize - reach).max(0)..(i as isize + reach + 1).min(len as isize) {
                    let x = (j - i as isize) as f64;
                    if x.abs() > 3.0 * sigma {
                        continue;
                    }
                    let w = (-x * x / (2.0 * sigma * sigma)).exp();
                    total += w;
                    for c in 0..3 {
                        sums[c] += w * input[at(line, j as usize) * 3 + c];
                    }
                }
                for c in 0..3 {
                    out[at(line, i) * 3 + c] = sums[c] / total;
                }
            }
        }
        out
    };
    let pixels: Vec<f64> = image.as_raw().iter().map(|&v| v as f64).collect();
    let rows = pass(&pixels, width, height, &|y, x| y * width + x);
    pass(&rows, height, width, &|x, y| y * width + x)
}

#[test]
fn blur_matches_a_float_gaussian() {
    let source = fixture_bytes("coffee.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    // Radius = 2 sigma. Measured mean/max differences in levels: direct (sigma 1.5) 0.25/0.5;
    // through a reduced image (sigma 10, 125) 0.29/4.1 and 0.36/5.1, as the tent filter that
    // scales back is not exactly Gaussian. A 1-level mean error is invisible in a blur.
    for (radius, mean_bound, max_bound) in [(3.0, 0.5, 1.0), (20.0, 1.0, 6.0), (250.0, 1.0, 6.0)] {
        let out = run(&source, &format!("blur={radius},format=png")).to_rgb8();
        let reference = reference_blur(&original, radius / 2.0);
        let differences: Vec<f64> =
            out.as_raw().iter().zip(&reference).map(|(&got, &want)| (got as f64 - want).abs()).collect();
        let mean = differences.iter().sum::<f64>() / differences.len() as f64;
        let max = differences.iter().cloned().fold(0.0, f64::max);
        assert!(mean <= mean_bound && max <= max_bound, "blur={radius}: mean {mean:.3}, max {max:.2}");
    }
}

#[test]
fn sharpening_raises_local_contrast_and_keeps_flat_areas() {
    let flat = image::RgbImage::from_pixel(16, 16, image::Rgb([90, 140, 200]));
    let mut png = Vec::new();
    DynamicImage::from(flat.clone()).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    assert!(run(&png, "sharpen=10,format=png").to_rgb8() == flat, "nothing to sharpen in a flat image");
    let source = fixture_bytes("coffee.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let sharpened = run(&source, "sharpen=2,format=png").to_rgb8();
    let energy =
        |image: &RgbImage| -> f64 { image.as_raw().windows(4).map(|w| (w[3] as f64 - w[0] as f64).abs()).sum() };
    assert!(energy(&sharpened) > energy(&original) * 1.05);
}

fn gif_frames(bytes: &[u8]) -> Vec<image::Frame> {
    use image::AnimationDecoder;
    image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).unwrap().into_frames().collect_frames().unwrap()
}

#[test]
fn animations_stay_animated_unless_asked_otherwise() {
    let fire = fixture_bytes("fire.gif");
    let source_frames = gif_frames(&fire);
    let out = transformed(&fire, "width=20");
    assert_eq!(out.content_type, "image/gif");
    let frames = gif_frames(&out.bytes);
    assert_eq!(frames.len(), source_frames.len());
    assert_eq!(frames[0].buffer().width(), 20);
    // Frame timing survives.
    assert_eq!(frames[1].delay(), source_frames[1].delay());
    // anim=false, or another format, keeps the first frame only.
    assert_eq!(transformed(&fire, "width=20,anim=false").content_type, "image/png");
    assert_eq!(transformed(&fire, "width=20,format=webp").content_type, "image/webp");
    // A still image asked for as GIF is a one-frame GIF.
    let still = transformed(&fixture_bytes("chelsea.png"), "width=50,format=gif");
    assert_eq!(gif_frames(&still.bytes).len(), 1);
    // The output area of all frames together is limited.
    let limits = Limits { max_output_pixels: 20 * 20 * source_frames.len() as u64 - 1, ..Limits::default() };
    let options = TransformOptions::from_path_segment("width=20,height=20,fit=squeeze", &limits).unwrap();
    let error = transform(&fire, &options, None, &limits, Backend::Scalar).unwrap_err();
    assert!(error.message.contains("anim=false"), "{}", error.message);
}

/// `image` on a `margins`-wide (left, top, right, bottom) frame of `colour` varied by up to
/// `noise` per channel, as PNG.
fn framed_png(image: &RgbImage, margins: (u32, u32, u32, u32), colour: [u8; 3], noise: u8) -> Vec<u8> {
    let (left, top, right, bottom) = margins;
    let (width, height) = (image.width() + left + right, image.height() + top + bottom);
    let mut seed = 7u32;
    let mut canvas = RgbImage::from_fn(width, height, |_, _| {
        image::Rgb(colour.map(|c| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let jitter = ((seed >> 16) % (2 * noise as u32 + 1)) as i32 - noise as i32;
            (c as i32 + jitter).clamp(0, 255) as u8
        }))
    });
    imageops::replace(&mut canvas, image, left as i64, top as i64);
    let mut png = Vec::new();
    DynamicImage::ImageRgb8(canvas).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

#[test]
fn trim_border_finds_the_picture_inside_a_noisy_frame() {
    let original = image::load_from_memory(&fixture_bytes("chelsea.png")).unwrap().to_rgb8();
    let (width, height) = original.dimensions();
    // A frame unequal on every side whose pixels lie within the default tolerance (10 levels) of
    // its top-left pixel, which gives the colour.
    let source = framed_png(&original, (30, 12, 7, 50), [200, 220, 240], 5);
    let trimmed = run(&source, "trim=border,format=png").to_rgb8();
    assert!(trimmed == original, "trimmed to {:?}, picture is {width}x{height}", trimmed.dimensions());
    let kept = run(&source, "trim=border,trim.border.keep=5,format=png").to_rgb8();
    assert_eq!(kept.dimensions(), (width + 10, height + 10));
    // A tolerance below the noise keeps the frame; an explicit colour that is not the frame's
    // trims nothing either.
    let strict = run(&source, "trim.border.tolerance=2,format=png").to_rgb8();
    assert_eq!(strict.dimensions(), (width + 37, height + 62));
    let elsewhere = run(&source, "trim.border.color=black,format=png").to_rgb8();
    assert_eq!(elsewhere.dimensions(), (width + 37, height + 62));
    // Trimming happens before resizing: the output is the picture scaled, not the frame.
    let resized = run(&source, "trim=border,width=200,format=png").to_rgb8();
    assert_eq!(resized.dimensions(), (200, (200.0 * height as f64 / width as f64).round() as u32));
}

/// The left edge of the `crop`-wide window of `canvas` that `out` matches best.
fn best_match(canvas: &RgbImage, out: &RgbImage) -> (u32, f64) {
    (0..=canvas.width() - out.width())
        .map(|left| {
            (left, mean_abs_difference(&imageops::crop_imm(canvas, left, 0, out.width(), out.height()).to_image(), out))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

#[test]
fn gravity_auto_crops_to_the_detailed_part() {
    // The photograph in the right third of a plain, faintly noisy canvas three times as wide.
    let photo = image::load_from_memory(&fixture_bytes("chelsea.png")).unwrap().to_rgb8();
    let (width, height) = photo.dimensions();
    let source = framed_png(&photo, (2 * width, 0, 0, 0), [90, 120, 90], 3);
    let canvas = image::load_from_memory(&source).unwrap().to_rgb8();
    let out = run(&source, &format!("width={height},height={height},fit=cover,gravity=auto,format=png")).to_rgb8();
    let (left, difference) = best_match(&canvas, &out);
    assert!(difference < 2.0, "the crop is a piece of the canvas (mean difference {difference:.2})");
    assert!(
        (2 * width..=3 * width - height).contains(&left),
        "crop at {left}, photo spans {}..{}",
        2 * width,
        3 * width
    );
    let centred = run(&source, &format!("width={height},height={height},fit=cover,format=png")).to_rgb8();
    assert!(best_match(&canvas, &centred).0 < 2 * width, "without auto the crop is centred");

    // Turned a quarter clockwise, the photo is at the bottom: the crop follows it there.
    // Turned back, the crop is a window of the canvas.
    let out =
        run(&source, &format!("rotate=90,width={height},height={height},fit=cover,gravity=auto,format=png")).to_rgb8();
    let (top, difference) = best_match(&canvas, &imageops::rotate270(&out));
    assert!(difference < 2.0, "the turned crop is a piece of the turned canvas ({difference:.2})");
    assert!(top >= 2 * width, "crop starts {top} px down the turned canvas, the photo {} px", 2 * width);
}

/// `image` as PNG or JPEG (quality 95) with `icc` embedded.
fn tagged(image: &RgbImage, icc: &[u8], format: image::ImageFormat) -> Vec<u8> {
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    let (width, height) = image.dimensions();
    let result = match format {
        image::ImageFormat::Png => {
            let mut encoder = image::codecs::png::PngEncoder::new(&mut bytes);
            encoder.set_icc_profile(icc.to_vec()).unwrap();
            encoder.write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        }
        _ => {
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
            encoder.set_icc_profile(icc.to_vec()).unwrap();
            encoder.write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        }
    };
    result.unwrap();
    bytes
}

/// Display P3 pixels in sRGB, in floating point: both use the sRGB transfer curve; the matrix
/// takes linear P3 to linear sRGB (both D65), out-of-gamut colours clipped.
fn display_p3_to_srgb(image: &RgbImage) -> RgbImage {
    const P3_TO_SRGB: [[f64; 3]; 3] = [
        [1.224_940_2, -0.224_940_4, 0.0],
        [-0.042_056_95, 1.042_057_1, 0.0],
        [-0.019_637_55, -0.078_636_05, 1.098_273_6],
    ];
    let linear = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let encoded = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        let v = if v <= 0.003_130_8 { v * 12.92 } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
        (v * 255.0).round() as u8
    };
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        let rgb = pixel.0.map(linear);
        pixel.0 = P3_TO_SRGB.map(|row| encoded(row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]));
    }
    out
}

fn max_abs_difference(a: &RgbImage, b: &RgbImage) -> u8 {
    a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| x.abs_diff(y)).max().unwrap()
}

#[test]
fn icc_profiles_are_converted_to_srgb() {
    let photo = image::load_from_memory(&fixture_bytes("chelsea.png")).unwrap().to_rgb8();
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let expected = display_p3_to_srgb(&photo);
    let out = run(&tagged(&photo, &p3, image::ImageFormat::Png), "format=png").to_rgb8();
    let (mean, max) = (mean_abs_difference(&out, &expected), max_abs_difference(&out, &expected));
    // Measured: mean 0.03, max 1 (rounding in the 8-bit transform).
    assert!(mean < 0.1 && max <= 2, "P3 PNG against the float conversion: mean {mean:.3}, max {max}");
    assert!(mean_abs_difference(&out, &photo) > 1.0, "the conversion changed the colours");

    // JPEG carries its profile in APP2 segments; the decoders differ by a level here and there.
    let jpeg = tagged(&photo, &p3, image::ImageFormat::Jpeg);
    let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let out = run(&jpeg, "format=png").to_rgb8();
    let mean = mean_abs_difference(&out, &display_p3_to_srgb(&decoded));
    // Measured: mean 0.09.
    assert!(mean < 0.5, "P3 JPEG against the float conversion: mean {mean:.3}");

    // sRGB under its own profile is left exactly as it is, and so is an unreadable profile.
    let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
    assert!(run(&tagged(&photo, &srgb, image::ImageFormat::Png), "format=png").to_rgb8() == photo);
    let broken: Vec<u8> = p3.iter().enumerate().map(|(i, &b)| if i > 128 { b ^ 0x5a } else { b }).collect();
    assert!(run(&tagged(&photo, &broken, image::ImageFormat::Png), "format=png").to_rgb8() == photo);
}
