//! Blur and unsharp mask: every backend against scalar, bit for bit, for all layouts, widths
//! 1..=40, padded strides, and sigmas on both sides of the direct/reduced switch.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{gaussian_blur, unsharp_mask, ImageMut, ImageRef, MAX_DIRECT_SIGMA};
use support::{assert_backends_agree, assert_guards_intact, random_image, Rng, GUARD, LAYOUTS};

#[test]
fn blur_matches_scalar() {
    let mut rng = Rng(31);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for width in 1..=40 {
            let height = rng.range(1, 24);
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            let src = ImageRef { pixels: &pixels, width, height, stride, layout };
            for sigma in [0.4, 1.0, MAX_DIRECT_SIGMA, 7.5, 60.0] {
                let out_stride = width * channels + [0, 5][rng.below(2)];
                let what = format!("{layout:?} {width}x{height} sigma {sigma}");
                let reference = assert_backends_agree(&what, |backend| {
                    let mut out = vec![GUARD; out_stride * height];
                    let dst = ImageMut { pixels: &mut out, width, height, stride: out_stride, layout };
                    gaussian_blur(src, dst, sigma, backend).unwrap();
                    out
                });
                assert_guards_intact(&reference, out_stride, width * channels, &what);
            }
        }
    }
}

#[test]
fn unsharp_mask_matches_scalar() {
    let mut rng = Rng(37);
    for layout in LAYOUTS {
        for width in 1..=40 {
            let height = rng.range(1, 4);
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            let (blurred, blurred_stride) = random_image(&mut rng, layout, width, height);
            let soft = ImageRef { pixels: &blurred, width, height, stride: blurred_stride, layout };
            for amount in [0.0, 0.5, 1.0, 5.0, 50.0] {
                let what = format_args!("{layout:?} width {width} amount {amount}");
                let reference = assert_backends_agree(what, |backend| {
                    let mut out = pixels.clone();
                    unsharp_mask(ImageMut { pixels: &mut out, width, height, stride, layout }, soft, amount, backend)
                        .unwrap();
                    out
                });
                if amount == 0.0 {
                    assert!(reference == pixels, "amount 0 changes nothing");
                }
            }
        }
    }
}
