//! What the decoded pixels decide about geometry: the box `trim=border` keeps, and the crop
//! point `gravity=auto` picks. Both look at the stored (not yet oriented) image, possibly shrunk
//! on load, and answer in the terms `geometry` plans with. Both take the image in bands of rows,
//! top to bottom ([`BorderScan`], [`FocusScan`]), so a streamed source never needs to be whole;
//! a whole image is one band.

use kernels::{
    content_bounds, energy_grid_size, Backend, Bounds, EdgeEnergy, Image, ImageRef, Orientation, PixelLayout,
    SourceRegion,
};

use crate::error::TransformError;
use crate::geometry::{Placement, Size};
use crate::options::{Gravity, TrimBorder};

/// Cells across the longer side of the edge-energy grid `gravity=auto` scores crops on: fine
/// enough to place a crop within a couple of percent, coarse enough to ignore texture.
const FOCUS_GRID_CELLS: usize = 64;

/// The part of `image` (the stored image, EXIF orientation `exif`, decoded at full size) inside
/// its uniform border, widened by `settings.keep` pixels; `None` when everything is border.
pub fn border_box(
    image: &Image,
    exif: Orientation,
    settings: TrimBorder,
    backend: Backend,
) -> Result<Option<SourceRegion>, TransformError> {
    let corner = border_corner(settings, exif, image.width, image.height).map(|(x, y)| {
        let (channels, at) = (image.layout.channels(), y * image.width + x);
        image.pixels.get(at * channels..(at + 1) * channels).unwrap_or_default()
    });
    let mut scan = BorderScan::new(image.width, image.height, image.layout, settings, corner, backend)?;
    scan.push(image.view())?;
    Ok(scan.finish())
}

/// Where in the stored image (`width` × `height`, EXIF orientation `exif`) the border colour is
/// read: the upright image's top-left pixel; `None` when the options give the colour.
pub fn border_corner(settings: TrimBorder, exif: Orientation, width: usize, height: usize) -> Option<(usize, usize)> {
    if settings.colour.is_some() {
        return None;
    }
    let (upright_width, upright_height) = exif.size(width, height);
    let pixel = SourceRegion { left: 0.0, top: 0.0, width: 1.0, height: 1.0 };
    let corner = exif.inverse().region(pixel, upright_width, upright_height);
    Some((corner.left as usize, corner.top as usize))
}

/// The box `trim=border` keeps, from bands of the stored image's rows, top to bottom.
pub struct BorderScan {
    background: Vec<u8>,
    tolerance: u8,
    keep: usize,
    width: usize,
    height: usize,
    /// The content found so far, in rows of the whole image.
    bounds: Option<Bounds>,
    /// The first row of the next band.
    next_row: usize,
    backend: Backend,
}

impl BorderScan {
    /// A scan of a `width` × `height` image in `layout`, whose border colour is the options' or
    /// else `corner` (the pixel at [`border_corner`]).
    pub fn new(
        width: usize,
        height: usize,
        layout: PixelLayout,
        settings: TrimBorder,
        corner: Option<&[u8]>,
        backend: Backend,
    ) -> Result<Self, TransformError> {
        let background: Vec<u8> = match (settings.colour, corner) {
            (Some(colour), _) => match layout {
                // Rec. 601 luma, as grey decoders produce it.
                PixelLayout::L8 => {
                    vec![((299 * colour.r as u32 + 587 * colour.g as u32 + 114 * colour.b as u32 + 500) / 1000) as u8]
                }
                PixelLayout::Rgb8 => vec![colour.r, colour.g, colour.b],
                PixelLayout::Rgba8 => vec![colour.r, colour.g, colour.b, colour.a],
            },
            (None, Some(pixel)) if pixel.len() == layout.channels() => pixel.to_vec(),
            (None, _) => return Err(TransformError::bad_option("trim=border on an empty image")),
        };
        let (tolerance, keep) = (settings.tolerance, settings.keep as usize);
        Ok(BorderScan { background, tolerance, keep, width, height, bounds: None, next_row: 0, backend })
    }

    /// The next rows of the image.
    pub fn push(&mut self, band: ImageRef<'_>) -> Result<(), TransformError> {
        let found = content_bounds(band, &self.background, self.tolerance, self.backend)?;
        let top = self.next_row;
        self.next_row += band.height;
        let Some(found) = found else { return Ok(()) };
        let found = Bounds { top: top + found.top, bottom: top + found.bottom, ..found };
        self.bounds = Some(match self.bounds {
            None => found,
            Some(seen) => Bounds {
                left: seen.left.min(found.left),
                top: seen.top,
                right: seen.right.max(found.right),
                bottom: found.bottom,
            },
        });
        Ok(())
    }

    /// The box, widened by `keep` pixels; `None` when everything is border.
    pub fn finish(self) -> Option<SourceRegion> {
        let (bounds, keep) = (self.bounds?, self.keep);
        let (left, top) = (bounds.left.saturating_sub(keep), bounds.top.saturating_sub(keep));
        let (right, bottom) =
            (bounds.right.saturating_add(keep).min(self.width), bounds.bottom.saturating_add(keep).min(self.height));
        Some(SourceRegion {
            left: left as f64,
            top: top as f64,
            width: (right - left) as f64,
            height: (bottom - top) as f64,
        })
    }
}

