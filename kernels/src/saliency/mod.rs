//! Edge energy for `gravity=auto`: how much detail each block of an image holds, as the sum over
//! its pixels and channels of the absolute differences to the pixel on the right and the pixel
//! below (zero past the last column and row). Busy, sharp regions score high; flat or blurred
//! backgrounds low. The sums are exact integers, so both backends agree bit for bit, and bands of
//! rows give the grid of the whole image.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageRef, KernelError, PixelLayout};

/// The number of `cell`-pixel blocks across `width` and down `height` (the last may be partial).
pub fn energy_grid_size(width: usize, height: usize, cell: usize) -> (usize, usize) {
    let cell = cell.max(1);
    (width.div_ceil(cell), height.div_ceil(cell))
}

/// The edge energy of each `cell` × `cell` block of a `width` × `height` image fed to it top to
/// bottom in bands of any heights. A row's energy needs the row below it, so each band's last row
/// waits for the next band's first.
pub struct EdgeEnergy {
    width: usize,
    height: usize,
    layout: PixelLayout,
    cell: usize,
    columns: usize,
    /// Row-major, [`energy_grid_size`] columns by rows.
    grid: Vec<u64>,
    /// The previous band's last row, not yet counted.
    pending: Vec<u8>,
    /// The first row of the next band.
    next_row: usize,
    backend: Backend,
}

impl EdgeEnergy {
    pub fn new(
        width: usize,
        height: usize,
        layout: PixelLayout,
        cell: usize,
        backend: Backend,
    ) -> Result<Self, KernelError> {
        if width == 0 || height == 0 {
            return Err(KernelError::EmptyImage);
        }
        if cell == 0 {
            return Err(KernelError::BadRegion);
        }
        let (columns, rows) = energy_grid_size(width, height, cell);
        let cells = columns.checked_mul(rows).ok_or(KernelError::TooLarge)?;
        let row_bytes = width.checked_mul(layout.channels()).ok_or(KernelError::TooLarge)?;
        Ok(EdgeEnergy {
            width,
            height,
            layout,
            cell,
            columns,
            grid: vec![0; cells],
            pending: Vec::with_capacity(row_bytes),
            next_row: 0,
            backend,
        })
    }

    /// The next rows of the image, in its layout and width.
    pub fn push(&mut self, band: ImageRef<'_>) -> Result<(), KernelError> {
        band.validate()?;
        if band.layout != self.layout {
            return Err(KernelError::LayoutMismatch);
        }
        if band.width != self.width || band.height > self.height - self.next_row {
            return Err(KernelError::BadRegion);
        }
        let row_bytes = self.width * self.layout.channels();
        let row = |y: usize| &band.pixels[y * band.stride..y * band.stride + row_bytes];
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.add_row(self.next_row - 1, &pending, row(0));
            self.pending = pending;
        }
        for y in 0..band.height - 1 {
            self.add_row(self.next_row + y, row(y), row(y + 1));
        }
        self.pending.clear();
        self.pending.extend_from_slice(row(band.height - 1));
        self.next_row += band.height;
        Ok(())
    }

    /// The grid, once every row has been pushed.
    pub fn finish(mut self) -> Result<Vec<u64>, KernelError> {
        if self.next_row < self.height {
            return Err(KernelError::MissingRows { next: self.next_row, needed: self.height });
        }
        // The last row has nothing below it: comparing it with itself adds nothing.
        let last = std::mem::take(&mut self.pending);
        self.add_row(self.height - 1, &last, &last);
        Ok(self.grid)
    }

    fn add_row(&mut self, y: usize, row: &[u8], below: &[u8]) {
        let (channels, cell) = (self.layout.channels(), self.cell);
        let sums = &mut self.grid[y / cell * self.columns..][..self.columns];
        match self.backend {
            Backend::Scalar => scalar::add_row_energy(row, below, channels, cell, sums),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => simd128::add_row_energy(row, below, channels, cell, sums),
        }
    }
}
