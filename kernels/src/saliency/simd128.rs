//! simd128 edge energy: sixteen bytes at a time, absolute differences by two saturating
//! subtractions, widened and summed in 32-bit lanes; the bytes of a span that have no right
//! neighbour loaded in a whole vector are left to the scalar code.

use core::arch::wasm32::*;

pub(super) fn add_row_energy(row: &[u8], below: &[u8], channels: usize, cell: usize, sums: &mut [u64]) {
    let span = cell * channels;
    // Vectors must also load the sixteen bytes one pixel further on.
    let vector_end = row.len().saturating_sub(channels + 15);
    for (c, sum) in sums.iter_mut().enumerate() {
        let from = c * span;
        let to = (from + span).min(row.len());
        let mut start = from;
        let mut lanes = u32x4_splat(0);
        while start + 16 <= to && start < vector_end {
            // SAFETY: `start + channels + 16 <= row.len()` (from `vector_end`) and `below` is as
            // long as `row`, so all three sixteen-byte loads are in bounds.
            let (here, right, under) = unsafe {
                (
                    v128_load(row.as_ptr().add(start) as *const v128),
                    v128_load(row.as_ptr().add(start + channels) as *const v128),
                    v128_load(below.as_ptr().add(start) as *const v128),
                )
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