/// The gravity point that puts `placement`'s crop where `image` (the stored image of `stored`
/// size, maybe shrunk on load) has the most edge energy; ties go to the crop nearest the centre.
pub fn focus(image: &Image, placement: &Placement, stored: Size, backend: Backend) -> Result<Gravity, TransformError> {
    let mut scan = FocusScan::new(image.width, image.height, image.layout, backend)?;
    scan.push(image.view())?;
    Ok(scan.finish()?.focus(placement, stored))
}

/// The edge energy `gravity=auto` scores crops on, from bands of the (decoded) stored image's
/// rows, top to bottom.
pub struct FocusScan {
    energy: EdgeEnergy,
    cell: usize,
    width: usize,
    height: usize,
}

impl FocusScan {
    pub fn new(width: usize, height: usize, layout: PixelLayout, backend: Backend) -> Result<Self, TransformError> {
        let cell = (width.max(height) / FOCUS_GRID_CELLS).max(1);
        Ok(FocusScan { energy: EdgeEnergy::new(width, height, layout, cell, backend)?, cell, width, height })
    }

    /// The next rows of the image.
    pub fn push(&mut self, band: ImageRef<'_>) -> Result<(), TransformError> {
        Ok(self.energy.push(band)?)
    }

    /// The energy of the whole image, once every row has been pushed.
    pub fn finish(self) -> Result<EnergyGrid, TransformError> {
        let FocusScan { energy, cell, width, height } = self;
        Ok(EnergyGrid { grid: energy.finish()?, cell, width, height })
    }
}

/// The edge energy of each cell of a decoded image.
pub struct EnergyGrid {
    grid: Vec<u64>,
    cell: usize,
    /// The decoded image's size, which may be the stored one shrunk on load.
    width: usize,
    height: usize,
}

impl EnergyGrid {
    /// The gravity point that puts `placement`'s crop where the image (of `stored` size as
    /// stored) has the most edge energy; ties go to the crop nearest the centre.
    pub fn focus(&self, placement: &Placement, stored: Size) -> Gravity {
        let EnergyGrid { ref grid, cell, width, height } = *self;
        let (columns, rows) = energy_grid_size(width, height, cell);
        // Summed-area table: entry (x, y) is the energy of the cells above and left of (x, y).
        let stride = columns + 1;
        let mut sums = vec![0u64; stride * (rows + 1)];
        let mut above = vec![0u64; stride];
        for (cells, row) in grid.chunks_exact(columns).zip(sums.chunks_exact_mut(stride).skip(1)) {
            let mut row_sum = 0;
            for ((energy, sum_above), sum) in cells.iter().zip(above.iter().skip(1)).zip(row.iter_mut().skip(1)) {
                row_sum += energy;
                *sum = sum_above + row_sum;
            }
            above.copy_from_slice(row);
        }
        let window_energy = |x: usize, y: usize, w: usize, h: usize| {
            let at = |x: usize, y: usize| sums.get(y * stride + x).copied().unwrap_or(0);
            at(x + w, y + h) + at(x, y) - at(x + w, y) - at(x, y + h)
        };

        // The crop and where it may move, in grid cells of the decoded image.
        let (scale_x, scale_y) = (width as f64 / stored.width as f64, height as f64 / stored.height as f64);
        let (crop, bounds) = (placement.region, placement.trimmed);
        let span = |start: f64, length: f64, scale: f64, crop_length: f64, cells: usize| {
            let size = ((crop_length * scale / cell as f64).round() as usize).clamp(1, cells);
            let first = ((start * scale / cell as f64).floor() as usize).min(cells - size);
            let last = (((start + length) * scale / cell as f64).ceil() as usize).clamp(first + size, cells) - size;
            (size, first, last)
        };
        let (crop_columns, first_column, last_column) = span(bounds.left, bounds.width, scale_x, crop.width, columns);
        let (crop_rows, first_row, last_row) = span(bounds.top, bounds.height, scale_y, crop.height, rows);
        let centre = ((first_column + last_column) as f64 / 2.0, (first_row + last_row) as f64 / 2.0);
        let mut best = (first_column, first_row);
        let mut best_key = (0u64, f64::NEG_INFINITY);
        for y in first_row..=last_row {
            for x in first_column..=last_column {
                let distance = (x as f64 - centre.0).powi(2) + (y as f64 - centre.1).powi(2);
                let key = (window_energy(x, y, crop_columns, crop_rows), -distance);
                if key.0 > best_key.0 || (key.0 == best_key.0 && key.1 > best_key.1) {
                    (best, best_key) = ((x, y), key);
                }
            }
        }

        // The best window's centre, back in stored pixels, as a fraction of the crop's freedom.
        let fraction = |cells: usize, first: usize, scale: f64, start: f64, length: f64, crop_length: f64| {
            let middle = (first as f64 + cells as f64 / 2.0) * cell as f64 / scale;
            let free = length - crop_length;
            if free <= 0.0 {
                0.5
            } else {
                ((middle - crop_length / 2.0 - start) / free).clamp(0.0, 1.0)
            }
        };
        let x = fraction(crop_columns, best.0, scale_x, bounds.left, bounds.width, crop.width);
        let y = fraction(crop_rows, best.1, scale_y, bounds.top, bounds.height, crop.height);
        // Fractions of the crop's freedom turn with the image: a mirror takes f to 1 - f.
        let point = placement.orientation.region(SourceRegion { left: x, top: y, width: 0.0, height: 0.0 }, 1, 1);
        Gravity::Point { x: point.left, y: point.top }
    }
}
