/// The energy of bytes `from..to` of `row`, whose next row is `below`.
pub(super) fn span_energy(row: &[u8], below: &[u8], channels: usize, from: usize, to: usize) -> u64 {
    let mut sum = 0u64;
    for i in from..to {
        let right = row.get(i + channels).map_or(0, |&next| row[i].abs_diff(next));
        sum += right as u64 + row[i].abs_diff(below[i]) as u64;
    }
    sum
}

/// Adds each `cell`-pixel span's energy of `row` to its entry of `sums`.
pub(super) fn add_row_energy(row: &[u8], below: &[u8], channels: usize, cell: usize, sums: &mut [u64]) {
    let span = cell * channels;
    for (c, sum) in sums.iter_mut().enumerate() {
        let from = c * span;
        *sum += span_energy(row, below, channels, from, (from + span).min(row.len()));
    }
}
