//! simd128 twins of [`super::scalar`]. Weights are applied two taps at a time with
//! `i32x4.dot_i16x8_s`: the pixels of two taps are interleaved channel by channel, so each 32-bit
//! lane accumulates one channel's `p0 * w0 + p1 * w1`. Odd tails pair the last tap with a zero
//! weight, so the sums are exactly the scalar sums.

use core::arch::wasm32::*;

use super::{vertical_sample, AxisWeights, INTERMEDIATE_BITS, WEIGHT_BITS};
use crate::{ImageMut, ImageRef, PixelLayout};

const HORIZONTAL_SHIFT: u32 = WEIGHT_BITS - INTERMEDIATE_BITS;
const VERTICAL_SHIFT: u32 = WEIGHT_BITS + INTERMEDIATE_BITS;

/// `[w0, w1]` repeated in every 32-bit lane, to pair with interleaved taps.
#[inline(always)]
fn weight_pair(w0: i16, w1: i16) -> v128 {
    i32x4_splat((w0 as u16 as i32) | ((w1 as i32) << 16))
}

/// Eight bytes from `bytes[offset..]` in the low half; bytes past the end of the slice read as
/// zero (they are always multiplied by zero weights, so they only need to be in bounds).
#[inline(always)]
fn load_8(bytes: &[u8], offset: usize) -> v128 {
    match bytes.get(offset..offset + 8) {
        // SAFETY: the slice has exactly the eight bytes read; wasm loads need no alignment.
        Some(eight) => unsafe { v128_load64_zero(eight.as_ptr() as *const u64) },
        None => {
            let mut padded = [0u8; 8];
            let available = bytes.get(offset..).unwrap_or(&[]);
            padded[..available.len()].copy_from_slice(available);
            u64x2(u64::from_le_bytes(padded), 0)
        }
    }
}

#[inline(always)]
fn load_i16x8(values: &[i16], offset: usize) -> v128 {
    let eight = &values[offset..offset + 8];
    // SAFETY: the slice has exactly the sixteen bytes read; wasm loads need no alignment.
    unsafe { v128_load(eight.as_ptr() as *const v128) }
}

#[inline(always)]
fn round_horizontal(sum: v128) -> v128 {
    let rounded = i32x4_shr(i32x4_add(sum, i32x4_splat(1 << (HORIZONTAL_SHIFT - 1))), HORIZONTAL_SHIFT);
    i16x8_narrow_i32x4(rounded, rounded)
}

pub(super) fn horizontal(
    src: ImageRef<'_>,
    rows: core::ops::Range<usize>,
    weights: &AxisWeights,
    dst: &mut [i16],
) {
    let channels = src.layout.channels();
    let row_len = weights.starts.len() * channels;
    for (y, out_row) in rows.zip(dst.chunks_exact_mut(row_len)) {
        let row_start = y * src.stride;
        match src.layout {
            PixelLayout::Rgba8 => horizontal_rgba(src.pixels, row_start, weights, out_row),
            PixelLayout::Rgb8 => horizontal_rgb(src.pixels, row_start, weights, out_row),
            PixelLayout::L8 => horizontal_l8(src.pixels, row_start, weights, out_row),
        }
    }
}

/// Sums `taps` weighted pixels of `CHANNELS` (3 or 4) bytes starting at `offset`, one channel
/// per 32-bit lane.
#[inline(always)]
fn weighted_pixels<const CHANNELS: usize>(pixels: &[u8], offset: usize, taps: &[i16]) -> v128 {
    let zero = i32x4_splat(0);
    let mut sum = zero;
    let mut pairs = taps.chunks_exact(2);
    let mut at = offset;
    for pair in pairs.by_ref() {
        let data = load_8(pixels, at);
        let interleaved = if CHANNELS == 4 {
            i8x16_shuffle::<0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16>(data, zero)
        } else {
            i8x16_shuffle::<0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16>(data, zero)
        };
        sum = i32x4_add(sum, i32x4_dot_i16x8(interleaved, weight_pair(pair[0], pair[1])));
        at += 2 * CHANNELS;
    }
    if let [last] = pairs.remainder() {
        let data = load_8(pixels, at);
        let interleaved = if CHANNELS == 4 {
            i8x16_shuffle::<0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16>(data, zero)
        } else {
            i8x16_shuffle::<0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16>(data, zero)
        };
        sum = i32x4_add(sum, i32x4_dot_i16x8(interleaved, weight_pair(*last, 0)));
    }
    sum
}

