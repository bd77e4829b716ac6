//! Trim detection (`trim=border`): content bounds on every backend against scalar and the
//! definition, for all layouts, widths 1..=40 and some wide rows, padded strides, tolerances and
//! random borders.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{content_bounds, Backend, Bounds, ImageRef, PixelLayout};
use support::{assert_backends_agree, random_image, Rng, LAYOUTS};

/// Content bounds by their definition, pixel by pixel.
fn expected_bounds(image: ImageRef<'_>, background: &[u8], tolerance: u8) -> Option<Bounds> {
    let channels = image.layout.channels();
    let mut bounds: Option<Bounds> = None;
    for y in 0..image.height {
        for x in 0..image.width {
            let pixel = &image.pixels[y * image.stride + x * channels..][..channels];
            if pixel.iter().zip(background).any(|(&v, &b)| v.abs_diff(b) > tolerance) {
                let b = bounds.get_or_insert(Bounds { left: x, top: y, right: x + 1, bottom: y + 1 });
                *b = Bounds {
                    left: b.left.min(x),
                    top: b.top.min(y),
                    right: b.right.max(x + 1),
                    bottom: b.bottom.max(y + 1),
                };
            }
        }
    }
    bounds
}

#[test]
fn trim_detection_matches_its_definition() {
    let mut rng = Rng(41);
    let widths = (1..=40).chain([63, 64, 65, 200]);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for width in widths.clone() {
            let height = rng.range(1, 12);
            let (mut pixels, stride) = random_image(&mut rng, layout, width, height);
            let background: Vec<u8> = (0..channels).map(|_| rng.next() as u8).collect();
            let tolerance = [0u8, 3, 40, 255][rng.below(4)];
            // A border within the tolerance around a random box of random content (or none).
            let (left, top) = (rng.below(width + 1), rng.below(height + 1));
            let (right, bottom) = (rng.range(left, width), rng.range(top, height));
            for y in 0..height {
                for x in 0..width {
                    if (left..right).contains(&x) && (top..bottom).contains(&y) {
                        continue;
                    }
                    for (c, &b) in background.iter().enumerate() {
                        let jitter = rng.below(tolerance as usize + 1) as u8;
                        let byte = &mut pixels[y * stride + x * channels + c];
                        *byte = if rng.below(2) == 0 { b.saturating_add(jitter) } else { b.saturating_sub(jitter) };
                    }
                }
            }
            let image = ImageRef { pixels: &pixels, width, height, stride, layout };
            let what = format!("{layout:?} {width}x{height} tolerance {tolerance}");
            let found =
                assert_backends_agree(&what, |backend| content_bounds(image, &background, tolerance, backend).unwrap());
            assert_eq!(found, expected_bounds(image, &background, tolerance), "{what}");
        }
    }
}

#[test]
fn trim_detection_refuses_a_background_of_the_wrong_layout() {
    let pixels = [0u8; 12];
    let image = ImageRef { pixels: &pixels, width: 1, height: 1, stride: 4, layout: PixelLayout::Rgba8 };
    assert!(content_bounds(image, &[0, 0, 0], 0, Backend::Scalar).is_err());
}
