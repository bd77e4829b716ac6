//! Alpha kernels: premultiplying, unpremultiplying, compositing, the opacity test and dropping
//! alpha, every backend against scalar bit for bit, for widths 1..=40 and padded strides, with
//! the edge alphas 0 and 255 common.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{
    composite_over, drop_alpha, is_opaque, premultiply, unpremultiply, Backend, ImageMut, ImageRef, KernelError,
    PixelLayout,
};
use support::{assert_backends_agree, random_image, Rng};

/// An RGBA8 image over `pixels`.
fn rgba(pixels: &mut [u8], width: usize, height: usize, stride: usize) -> ImageMut<'_> {
    ImageMut { pixels, width, height, stride, layout: PixelLayout::Rgba8 }
}

/// A copy of `pixels` after `kernel` ran on it in place.
fn in_place(
    pixels: &[u8],
    (width, height, stride): (usize, usize, usize),
    kernel: impl Fn(ImageMut<'_>) -> Result<(), KernelError>,
) -> Vec<u8> {
    let mut out = pixels.to_vec();
    kernel(rgba(&mut out, width, height, stride)).unwrap();
    out
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
        let size = (width, height, stride);
        let premultiplied = assert_backends_agree(format_args!("premultiply at width {width}"), |backend| {
            in_place(&pixels, size, |image| premultiply(image, backend))
        });
        // Unpremultiply arbitrary bytes too (colour above alpha happens after ringing).
        for (what, input) in [("arbitrary bytes", &pixels), ("the premultiplied image", &premultiplied)] {
            assert_backends_agree(format_args!("unpremultiply of {what} at width {width}"), |backend| {
                in_place(input, size, |image| unpremultiply(image, backend))
            });
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
            assert_backends_agree(format_args!("is_opaque at {width}x{height}"), |backend| {
                is_opaque(view, backend).unwrap()
            });

            let tight: Vec<u8> = pixels.chunks(stride).flat_map(|row| row[..width * 4].to_vec()).collect();
            let expected: Vec<u8> = tight.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            let dropped = assert_backends_agree(format_args!("drop_alpha at {width}x{height}"), |backend| {
                let mut out = tight.clone();
                let len = drop_alpha(rgba(&mut out, width, height, width * 4), backend).unwrap();
                out.truncate(len);
                out
            });
            assert_eq!(dropped, expected, "drop_alpha at {width}x{height}");
        }
    }
}

#[test]
fn compositing_matches_scalar() {
    let mut rng = Rng(13);
    for width in 1..=40 {
        let height = rng.range(1, 4);
        let (mut pixels, stride) = random_image(&mut rng, PixelLayout::Rgba8, width, height);
        premultiply(rgba(&mut pixels, width, height, stride), Backend::Scalar).unwrap();
        let background =
            [rng.below(256) as u8, rng.below(256) as u8, rng.below(256) as u8, [255, 0, 128][rng.below(3)]];
        let reference = assert_backends_agree(format_args!("composite_over at width {width}"), |backend| {
            in_place(&pixels, (width, height, stride), |image| composite_over(image, background, backend))
        });
        if background[3] == 255 {
            let view = ImageRef { pixels: &reference, width, height, stride, layout: PixelLayout::Rgba8 };
            assert!(is_opaque(view, Backend::Scalar).unwrap(), "over an opaque background");
        }
    }
}
