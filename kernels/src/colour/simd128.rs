//! simd128 saturation: sixteen pixels at a time, split into red, green and blue planes by
//! swizzles, computed in 16- and 32-bit lanes, and interleaved back.

use core::arch::wasm32::*;

use super::LUMA_WEIGHTS;
use crate::simd::masks::{mask_table, ALPHA_BYTES_MASK, ZERO};
use crate::simd::memory::{load, store};

/// Swizzles between sixteen interleaved pixels (`channels` vectors) and red, green and blue
/// planes (one vector each).
struct Planes {
    /// `split[plane][vector]`.
    split: [[v128; 4]; 3],
    /// `join[vector][plane]`; alpha bytes get -1 (zero).
    join: [[v128; 3]; 4],
}

const fn planes(channels: usize) -> Planes {
    let mut split = [[[ZERO; 16]; 4]; 3];
    let mut join = [[[ZERO; 16]; 3]; 4];
    let mut byte = 0;
    while byte < 16 * channels {
        let (pixel, channel) = (byte / channels, byte % channels);
        if channel < 3 {
            split[channel][byte / 16][pixel] = (byte % 16) as i8;
            join[byte / 16][channel][byte % 16] = pixel as i8;
        }
        byte += 1;
    }
    Planes { split: mask_table(split), join: mask_table(join) }
}

const RGB_PLANES: Planes = planes(3);
const RGBA_PLANES: Planes = planes(4);

pub(super) fn saturate(row: &mut [u8], channels: usize, factor: i32) {
    let planes = if channels == 4 { &RGBA_PLANES } else { &RGB_PLANES };
    let keep = if channels == 4 { ALPHA_BYTES_MASK } else { u8x16_splat(0) };
    let factors = i16x8_splat(factor as i16);
    let mut groups = row.chunks_exact_mut(16 * channels);
    for group in groups.by_ref() {
        let mut input = [u8x16_splat(0); 4];
        for (vector, chunk) in input.iter_mut().zip(group.as_chunks::<16>().0) {
            *vector = load(chunk);
        }
        let [red, green, blue] = planes.split.map(|masks| {
            let mut plane = u8x16_splat(0);
            for (&vector, &mask) in input.iter().zip(&masks).take(channels) {
                plane = v128_or(plane, i8x16_swizzle(vector, mask));
            }
            plane
        });
        let halves = |extend: fn(v128) -> v128| {
            let (r, g, b) = (extend(red), extend(green), extend(blue));
            let [wr, wg, wb] = LUMA_WEIGHTS.map(|w| i16x8_splat(w as i16));
            let sum =
                i16x8_add(i16x8_add(i16x8_mul(r, wr), i16x8_mul(g, wg)), i16x8_add(i16x8_mul(b, wb), i16x8_splat(128)));
            let luma = u16x8_shr(sum, 8);
            [r, g, b].map(|channel| {
                let difference = i16x8_sub(channel, luma);
                let round = i32x4_splat(128);
                let low = i32x4_shr(i32x4_add(i32x4_extmul_low_i16x8(difference, factors), round), 8);
                let high = i32x4_shr(i32x4_add(i32x4_extmul_high_i16x8(difference, factors), round), 8);
                i16x8_add(i16x8_narrow_i32x4(low, high), luma)
            })
        };
        let low = halves(u16x8_extend_low_u8x16);
        let high = halves(u16x8_extend_high_u8x16);
        let saturated: [v128; 3] = core::array::from_fn(|p| u8x16_narrow_i16x8(low[p], high[p]));
        for ((chunk, masks), &original) in group.as_chunks_mut::<16>().0.iter_mut().zip(&planes.join).zip(&input) {
            let mut out = v128_and(original, keep);
            for (&plane, &mask) in saturated.iter().zip(masks) {
                out = v128_or(out, i8x16_swizzle(plane, mask));
            }
            store(chunk, out);
        }
    }
    super::scalar::saturate(groups.into_remainder(), channels, factor);
}
