//! Content analysis: trim detection and edge energy on every backend against their definitions,
//! for all layouts, widths 1..=40 (and some wide rows), padded strides and random contents.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{content_bounds, edge_energy, energy_grid_size, Backend, Bounds, ImageRef, PixelLayout};
use support::{random_image, Rng, LAYOUTS};

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
            let expected = expected_bounds(image, &background, tolerance);
            for &backend in Backend::available() {
                let found = content_bounds(image, &background, tolerance, backend).unwrap();
                assert_eq!(found, expected, "{} {layout:?} {width}x{height} tolerance {tolerance}", backend.name());
            }
        }
    }
}

#[test]
fn trim_detection_refuses_a_background_of_the_wrong_layout() {
    let pixels = [0u8; 12];
    let image = ImageRef { pixels: &pixels, width: 1, height: 1, stride: 4, layout: PixelLayout::Rgba8 };
    assert!(content_bounds(image, &[0, 0, 0], 0, Backend::Scalar).is_err());
}

#[test]
fn edge_energy_matches_its_definition() {
    let mut rng = Rng(43);
    let widths = (1..=40).chain([64, 97]);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for width in widths.clone() {
            let height = rng.range(1, 9);
            let cell = [1, 3, 7, 16, 33][rng.below(5)];
            let (pixels, stride) = random_image(&mut rng, layout, width, height);
            let image = ImageRef { pixels: &pixels, width, height, stride, layout };
            let (columns, rows) = energy_grid_size(width, height, cell);
            let mut expected = vec![0u64; columns * rows];
            let at = |x: usize, y: usize, c: usize| pixels[y * stride + x * channels + c];
            for y in 0..height {
                for x in 0..width {
                    for c in 0..channels {
                        let right = if x + 1 < width { at(x, y, c).abs_diff(at(x + 1, y, c)) } else { 0 };
                        let down = if y + 1 < height { at(x, y, c).abs_diff(at(x, y + 1, c)) } else { 0 };
                        expected[y / cell * columns + x / cell] += right as u64 + down as u64;
                    }
                }
            }
            for &backend in Backend::available() {
                let mut grid = vec![u64::MAX; columns * rows];
                edge_energy(image, cell, &mut grid, backend).unwrap();
                assert_eq!(grid, expected, "{} {layout:?} {width}x{height} cell {cell}", backend.name());
            }
        }
    }
}
