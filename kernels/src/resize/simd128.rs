//! simd128 twins of [`super::scalar`]. Weights are applied two taps at a time with
//! `i32x4.dot_i16x8_s`: the pixels of two taps are interleaved channel by channel, so each 32-bit
//! lane accumulates one channel's `p0 * w0 + p1 * w1`. Odd tails pair the last tap with a zero
//! weight, so the sums are exactly the scalar sums.

use core::arch::wasm32::*;

use super::{vertical_sample, AxisWeights, Sample, WEIGHT_BITS};
use crate::{ImageMut, ImageRef, PixelLayout};

/// `N` bytes from `bytes[offset..]` in the low lanes; bytes past the end of the slice read as
/// zero (they are always multiplied by zero weights, so they only need to be in bounds).
#[inline(always)]
fn load<const N: usize>(bytes: &[u8], offset: usize) -> v128 {
    match offset.checked_add(N) {
        // SAFETY: the N bytes read are inside `bytes`, as just checked.
        Some(end) if end <= bytes.len() => unsafe { load_unchecked::<N>(bytes, offset) },
        _ => {
            let mut padded = [0u8; 16];
            let available = bytes.get(offset..).unwrap_or(&[]);
            let len = available.len().min(N);
            padded[..len].copy_from_slice(&available[..len]);
            // SAFETY: `padded` is sixteen bytes.
            unsafe { v128_load(padded.as_ptr() as *const v128) }
        }
    }
}

/// `N` (4, 8 or 16) bytes at `bytes[offset..]` in the low lanes, with no bounds check.
///
/// # Safety
/// `offset + N <= bytes.len()`. Callers of several loads check `+ 16` once to cover them all.
#[inline(always)]
unsafe fn load_unchecked<const N: usize>(bytes: &[u8], offset: usize) -> v128 {
    let pointer = bytes.as_ptr().add(offset);
    match N {
        16 => v128_load(pointer as *const v128),
        8 => v128_load64_zero(pointer as *const u64),
        _ => v128_load32_zero(pointer as *const u32),
    }
}

#[inline(always)]
fn load_i16x8(values: &[i16], offset: usize) -> v128 {
    let eight = &values[offset..offset + 8];
    // SAFETY: the slice has exactly the sixteen bytes read; wasm loads need no alignment.
    unsafe { v128_load(eight.as_ptr() as *const v128) }
}

/// Weights `taps[k..k + 8]`, zero past the end.
#[inline(always)]
fn eight_taps(taps: &[i16], k: usize) -> v128 {
    if k + 8 <= taps.len() {
        load_i16x8(taps, k)
    } else {
        let mut padded = [0i16; 8];
        padded[..taps.len() - k].copy_from_slice(&taps[k..]);
        load_i16x8(&padded, 0)
    }
}

/// `[taps[k], taps[k + 1]]` in every 32-bit lane.
#[inline(always)]
fn weight_pair_at(taps: &[i16], k: usize) -> v128 {
    let pair = &taps[k..k + 2];
    // SAFETY: two i16 are the four bytes read.
    unsafe { v128_load32_splat(pair.as_ptr() as *const u32) }
}

/// Four horizontal sums rounded to the intermediate of samples `S`, in lanes 0..4 (and 4..8).
#[inline(always)]
fn round_horizontal<S: Sample>(sum: v128) -> v128 {
    let shift = WEIGHT_BITS - S::INTERMEDIATE_BITS;
    let rounded = i32x4_shr(i32x4_add(sum, i32x4_splat(1 << (shift - 1))), shift);
    i16x8_narrow_i32x4(rounded, rounded)
}

/// Source rows go through in groups of four, so each weight load serves four rows.
pub(super) fn horizontal(src: ImageRef<'_>, rows: core::ops::Range<usize>, weights: &AxisWeights, dst: &mut [i16]) {
    let row_len = weights.starts.len() * src.layout.channels();
    in_row_groups(
        rows,
        src.stride,
        dst,
        row_len,
        |starts, out| horizontal_rows(src.pixels, src.layout, starts, weights, out),
        |starts, out| horizontal_rows(src.pixels, src.layout, starts, weights, out),
    );
}

