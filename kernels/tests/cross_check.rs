//! Every backend must reproduce the scalar reference bit for bit. Under
//! `cargo test --target wasm32-unknown-unknown` these run in node's V8 with the simd128 backend.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{
    composite_over, drop_alpha, is_opaque, premultiply, resize, unpremultiply, widen, Backend, Filter, ImageMut,
    ImageRef, PixelLayout, SourceRegion,
};
use support::{assert_guards_intact, Rng, GUARD, LAYOUTS};

/// Output size as a fraction of input size, from 1/16x down to 8x up.

const SCALES: [f64; 10] = [1.0 / 16.0, 1.0 / 7.0, 1.0 / 3.0, 0.5, 0.7, 1.0, 1.5, 2.0, 5.0, 8.0];

struct Case {
    layout: PixelLayout,
    filter: Filter,
    width: usize,
    height: usize,
    stride: usize,
    pixels: Vec<u8>,
    region: SourceRegion,
    out_width: usize,
    out_height: usize,
    out_stride: usize,
}

impl Case {
    fn random(rng: &mut Rng, layout: PixelLayout, filter: Filter, scale: f64) -> Case {
        let channels = layout.channels();
        let width = rng.range(1, 40);
        let height = rng.range(1, 40);
        // Odd padding exercises unaligned rows; zero padding the tight case.
        let stride = width * channels + [0, 1, 3, 7][rng.below(4)];
        let mut pixels = vec![0u8; stride * height];
        rng.fill(&mut pixels);
        // A third of the cases crop a fractional region, as fit=cover does.
        let region = if rng.below(3) == 0 {
            let w = width as f64 * (0.3 + 0.7 * rng.unit());
            let h = height as f64 * (0.3 + 0.7 * rng.unit());
            SourceRegion {
                left: (width as f64 - w) * rng.unit(),
                top: (height as f64 - h) * rng.unit(),
                width: w,
                height: h,
            }
        } else {
            SourceRegion::whole(width, height)
        };
        let out_width = ((region.width * scale).round() as usize).max(1);
        let out_height = ((region.height * scale * (0.8 + 0.4 * rng.unit())).round() as usize).max(1);
        let out_stride = out_width * channels + [0, 1, 5][rng.below(3)];
        Case { layout, filter, width, height, stride, pixels, region, out_width, out_height, out_stride }
    }

    fn run(&self, backend: Backend) -> Vec<u8> {
        let mut out = vec![GUARD; self.out_stride * self.out_height];
        let src = ImageRef {
            pixels: &self.pixels,
            width: self.width,
            height: self.height,
            stride: self.stride,
            layout: self.layout,
        };
        let dst = ImageMut {
            pixels: &mut out,
            width: self.out_width,
            height: self.out_height,
            stride: self.out_stride,
            layout: self.layout,
        };
        resize(src, self.region, dst, self.filter, backend).expect("valid case");
        out
    }

    fn describe(&self) -> String {
        format!(
            "{:?} {:?} {}x{} (stride {}) region {:?} -> {}x{} (stride {})",
            self.layout,
            self.filter,
            self.width,
            self.height,
            self.stride,
            self.region,
            self.out_width,
            self.out_height,
            self.out_stride
        )
    }
}

#[test]
fn simd128_backend_is_compiled_into_wasm_builds() {
    if cfg!(target_arch = "wasm32") {
        assert_eq!(Backend::best().name(), "simd128", "wasm tests must build with +simd128");
    }
}

