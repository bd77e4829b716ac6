//! Colour adjustments: table lookups against their definition, and saturation on every backend
//! against scalar, bit for bit, for all layouts, widths 1..=40 and padded strides.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{apply_lut, saturate, tone_curve, ImageMut, PixelLayout};
use support::{assert_backends_agree, random_image, Rng, LAYOUTS};

fn run(
    pixels: &[u8],
    layout: PixelLayout,
    width: usize,
    height: usize,
    stride: usize,
    kernel: impl Fn(ImageMut<'_>),
) -> Vec<u8> {
    let mut out = pixels.to_vec();
    kernel(ImageMut { pixels: &mut out, width, height, stride, layout });
    out
}

#[test]
fn lookup_tables_map_colour_and_keep_alpha() {
    let mut rng = Rng(23);
    for layout in LAYOUTS {
        for width in 1..=40 {
            let height = rng.range(1, 4);
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            let mut lut = [0u8; 256];
            rng.fill(&mut lut);
            let reference = run(&pixels, layout, width, height, stride, |image| apply_lut(image, &lut).unwrap());
            for (y, (row, original)) in reference.chunks(stride).zip(pixels.chunks(stride)).enumerate() {
                for (i, (&out, &was)) in row.iter().zip(original).enumerate() {
                    let expected = if i >= width * layout.channels() || (layout == PixelLayout::Rgba8 && i % 4 == 3) {
                        was
                    } else {
                        lut[was as usize]
                    };
                    assert_eq!(out, expected, "{layout:?} width {width} row {y} byte {i}");
                }
            }
        }
    }
    assert_eq!(tone_curve(1.0, 1.0, 1.0), core::array::from_fn(|v| v as u8));
}

#[test]
fn saturation_matches_scalar() {
    let mut rng = Rng(29);
    for layout in LAYOUTS {
        for width in 1..=40 {
            let height = rng.range(1, 3);
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            for factor in [0.0, 0.37, 1.0, 2.5, 100.0] {
                let what = format_args!("saturate {layout:?} width {width} factor {factor}");
                let reference = assert_backends_agree(what, |backend| {
                    run(&pixels, layout, width, height, stride, |image| saturate(image, factor, backend).unwrap())
                });
                if factor == 1.0 || layout == PixelLayout::L8 {
                    assert!(reference == pixels, "{layout:?} factor {factor} changes nothing");
                }
                if factor == 0.0 && layout != PixelLayout::L8 {
                    let channels = layout.channels();
                    for row in reference.chunks(stride) {
                        for pixel in row[..width * channels].chunks_exact(channels) {
                            assert!(pixel[0] == pixel[1] && pixel[1] == pixel[2], "grey at factor 0");
                        }
                    }
                }
            }
        }
    }
}
