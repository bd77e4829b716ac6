//! Edge energy for `gravity=auto`: how much detail each block of an image holds, as the sum over
//! its pixels and channels of the absolute differences to the pixel on the right and the pixel
//! below (zero past the last column and row). Busy, sharp regions score high; flat or blurred
//! backgrounds low. The sums are exact integers, so both backends agree bit for bit.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageRef, KernelError};

/// The number of `cell`-pixel blocks across `width` and down `height` (the last may be partial).
pub fn energy_grid_size(width: usize, height: usize, cell: usize) -> (usize, usize) {
    let cell = cell.max(1);
    (width.div_ceil(cell), height.div_ceil(cell))
}

/// Fills `grid` (row-major, [`energy_grid_size`] columns by rows) with the edge energy of each
/// `cell` × `cell` block of `image`.
pub fn edge_energy(image: ImageRef<'_>, cell: usize, grid: &mut [u64], backend: Backend) -> Result<(), KernelError> {
    image.validate()?;
    let (columns, rows) = energy_grid_size(image.width, image.height, cell);
    if cell == 0 || grid.len() < columns * rows {
        return Err(KernelError::BadRegion);
    }
    grid.fill(0);
    let channels = image.layout.channels();
    let row_bytes = image.width * channels;
    let row = |y: usize| &image.pixels[y * image.stride..y * image.stride + row_bytes];
    for y in 0..image.height {
        // The last row has nothing below it: comparing it with itself adds nothing.
        let below = row((y + 1).min(image.height - 1));
        let sums = &mut grid[y / cell * columns..][..columns];
        match backend {
            Backend::Scalar => scalar::add_row_energy(row(y), below, channels, cell, sums),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => simd128::add_row_energy(row(y), below, channels, cell, sums),
        }
    }
    Ok(())
}