#[test]
fn resize_matches_scalar_for_every_layout_filter_and_scale() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cases = 0;
    for layout in LAYOUTS {
        for filter in Filter::ALL {
            for scale in SCALES {
                for _ in 0..6 {
                    let case = Case::random(&mut rng, layout, filter, scale);
                    let reference = case.run(Backend::Scalar);
                    assert_guards_intact(
                        &reference,
                        case.out_stride,
                        case.out_width * layout.channels(),
                        &case.describe(),
                    );
                    for &backend in Backend::available() {
                        let out = case.run(backend);
                        assert!(out == reference, "{} differs from scalar: {}", backend.name(), case.describe());
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 3 * 6 * 10 * 6);
}

#[test]
fn sixteenfold_downscale_of_wide_images_matches_scalar() {
    // Widths 1..=40 cannot show a real 1/16 reduction; these can.
    let mut rng = Rng(42);
    for layout in LAYOUTS {
        for filter in Filter::ALL {
            let channels = layout.channels();
            let (width, height) = (rng.range(300, 700), rng.range(17, 64));
            let mut pixels = vec![0u8; width * height * channels];
            rng.fill(&mut pixels);
            let case = Case {
                layout,
                filter,
                width,
                height,
                stride: width * channels,
                pixels,
                region: SourceRegion::whole(width, height),
                out_width: width / 16,
                out_height: height.div_ceil(16),
                out_stride: (width / 16) * channels,
            };
            let reference = case.run(Backend::Scalar);
            for &backend in Backend::available() {
                assert!(case.run(backend) == reference, "{} differs: {}", backend.name(), case.describe());
            }
        }
    }
}

#[test]
fn alpha_kernels_match_scalar() {
    let mut rng = Rng(7);
    for width in 1..=40 {
        let height = rng.range(1, 5);
        let stride = width * 4 + [0, 1, 3][rng.below(3)];
        let mut pixels = vec![0u8; stride * height];
        rng.fill(&mut pixels);
        // Make the edge alphas (0 and 255) common.
        for pixel in pixels.chunks_exact_mut(4).step_by(3) {
            pixel[3] = if rng.below(2) == 0 { 0 } else { 255 };
        }
        let mut reference = pixels.clone();
        fn rgba(pixels: &mut [u8], width: usize, height: usize, stride: usize) -> ImageMut<'_> {
            ImageMut { pixels, width, height, stride, layout: PixelLayout::Rgba8 }
        }
        premultiply(rgba(&mut reference, width, height, stride), Backend::Scalar).unwrap();
        let mut reference_back = reference.clone();
        unpremultiply(rgba(&mut reference_back, width, height, stride), Backend::Scalar).unwrap();
        for &backend in Backend::available() {
            let mut out = pixels.clone();
            premultiply(rgba(&mut out, width, height, stride), backend).unwrap();
            assert!(out == reference, "premultiply {} differs at width {width}", backend.name());
            // Unpremultiply arbitrary bytes too (colour above alpha happens after ringing).
            let mut raw = pixels.clone();
            let mut raw_reference = pixels.clone();
            unpremultiply(rgba(&mut raw, width, height, stride), backend).unwrap();
            unpremultiply(rgba(&mut raw_reference, width, height, stride), Backend::Scalar).unwrap();
            assert!(raw == raw_reference, "unpremultiply {} differs at width {width}", backend.name());
            unpremultiply(rgba(&mut out, width, height, stride), backend).unwrap();
            assert!(out == reference_back, "round trip {} differs at width {width}", backend.name());
        }
    }
}

#[test]
fn opacity_test_and_alpha_dropping_match_scalar() {
    let mut rng = Rng(11);
    for width in 1..=40 {
        for _ in 0..4 {
            let height = rng.range(1, 5);
            let stride = width * 4 + [0, 0, 1, 3][rng.below(4)];
            let mut pixels = vec![0u8; stride * height];
            rng.fill(&mut pixels);
            // Opaque, except (in three cases out of four) one pixel anywhere, tails included.
            for row in pixels.chunks_mut(stride) {
                for pixel in row[..width * 4].chunks_exact_mut(4) {
                    pixel[3] = 255;
                }
            }
            if rng.below(4) != 0 {
                let (x, y) = (rng.below(width), rng.below(height));
                pixels[y * stride + x * 4 + 3] = rng.below(255) as u8;
            }
            let view = ImageRef { pixels: &pixels, width, height, stride, layout: PixelLayout::Rgba8 };
            let reference = is_opaque(view, Backend::Scalar).unwrap();
            for &backend in Backend::available() {
                assert_eq!(is_opaque(view, backend).unwrap(), reference, "{} at {width}x{height}", backend.name());
            }

            let tight: Vec<u8> = pixels.chunks(stride).flat_map(|row| row[..width * 4].to_vec()).collect();
            let expected: Vec<u8> = tight.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            for &backend in Backend::available() {
                let mut out = tight.clone();
                let image = ImageMut { pixels: &mut out, width, height, stride: width * 4, layout: PixelLayout::Rgba8 };
                let len = drop_alpha(image, backend).unwrap();
                assert_eq!(&out[..len], &expected[..], "drop_alpha {} at {width}x{height}", backend.name());
            }
        }
    }
}

#[test]
fn compositing_matches_scalar() {
    let mut rng = Rng(13);
    for width in 1..=40 {
        let height = rng.range(1, 4);
        let (mut pixels, stride) = support::random_image(&mut rng, PixelLayout::Rgba8, width, height);
        premultiply(
            ImageMut { pixels: &mut pixels, width, height, stride, layout: PixelLayout::Rgba8 },
            Backend::Scalar,
        )
        .unwrap();
        let background =
            [rng.below(256) as u8, rng.below(256) as u8, rng.below(256) as u8, [255, 0, 128][rng.below(3)]];
        let run = |backend| {
            let mut out = pixels.clone();
            let image = ImageMut { pixels: &mut out, width, height, stride, layout: PixelLayout::Rgba8 };
            composite_over(image, background, backend).unwrap();
            out
        };
        let reference = run(Backend::Scalar);
        if background[3] == 255 {
            let view = ImageRef { pixels: &reference, width, height, stride, layout: PixelLayout::Rgba8 };
            assert!(is_opaque(view, Backend::Scalar).unwrap(), "over an opaque background");
        }
        for &backend in Backend::available() {
            assert!(run(backend) == reference, "composite_over {} differs at width {width}", backend.name());
        }
    }
}

#[test]
fn widening_matches_scalar() {
    let mut rng = Rng(17);
    let pairs = [
        (PixelLayout::L8, PixelLayout::Rgb8),
        (PixelLayout::L8, PixelLayout::Rgba8),
        (PixelLayout::Rgb8, PixelLayout::Rgba8),
    ];
    for (from, to) in pairs {
        for width in 1..=40 {
            let height = rng.range(1, 4);
            let (pixels, stride) = support::random_image(&mut rng, from, width, height);
            let src = ImageRef { pixels: &pixels, width, height, stride, layout: from };
            let out_stride = width * to.channels() + [0, 3][rng.below(2)];
            let run = |backend| {
                let mut out = vec![GUARD; out_stride * height];
                widen(src, ImageMut { pixels: &mut out, width, height, stride: out_stride, layout: to }, backend)
                    .unwrap();
                out
            };
            let reference = run(Backend::Scalar);
            let what = format!("{from:?} -> {to:?} at width {width}");
            assert_guards_intact(&reference, out_stride, width * to.channels(), &what);
            for (y, row) in reference.chunks(out_stride).enumerate() {
                for x in 0..width {
                    let input = &pixels[y * stride + x * from.channels()..][..from.channels()];
                    let output = &row[x * to.channels()..][..to.channels()];
                    let expected: Vec<u8> = match input {
                        [grey] => vec![*grey; 3],
                        colour => colour.to_vec(),
                    };
                    assert_eq!(&output[..3], &expected[..], "{what}");
                    assert!(output.len() == 3 || output[3] == 255, "{what}");
                }
            }
            for &backend in Backend::available() {
                assert!(run(backend) == reference, "{} differs: {what}", backend.name());
            }
        }
    }
}
