//! Layout widening (`kernels::widen`, in `kernels/src/convert/`): grey to RGB8 and RGBA8, and RGB8
//! to RGBA8, against the definition and on every backend against scalar, for widths 1..=40 and
//! padded strides.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{widen, ImageMut, ImageRef, PixelLayout};
use support::{assert_backends_agree, assert_guards_intact, random_image, Rng, GUARD};

#[test]
fn widening_matches_the_definition_and_scalar() {
    let mut rng = Rng(17);
    let pairs = [
        (PixelLayout::L8, PixelLayout::Rgb8),
        (PixelLayout::L8, PixelLayout::Rgba8),
        (PixelLayout::Rgb8, PixelLayout::Rgba8),
    ];
    for (from, to) in pairs {
        for width in 1..=40 {
            let height = rng.range(1, 4);
            let (pixels, stride) = random_image(&mut rng, from, width, height);
            let src = ImageRef { pixels: &pixels, width, height, stride, layout: from };
            let out_stride = width * to.channels() + [0, 3][rng.below(2)];
            let what = format!("{from:?} -> {to:?} at width {width}");
            let reference = assert_backends_agree(&what, |backend| {
                let mut out = vec![GUARD; out_stride * height];
                widen(src, ImageMut { pixels: &mut out, width, height, stride: out_stride, layout: to }, backend)
                    .unwrap();
                out
            });
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
        }
    }
}
