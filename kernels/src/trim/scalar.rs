use super::is_outlier;

/// The index of the first pixel of `row` that differs from `background` by more than `tolerance`.
pub(super) fn first_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    row.chunks_exact(background.len()).position(|pixel| is_outlier(pixel, background, tolerance))
}

/// The index of the last such pixel.
pub(super) fn last_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    row.chunks_exact(background.len()).rposition(|pixel| is_outlier(pixel, background, tolerance))
}
