//! The reference: every destination pixel copied from the source pixel it comes from.

use super::Orientation;
use crate::{ImageMut, ImageRef};

pub(super) fn orient(src: ImageRef<'_>, dst: ImageMut<'_>, orientation: Orientation) {
    let channels = src.layout.channels();
    let (width, height) = (dst.width, dst.height);
    for (y, row) in dst.pixels.chunks_mut(dst.stride).take(height).enumerate() {
        copy_pixels(&src, &mut row[..width * channels], y, 0, orientation, width, height);
    }
}

/// Fills `row`, destination row `y` from column `first_x` on, pixel by pixel.
pub(super) fn copy_pixels(
    src: &ImageRef<'_>,
    row: &mut [u8],
    y: usize,
    first_x: usize,
    orientation: Orientation,
    width: usize,
    height: usize,
) {
    let channels = src.layout.channels();
    for (x, pixel) in (first_x..).zip(row.chunks_exact_mut(channels)) {
        let (sx, sy) = orientation.source_of(x, y, width, height);
        let at = sy * src.stride + sx * channels;
        pixel.copy_from_slice(&src.pixels[at..at + channels]);
    }
}