fn horizontal_rgba(pixels: &[u8], row_start: usize, weights: &AxisWeights, out_row: &mut [i16]) {
    for (x, out_pixel) in out_row.chunks_exact_mut(4).enumerate() {
        let sum = weighted_pixels::<4>(pixels, row_start + weights.starts[x] * 4, weights.weights(x));
        let packed = round_horizontal(sum);
        // SAFETY: `out_pixel` is exactly four i16 values, the eight bytes stored.
        unsafe { v128_store64_lane::<0>(packed, out_pixel.as_mut_ptr() as *mut u64) };
    }
}

fn horizontal_rgb(pixels: &[u8], row_start: usize, weights: &AxisWeights, out_row: &mut [i16]) {
    for (x, out_pixel) in out_row.chunks_exact_mut(3).enumerate() {
        let sum = weighted_pixels::<3>(pixels, row_start + weights.starts[x] * 3, weights.weights(x));
        let packed = round_horizontal(sum);
        out_pixel[0] = i16x8_extract_lane::<0>(packed);
        out_pixel[1] = i16x8_extract_lane::<1>(packed);
        out_pixel[2] = i16x8_extract_lane::<2>(packed);
    }
}

fn horizontal_l8(pixels: &[u8], row_start: usize, weights: &AxisWeights, out_row: &mut [i16]) {
    for (x, out) in out_row.iter_mut().enumerate() {
        let taps = weights.weights(x);
        let mut at = row_start + weights.starts[x];
        let mut sum = i32x4_splat(0);
        let mut chunks = taps.chunks_exact(8);
        for chunk in chunks.by_ref() {
            let data = u16x8_extend_low_u8x16(load_8(pixels, at));
            sum = i32x4_add(sum, i32x4_dot_i16x8(data, load_i16x8(chunk, 0)));
            at += 8;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut padded = [0i16; 8];
            padded[..rest.len()].copy_from_slice(rest);
            let data = u16x8_extend_low_u8x16(load_8(pixels, at));
            sum = i32x4_add(sum, i32x4_dot_i16x8(data, load_i16x8(&padded, 0)));
        }
        let packed = round_horizontal(i32x4_splat(
            i32x4_extract_lane::<0>(sum)
                + i32x4_extract_lane::<1>(sum)
                + i32x4_extract_lane::<2>(sum)
                + i32x4_extract_lane::<3>(sum),
        ));
        *out = i16x8_extract_lane::<0>(packed);
    }
}

pub(super) fn vertical(src: &[i16], row_len: usize, weights: &AxisWeights, dst: ImageMut<'_>) {
    let zero = i32x4_splat(0);
    let round = i32x4_splat(1 << (VERTICAL_SHIFT - 1));
    for (y, out_row) in dst.pixels.chunks_mut(dst.stride).take(dst.height).enumerate() {
        let window = weights.starts[y] * row_len;
        let taps = weights.weights(y);
        let vector_len = row_len - row_len % 8;
        for x in (0..vector_len).step_by(8) {
            let (mut low, mut high) = (zero, zero);
            let mut pairs = taps.chunks_exact(2);
            let mut row = window + x;
            for pair in pairs.by_ref() {
                let a = load_i16x8(src, row);
                let b = load_i16x8(src, row + row_len);
                let w = weight_pair(pair[0], pair[1]);
                low = i32x4_add(low, i32x4_dot_i16x8(i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b), w));
                high = i32x4_add(high, i32x4_dot_i16x8(i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b), w));
                row += 2 * row_len;
            }
            if let [last] = pairs.remainder() {
                let a = load_i16x8(src, row);
                let w = i16x8_splat(*last);
                low = i32x4_add(low, i32x4_extmul_low_i16x8(a, w));
                high = i32x4_add(high, i32x4_extmul_high_i16x8(a, w));
            }
            let low = i32x4_shr(i32x4_add(low, round), VERTICAL_SHIFT);
            let high = i32x4_shr(i32x4_add(high, round), VERTICAL_SHIFT);
            let words = i16x8_narrow_i32x4(low, high);
            let bytes = u8x16_narrow_i16x8(words, words);
            let out = &mut out_row[x..x + 8];
            // SAFETY: `out` is exactly the eight bytes stored.
            unsafe { v128_store64_lane::<0>(bytes, out.as_mut_ptr() as *mut u64) };
        }
        for (x, out) in out_row.iter_mut().enumerate().take(row_len).skip(vector_len) {
            *out = vertical_sample(src, window + x, row_len, taps);
        }
    }
}
