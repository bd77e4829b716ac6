//! simd128 edge energy: sixteen bytes at a time, absolute differences by two saturating
//! subtractions, widened and summed in 32-bit lanes; the bytes of a span that have no right
//! neighbour loaded in a whole vector are left to the scalar code.

use core::arch::wasm32::*;

use crate::simd::memory::{Loads, Window};

/// Adds each `cell`-pixel span's energy of `row` to its entry of `sums`; `below` is the next row,
/// as long as `row`.
pub(super) fn add_row_energy(row: &[u8], below: &[u8], channels: usize, cell: usize, sums: &mut [u64]) {
    // Both rows' bounds are checked once here, not at each load (which cost 15% in edge energy).
    let (Some(this_row), Some(next_row)) = (Window::new(row, row.len()), Window::new(below, row.len())) else {
        return super::scalar::add_row_energy(row, below, channels, cell, sums);
    };
    let span = cell * channels;
    // Vectors must also load the sixteen bytes one pixel further on.
    let vector_end = row.len().saturating_sub(channels + 15);
    for (c, sum) in sums.iter_mut().enumerate() {
        let from = c * span;
        let to = (from + span).min(row.len());
        let mut start = from;
        let mut lanes = u32x4_splat(0);
        while start + 16 <= to && start < vector_end {
            // SAFETY: `start + channels + 16 <= row.len()` (from `vector_end`), the length of
            // both windows.
            let (here, right, under) = unsafe {
                (this_row.load::<16>(start), this_row.load::<16>(start + channels), next_row.load::<16>(start))
            };
            let across = v128_or(u8x16_sub_sat(here, right), u8x16_sub_sat(right, here));
            let down = v128_or(u8x16_sub_sat(here, under), u8x16_sub_sat(under, here));
            let pairs = i16x8_add(u16x8_extadd_pairwise_u8x16(across), u16x8_extadd_pairwise_u8x16(down));
            lanes = i32x4_add(lanes, u32x4_extadd_pairwise_u16x8(pairs));
            start += 16;
        }
        let vector_sum = u32x4_extract_lane::<0>(lanes) as u64
            + u32x4_extract_lane::<1>(lanes) as u64
            + u32x4_extract_lane::<2>(lanes) as u64
            + u32x4_extract_lane::<3>(lanes) as u64;
        *sum += vector_sum + super::scalar::span_energy(row, below, channels, start, to);
    }
}
