//! Orientation: the scalar kernel against the definition, and every backend against scalar, for
//! all eight orientations, all layouts, widths 1..=40 and padded strides.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{orient, Backend, ImageMut, ImageRef, Orientation};
use support::{assert_backends_agree, assert_guards_intact, random_image, Rng, GUARD, LAYOUTS};

fn all_orientations() -> impl Iterator<Item = Orientation> {
    (0..8).map(|bits| Orientation::new(bits & 4 != 0, bits & 2 != 0, bits & 1 != 0))
}

#[test]
fn orientation_matches_the_definition_and_scalar() {
    let mut rng = Rng(0x0123_4567);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for width in 1..=40 {
            let height = rng.range(1, 40);
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            let src = ImageRef { pixels: &pixels, width, height, stride, layout };
            for orientation in all_orientations() {
                let (out_width, out_height) = orientation.size(width, height);
                let out_stride = out_width * channels + [0, 2][rng.below(2)];
                let what = format!("{layout:?} {width}x{height} {orientation:?}");
                let reference = assert_backends_agree(&what, |backend| {
                    let mut out = vec![GUARD; out_stride * out_height];
                    let dst =
                        ImageMut { pixels: &mut out, width: out_width, height: out_height, stride: out_stride, layout };
                    orient(src, dst, orientation, backend).unwrap();
                    out
                });
                assert_guards_intact(&reference, out_stride, out_width * channels, &what);
                // The definition: source pixel (x, y) lands where `orientation` sends it.
                for (y, row) in pixels.chunks(stride).enumerate() {
                    for x in 0..width {
                        let region = kernels::SourceRegion { left: x as f64, top: y as f64, width: 1.0, height: 1.0 };
                        let moved = orientation.region(region, width, height);
                        let at = moved.top as usize * out_stride + moved.left as usize * channels;
                        assert_eq!(&reference[at..at + channels], &row[x * channels..(x + 1) * channels], "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn mismatched_destinations_are_refused() {
    let pixels = [0u8; 6];
    let src = ImageRef { pixels: &pixels, width: 3, height: 2, stride: 3, layout: kernels::PixelLayout::L8 };
    let mut out = [0u8; 6];
    let dst = ImageMut { pixels: &mut out, width: 3, height: 2, stride: 3, layout: kernels::PixelLayout::L8 };
    assert!(orient(src, dst, Orientation::clockwise(1), Backend::Scalar).is_err());
}
