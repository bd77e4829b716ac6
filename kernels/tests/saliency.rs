//! Edge energy (`gravity=auto`): the grid of each block's detail on every backend against scalar
//! and the definition, for all layouts, widths 1..=40 and some wide rows, cell sizes, padded
//! strides and random contents, fed whole and in bands of random heights.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{energy_grid_size, Backend, EdgeEnergy, ImageRef, KernelError};
use support::{assert_backends_agree, random_image, Rng, LAYOUTS};

#[test]
fn edge_energy_matches_its_definition() {
    let mut rng = Rng(43);
    let widths = (1..=40).chain([64, 97]);
    for layout in LAYOUTS {
        let channels = layout.channels();
        for width in widths.clone() {
            let height = rng.range(1, 19);
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
            let grid = assert_backends_agree(&what, |backend| banded_energy(image, cell, &[height], backend));
            assert_eq!(grid, expected, "{what}");
            // Bands of random heights (a band's last row waits for the next band's first).
            let mut bands = Vec::new();
            let mut left = height;
            while left > 0 {
                let band = rng.range(1, left.min(5));
                bands.push(band);
                left -= band;
            }
            let banded = assert_backends_agree(&what, |backend| banded_energy(image, cell, &bands, backend));
            assert_eq!(banded, expected, "{what} in bands {bands:?}");
        }
    }
}

/// The grid of `image` fed to [`EdgeEnergy`] in bands of the given heights.
fn banded_energy(image: ImageRef<'_>, cell: usize, bands: &[usize], backend: Backend) -> Vec<u64> {
    let mut energy = EdgeEnergy::new(image.width, image.height, image.layout, cell, backend).unwrap();
    let mut top = 0;
    for &rows in bands {
        let pixels = &image.pixels[top * image.stride..];
        energy.push(ImageRef { pixels, height: rows, ..image }).unwrap();
        top += rows;
    }
    energy.finish().unwrap()
}

#[test]
fn edge_energy_refuses_missing_and_extra_rows() {
    let pixels = [7u8; 4 * 3];
    let layout = kernels::PixelLayout::L8;
    let image = ImageRef { pixels: &pixels, width: 4, height: 3, stride: 4, layout };
    let mut energy = EdgeEnergy::new(4, 3, layout, 2, Backend::Scalar).unwrap();
    energy.push(ImageRef { height: 2, ..image }).unwrap();
    assert_eq!(energy.push(image).err(), Some(KernelError::BadRegion));
    assert_eq!(energy.finish().err(), Some(KernelError::MissingRows { next: 2, needed: 3 }));
}