/// Calls `four` with the starts of source rows `rows` (rows of `stride`) and their output rows
/// (`row_len` long, packed in `dst`) four at a time, then `one` for the rest.
#[inline(always)]
fn in_row_groups(
    rows: core::ops::Range<usize>,
    stride: usize,
    dst: &mut [i16],
    row_len: usize,
    mut four: impl FnMut([usize; 4], [&mut [i16]; 4]),
    mut one: impl FnMut([usize; 1], [&mut [i16]; 1]),
) {
    let mut out_rows = dst.chunks_exact_mut(row_len);
    let mut y = rows.start;
    while y + 4 <= rows.end {
        let (Some(a), Some(b), Some(c), Some(d)) = (out_rows.next(), out_rows.next(), out_rows.next(), out_rows.next())
        else {
            return;
        };
        four([y, y + 1, y + 2, y + 3].map(|row| row * stride), [a, b, c, d]);
        y += 4;
    }
    for (row, out) in (y..rows.end).zip(out_rows) {
        one([row * stride], [out]);
    }
}

fn horizontal_rows<const ROWS: usize>(
    pixels: &[u8],
    layout: PixelLayout,
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    out: [&mut [i16]; ROWS],
) {
    match layout {
        PixelLayout::Rgba8 => horizontal_pixels::<ROWS, 4>(pixels, row_starts, weights, out),
        PixelLayout::Rgb8 => horizontal_pixels::<ROWS, 3>(pixels, row_starts, weights, out),
        PixelLayout::L8 => horizontal_l8::<ROWS>(pixels, row_starts, weights, out),
    }
}

/// Swizzle masks interleaving two pixels into 16-bit lanes `[c0 of p0, c0 of p1, c1 of p0, ...]`
/// for `i32x4.dot_i16x8_s`; index -1 selects zero. A one-input swizzle with constant indices is a
/// single byte shuffle in V8, where a two-input shuffle against a zero vector costs three.
const RGBA_PIXELS_01: v128 = i8x16(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
const RGBA_PIXELS_23: v128 = i8x16(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
const RGB_PIXELS_01: v128 = i8x16(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1);
const RGB_PIXELS_23: v128 = i8x16(6, -1, 9, -1, 7, -1, 10, -1, 8, -1, 11, -1, -1, -1, -1, -1);

/// Interleaves the pixel pair starting `FIRST` pixels into `data` (0 or 2) for CHANNELS 3 or 4.
#[inline(always)]
fn interleave_pair<const CHANNELS: usize, const FIRST: usize>(data: v128) -> v128 {
    let mask = match (CHANNELS, FIRST) {
        (4, 0) => RGBA_PIXELS_01,
        (4, _) => RGBA_PIXELS_23,
        (_, 0) => RGB_PIXELS_01,
        (_, _) => RGB_PIXELS_23,
    };
    i8x16_swizzle(data, mask)
}

/// RGB8 and RGBA8: one channel per 32-bit lane; four taps per load, then pairs, then a last
/// tap paired with a zero weight.
fn horizontal_pixels<const ROWS: usize, const CHANNELS: usize>(
    pixels: &[u8],
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    mut out: [&mut [i16]; ROWS],
) {
    for x in 0..weights.starts.len() {
        let taps = weights.weights(x);
        let window = weights.starts[x] * CHANNELS;
        // Rows ascend, so the last row's window ends last; loads read at most 16 bytes from
        // their start, which stays inside the window plus 16 bytes.
        let end = row_starts[ROWS - 1] + window + taps.len() * CHANNELS + 16;
        let sums = if end <= pixels.len() {
            // SAFETY: every load offset is below `end - 16`, checked just above.
            unsafe { weighted_window::<ROWS, CHANNELS, false>(pixels, row_starts, window, taps) }
        } else {
            // SAFETY: checked loads have no precondition.
            unsafe { weighted_window::<ROWS, CHANNELS, true>(pixels, row_starts, window, taps) }
        };
        for (sum, out_row) in sums.into_iter().zip(out.iter_mut()) {
            store_pixel(round_horizontal::<u8>(sum), &mut out_row[x * CHANNELS..(x + 1) * CHANNELS]);
        }
    }
}

/// Each row's weighted sum of one window, one channel per 32-bit lane.
///
/// # Safety
/// With `CHECKED` false, the caller guarantees that the last row's window plus 16 bytes lies
/// inside `pixels`.
#[inline(always)]
unsafe fn weighted_window<const ROWS: usize, const CHANNELS: usize, const CHECKED: bool>(
    pixels: &[u8],
    row_starts: [usize; ROWS],
    window: usize,
    taps: &[i16],
) -> [v128; ROWS] {
    let load = |offset: usize, bytes: usize| -> v128 {
        match (CHECKED, bytes) {
            (true, 16) => load::<16>(pixels, offset),
            (true, 8) => load::<8>(pixels, offset),
            (true, _) => load::<4>(pixels, offset),
            (false, 16) => load_unchecked::<16>(pixels, offset),
            (false, 8) => load_unchecked::<8>(pixels, offset),
            (false, _) => load_unchecked::<4>(pixels, offset),
        }
    };
    let mut sums = [i32x4_splat(0); ROWS];
    let mut k = 0;
    while k + 4 <= taps.len() {
        let (w01, w23) = (weight_pair_at(taps, k), weight_pair_at(taps, k + 2));
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            let data = load(row + window + k * CHANNELS, 16);
            let near = i32x4_dot_i16x8(interleave_pair::<CHANNELS, 0>(data), w01);
            let far = i32x4_dot_i16x8(interleave_pair::<CHANNELS, 1>(data), w23);
            *sum = i32x4_add(*sum, i32x4_add(near, far));
        }
        k += 4;
    }
    if k < taps.len() {
        let pair = if k + 2 <= taps.len() { weight_pair_at(taps, k) } else { i32x4_splat(taps[k] as u16 as i32) };
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            let data = load(row + window + k * CHANNELS, 8);
            *sum = i32x4_add(*sum, i32x4_dot_i16x8(interleave_pair::<CHANNELS, 0>(data), pair));
        }
        k += 2;
    }
    if k < taps.len() {
        let last = i32x4_splat(taps[k] as u16 as i32);
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            let data = load(row + window + k * CHANNELS, 4);
            *sum = i32x4_add(*sum, i32x4_dot_i16x8(interleave_pair::<CHANNELS, 0>(data), last));
        }
    }
    sums
}

