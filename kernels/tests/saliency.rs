//! Edge energy (`gravity=auto`): the grid of each block's detail on every backend against scalar
//! and the definition, for all layouts, widths 1..=40 and some wide rows, cell sizes, padded
//! strides and random contents.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{edge_energy, energy_grid_size, ImageRef};
use support::{assert_backends_agree, random_image, Rng, LAYOUTS};

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
            let what = format!("{layout:?} {width}x{height} cell {cell}");
            let grid = assert_backends_agree(&what, |backend| {
                let mut grid = vec![u64::MAX; columns * rows];
                edge_energy(image, cell, &mut grid, backend).unwrap();
                grid
            });
            assert_eq!(grid, expected, "{what}");
        }
    }
}
