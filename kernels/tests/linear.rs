//! Gamma-correct resizing: the 12-bit linear resize on every backend against scalar, bit for bit
//! (all layouts and filters, widths 1..=40, crops, padded strides, and a 1/16 reduction), and the
//! sRGB ↔ linear conversions against their definitions.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{
    from_linear, resize, to_linear, Backend, Filter, ImageMut, ImageRef, PixelLayout, SourceRegion, LINEAR_MAX,
};
use support::{assert_backends_agree, random_region, Rng, LAYOUTS};

const GUARD: u16 = 0xA5A5;

/// Random linear samples; a quarter of them at the extremes, where overshoot is clipped.
fn linear_samples(rng: &mut Rng, len: usize) -> Vec<u16> {
    (0..len)
        .map(|_| match rng.below(8) {
            0 => 0,
            1 => LINEAR_MAX,
            _ => rng.below(LINEAR_MAX as usize + 1) as u16,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn resize_linear(
    pixels: &[u16],
    layout: PixelLayout,
    (width, height, stride): (usize, usize, usize),
    region: SourceRegion,
    (out_width, out_height, out_stride): (usize, usize, usize),
    filter: Filter,
    backend: Backend,
) -> Vec<u16> {
    let mut out = vec![GUARD; out_stride * out_height];
    let src = ImageRef { pixels, width, height, stride, layout };
    let dst = ImageMut { pixels: &mut out, width: out_width, height: out_height, stride: out_stride, layout };
    resize(src, region, dst, filter, backend).unwrap();
    out
}

#[test]
fn linear_resize_matches_scalar() {
    let mut rng = Rng(53);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for filter in Filter::ALL {
            for scale in [1.0 / 16.0, 1.0 / 3.0, 0.5, 0.7, 1.0, 2.0, 5.0] {
                for _ in 0..4 {
                    let (width, height) = (rng.range(1, 40), rng.range(1, 40));
                    let stride = width * channels + [0, 1, 3][rng.below(3)];
                    let pixels = linear_samples(&mut rng, stride * height);
                    let region = random_region(&mut rng, width, height);
                    let out_width = ((region.width * scale).round() as usize).max(1);
                    let out_height = ((region.height * scale).round() as usize).max(1);
                    let out = (out_width, out_height, out_width * channels + [0, 2][rng.below(2)]);
                    let what = format_args!("{layout:?} {filter:?} {width}x{height} {region:?} -> {out:?}");
                    let reference = assert_backends_agree(what, |backend| {
                        resize_linear(&pixels, layout, (width, height, stride), region, out, filter, backend)
                    });
                    for row in reference.chunks(out.2) {
                        assert!(row[out_width * channels..].iter().all(|&v| v == GUARD), "wrote past a row");
                        assert!(row[..out_width * channels].iter().all(|&v| v <= LINEAR_MAX), "stays within 12 bits");
                    }
                }
            }
            // A real 1/16 reduction needs wider rows.
            let (width, height) = (rng.range(300, 500), rng.range(17, 40));
            let pixels = linear_samples(&mut rng, width * height * channels);
            let out = (width / 16, height.div_ceil(16), width / 16 * channels);
            let whole = SourceRegion::whole(width, height);
            assert_backends_agree(format_args!("{layout:?} {filter:?} 1/16"), |backend| {
                resize_linear(&pixels, layout, (width, height, width * channels), whole, out, filter, backend)
            });
        }
    }
}

fn round_trip(pixels: &[u8], layout: PixelLayout, width: usize) -> (Vec<u16>, Vec<u8>) {
    let height = pixels.len() / (width * layout.channels());
    let stride = width * layout.channels();
    let mut linear = vec![0u16; pixels.len()];
    to_linear(
        ImageRef { pixels, width, height, stride, layout },
        ImageMut { pixels: &mut linear, width, height, stride, layout },
    )
    .unwrap();
    let mut back = vec![0u8; pixels.len()];
    from_linear(
        ImageRef { pixels: &linear, width, height, stride, layout },
        ImageMut { pixels: &mut back, width, height, stride, layout },
    )
    .unwrap();
    (linear, back)
}

#[test]
fn opaque_pixels_survive_the_round_trip_through_linear_light() {
    let every_level: Vec<u8> = (0..=255).collect();
    let (linear, back) = round_trip(&every_level, PixelLayout::L8, 256);
    assert_eq!(back, every_level);
    assert!(linear.windows(2).all(|pair| pair[0] < pair[1]), "levels stay distinct and ordered");
    assert_eq!((linear[0], linear[128], linear[255]), (0, 884, LINEAR_MAX), "mid-grey is 21.6% light");
    let colours: Vec<u8> = (0..=255).flat_map(|v| [v, 255 - v, v / 2]).collect();
    assert_eq!(round_trip(&colours, PixelLayout::Rgb8, 256).1, colours);
    let opaque: Vec<u8> = (0..=255).flat_map(|v| [v, 255 - v, v / 2, 255]).collect();
    assert_eq!(round_trip(&opaque, PixelLayout::Rgba8, 256).1, opaque);
}

#[test]
fn translucent_pixels_keep_alpha_exactly_and_colour_closely() {
    let mut rng = Rng(59);
    let mut pixels = vec![0u8; 4096 * 4];
    rng.fill(&mut pixels);
    let (linear, back) = round_trip(&pixels, PixelLayout::Rgba8, 4096);
    for ((pixel, out), premultiplied) in pixels.chunks_exact(4).zip(back.chunks_exact(4)).zip(linear.chunks_exact(4)) {
        assert_eq!(out[3], pixel[3], "alpha");
        assert!(premultiplied[..3].iter().all(|&c| c <= premultiplied[3]), "premultiplied colour is at most alpha");
        if pixel[3] == 0 {
            assert_eq!(out, [0, 0, 0, 0]);
        } else if pixel[3] >= 64 {
            // Premultiplying rounds to 1/4095 of alpha: dark colours of faint pixels lose most.
            let worst = pixel[..3].iter().zip(&out[..3]).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 4, "{pixel:?} came back as {out:?}");
        }
    }
}