/// L8: eight taps per dot product, then the four lanes of each row's sum are added up (four
/// rows at once by a transpose).
fn horizontal_l8<const ROWS: usize>(
    pixels: &[u8],
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    mut out: [&mut [i16]; ROWS],
) {
    for x in 0..weights.starts.len() {
        let taps = weights.weights(x);
        let window = weights.starts[x];
        // Loads read eight bytes from each multiple of eight taps: within the window plus 8.
        let in_bounds = row_starts[ROWS - 1] + window + taps.len() + 16 <= pixels.len();
        let mut sums = [i32x4_splat(0); ROWS];
        let mut k = 0;
        while k < taps.len() {
            let chunk = eight_taps(taps, k);
            for (sum, row) in sums.iter_mut().zip(row_starts) {
                let offset = row + window + k;
                let bytes = if in_bounds {
                    // SAFETY: `offset + 16 <= pixels.len()` by the check above.
                    unsafe { load_unchecked::<8>(pixels, offset) }
                } else {
                    load::<8>(pixels, offset)
                };
                let data = u16x8_extend_low_u8x16(bytes);
                *sum = i32x4_add(*sum, i32x4_dot_i16x8(data, chunk));
            }
            k += 8;
        }
        store_totals(round_horizontal::<u8>(lane_totals(sums)), &mut out, x);
    }
}

/// The first three or four (the length of `out_pixel`) lanes of `packed` into `out_pixel`.
#[inline(always)]
fn store_pixel(packed: v128, out_pixel: &mut [i16]) {
    if let [_, _, _, _] = out_pixel {
        // SAFETY: `out_pixel` is exactly four i16 values, the eight bytes stored.
        unsafe { v128_store64_lane::<0>(packed, out_pixel.as_mut_ptr() as *mut u64) };
    } else if let [red, green, blue] = out_pixel {
        (*red, *green, *blue) =
            (i16x8_extract_lane::<0>(packed), i16x8_extract_lane::<1>(packed), i16x8_extract_lane::<2>(packed));
    }
}

/// Lane `r` of `packed` (rounded totals of `ROWS` grey rows) into output row `r` at `x`.
#[inline(always)]
fn store_totals<const ROWS: usize>(packed: v128, out: &mut [&mut [i16]; ROWS], x: usize) {
    let lanes = [
        i16x8_extract_lane::<0>(packed),
        i16x8_extract_lane::<1>(packed),
        i16x8_extract_lane::<2>(packed),
        i16x8_extract_lane::<3>(packed),
    ];
    for (out_row, value) in out.iter_mut().zip(lanes) {
        out_row[x] = value;
    }
}

/// Each row's four lanes added up, row `r`'s total in lane `r` (four rows at once by a transpose).
#[inline(always)]
fn lane_totals<const ROWS: usize>(sums: [v128; ROWS]) -> v128 {
    if ROWS == 4 {
        let [a, b, c, d] = [sums[0], sums[1 % ROWS], sums[2 % ROWS], sums[3 % ROWS]];
        let ab = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(a, b), i32x4_shuffle::<2, 6, 3, 7>(a, b));
        let cd = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(c, d), i32x4_shuffle::<2, 6, 3, 7>(c, d));
        i32x4_add(i32x4_shuffle::<0, 1, 4, 5>(ab, cd), i32x4_shuffle::<2, 3, 6, 7>(ab, cd))
    } else {
        let a = sums[0];
        let pairs = i32x4_add(a, i32x4_shuffle::<2, 3, 0, 1>(a, a));
        i32x4_add(pairs, i32x4_shuffle::<1, 0, 3, 2>(pairs, pairs))
    }
}

pub(super) fn vertical<S: Sample>(src: &[i16], row_len: usize, weights: &AxisWeights, dst: ImageMut<'_, S>) {
    for (y, out_row) in dst.pixels.chunks_mut(dst.stride).take(dst.height).enumerate() {
        let window = weights.starts[y] * row_len;
        let taps = weights.weights(y);
        let mut x = 0;
        // The intermediate holds every row a window reads; checked once per row, not per load.
        if window + taps.len() * row_len <= src.len() {
            while x + 32 <= row_len {
                // SAFETY: all loads fall in the window's rows, inside `src` as checked above.
                unsafe { vertical_block::<S, 4>(src, window + x, row_len, taps, &mut out_row[x..x + 32]) };
                x += 32;
            }
            while x + 8 <= row_len {
                // SAFETY: as above.
                unsafe { vertical_block::<S, 1>(src, window + x, row_len, taps, &mut out_row[x..x + 8]) };
                x += 8;
            }
        }
        for (x, out) in out_row.iter_mut().enumerate().take(row_len).skip(x) {
            *out = vertical_sample::<S>(src, window + x, row_len, taps);
        }
    }
}

/// `8 * VECTORS` output values of one row: pairs of source rows interleaved so each 32-bit lane
/// accumulates one column's `v0 * w0 + v1 * w1`.
///
/// # Safety
/// `first + (taps.len() - 1) * row_len + 8 * VECTORS <= src.len()`.
#[inline(always)]
unsafe fn vertical_block<S: Sample, const VECTORS: usize>(
    src: &[i16],
    first: usize,
    row_len: usize,
    taps: &[i16],
    out: &mut [S],
) {
    let load = |offset: usize| v128_load(src.as_ptr().add(offset) as *const v128);
    let zero = i32x4_splat(0);
    let mut low = [zero; VECTORS];
    let mut high = [zero; VECTORS];
    let mut pairs = taps.chunks_exact(2);
    let mut row = first;
    for pair in pairs.by_ref() {
        let w = weight_pair_at(pair, 0);
        for v in 0..VECTORS {
            let a = load(row + 8 * v);
            let b = load(row + row_len + 8 * v);
            low[v] = i32x4_add(low[v], i32x4_dot_i16x8(i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b), w));
            high[v] = i32x4_add(high[v], i32x4_dot_i16x8(i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b), w));
        }
        row += 2 * row_len;
    }
    if let [last] = pairs.remainder() {
        let w = i16x8_splat(*last);
        for v in 0..VECTORS {
            let a = load(row + 8 * v);
            low[v] = i32x4_add(low[v], i32x4_extmul_low_i16x8(a, w));
            high[v] = i32x4_add(high[v], i32x4_extmul_high_i16x8(a, w));
        }
    }
    let shift = WEIGHT_BITS + S::INTERMEDIATE_BITS;
    let round = i32x4_splat(1 << (shift - 1));
    for v in 0..VECTORS {
        let l = i32x4_shr(i32x4_add(low[v], round), shift);
        let h = i32x4_shr(i32x4_add(high[v], round), shift);
        // Saturating to i16, then clamping to the sample range, is clamping to it directly.
        let words = i16x8_narrow_i32x4(l, h);
        let eight = &mut out[8 * v..8 * v + 8];
        if S::MAX == 255 {
            let bytes = u8x16_narrow_i16x8(words, words);
            // SAFETY: `eight` is the eight one-byte samples stored.
            v128_store64_lane::<0>(bytes, eight.as_mut_ptr() as *mut u64);
        } else {
            let clamped = i16x8_min(i16x8_max(words, i16x8_splat(0)), i16x8_splat(S::MAX as i16));
            // SAFETY: `eight` is the eight two-byte samples stored, sixteen bytes.
            v128_store(eight.as_mut_ptr() as *mut v128, clamped);
        }
    }
}

/// Eight linear samples from `samples[offset..]`; samples past the end read as zero (they meet
/// zero weights).
#[inline(always)]
fn load_linear(samples: &[u16], offset: usize) -> v128 {
    match samples.get(offset..offset + 8) {
        // SAFETY: the slice is the sixteen bytes read.
        Some(eight) => unsafe { v128_load(eight.as_ptr() as *const v128) },
        None => {
            let mut padded = [0u16; 8];
            let available = samples.get(offset..).unwrap_or(&[]);
            padded[..available.len().min(8)].copy_from_slice(&available[..available.len().min(8)]);
            // SAFETY: `padded` is sixteen bytes.
            unsafe { v128_load(padded.as_ptr() as *const v128) }
        }
    }
}

/// The horizontal pass over 12-bit linear samples, four rows per weight load as for bytes.
/// Samples fit `i16` lanes as they are, so each `i32x4.dot_i16x8_s` takes two taps of four
/// channels (RGBA), two taps of three (RGB, a fourth lane unused) or eight taps of one (grey).
pub(super) fn horizontal_linear(
    src: ImageRef<'_, u16>,
    rows: core::ops::Range<usize>,
    weights: &AxisWeights,
    dst: &mut [i16],
) {
    let channels = src.layout.channels();
    let row_len = weights.starts.len() * channels;
    in_row_groups(
        rows,
        src.stride,
        dst,
        row_len,
        |starts, out| linear_rows(src.pixels, channels, starts, weights, out),
        |starts, out| linear_rows(src.pixels, channels, starts, weights, out),
    );
}

fn linear_rows<const ROWS: usize>(
    samples: &[u16],
    channels: usize,
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    mut out: [&mut [i16]; ROWS],
) {
    for x in 0..weights.starts.len() {
        let taps = weights.weights(x);
        let window = weights.starts[x] * channels;
        // Loads read eight samples from tap offsets below the window's end; rows ascend, so one
        // check on the last row covers them all.
        let in_bounds = row_starts[ROWS - 1] + window + taps.len() * channels + 8 <= samples.len();
        let load = |offset: usize| {
            if in_bounds {
                // SAFETY: `offset + 8 <= samples.len()` by the check above.
                unsafe { v128_load(samples.as_ptr().add(offset) as *const v128) }
            } else {
                load_linear(samples, offset)
            }
        };
        let mut sums = [i32x4_splat(0); ROWS];
        let mut k = 0;
        if channels == 1 {
            while k < taps.len() {
                let chunk = eight_taps(taps, k);
                for (sum, row) in sums.iter_mut().zip(row_starts) {
                    *sum = i32x4_add(*sum, i32x4_dot_i16x8(load(row + window + k), chunk));
                }
                k += 8;
            }
            store_totals(round_horizontal::<u16>(lane_totals(sums)), &mut out, x);
            continue;
        }
        while k < taps.len() {
            // A last odd tap pairs with a zero weight: whatever follows it is multiplied by zero.
            let pair = if k + 2 <= taps.len() { weight_pair_at(taps, k) } else { i32x4_splat(taps[k] as u16 as i32) };
            for (sum, row) in sums.iter_mut().zip(row_starts) {
                let data = load(row + window + k * channels);
                let interleaved = if channels == 4 {
                    i16x8_shuffle::<0, 4, 1, 5, 2, 6, 3, 7>(data, data)
                } else {
                    i16x8_shuffle::<0, 3, 1, 4, 2, 5, 6, 7>(data, data)
                };
                *sum = i32x4_add(*sum, i32x4_dot_i16x8(interleaved, pair));
            }
            k += 2;
        }
        for (sum, out_row) in sums.into_iter().zip(out.iter_mut()) {
            store_pixel(round_horizontal::<u16>(sum), &mut out_row[x * channels..(x + 1) * channels]);
        }
    }
}
