//! simd128 twins of [`super::scalar`]. Weights are applied two taps at a time with
//! `i32x4.dot_i16x8_s`: the pixels of two taps are interleaved channel by channel, so each 32-bit
//! lane accumulates one channel's `p0 * w0 + p1 * w1`. Odd tails pair the last tap with a zero
//! weight, so the sums are exactly the scalar sums.

use core::any::Any;
use core::arch::wasm32::*;

use super::{
    output_shift, vertical_intermediate, vertical_sample, AxisWeights, OutputSample, Sample, VerticalRows, WEIGHT_BITS,
};
use crate::simd::lanes::transpose;
use crate::simd::masks::opaque_zero;
use crate::simd::memory::{load, load_padded, splat_pair, store, Lane, Loads, Window};
use crate::{ImageMut, ImageRef, PixelLayout};

/// `[taps[k], taps[k + 1]]` in every 32-bit lane.
#[inline(always)]
fn weight_pair_at(taps: &[i16], k: usize) -> v128 {
    // The slice is two long, so the conversion cannot fail.
    <&[i16; 2]>::try_from(&taps[k..k + 2]).map_or(i32x4_splat(0), splat_pair)
}

/// The pair of weights at `k`, or where `taps[k]` is the last, it with a zero weight (whatever
/// the zero meets is then multiplied away).
#[inline(always)]
fn weight_pair_or_last(taps: &[i16], k: usize) -> v128 {
    if k + 2 <= taps.len() {
        weight_pair_at(taps, k)
    } else {
        i32x4_splat(taps[k] as u16 as i32)
    }
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
        // Rows ascend, so the last row's window ends last; loads read at most 16 bytes from an
        // offset inside a window.
        let end = row_starts[ROWS - 1] + window + taps.len() * CHANNELS + 16;
        let sums = match Window::new(pixels, end) {
            // SAFETY: the window ends at `end`, as `weighted_window` needs.
            Some(inside) => unsafe { weighted_window::<ROWS, CHANNELS>(&inside, row_starts, window, taps) },
            // SAFETY: loads from a slice pad instead of overrunning.
            None => unsafe { weighted_window::<ROWS, CHANNELS>(pixels, row_starts, window, taps) },
        };
        for (sum, out_row) in sums.into_iter().zip(out.iter_mut()) {
            store_pixel(round_horizontal::<u8>(sum), &mut out_row[x * CHANNELS..(x + 1) * CHANNELS]);
        }
    }
}

/// Each row's weighted sum of one window, one channel per 32-bit lane.
///
/// # Safety
/// Loads from `pixels` that end by `row_starts[ROWS - 1] + window + taps.len() * CHANNELS + 16`
/// are sound (the last row's window plus 16 bytes, as loads start inside it).
#[inline(always)]
unsafe fn weighted_window<const ROWS: usize, const CHANNELS: usize>(
    pixels: &(impl Loads<u8> + ?Sized),
    row_starts: [usize; ROWS],
    window: usize,
    taps: &[i16],
) -> [v128; ROWS] {
    let mut sums = [i32x4_splat(0); ROWS];
    let mut k = 0;
    while k + 4 <= taps.len() {
        let (w01, w23) = (weight_pair_at(taps, k), weight_pair_at(taps, k + 2));
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: `k + 4 <= taps.len()`: the load ends at most 4 bytes past the row's window.
            let data = unsafe { pixels.load::<16>(row + window + k * CHANNELS) };
            let near = i32x4_dot_i16x8(interleave_pair::<CHANNELS, 0>(data), w01);
            let far = i32x4_dot_i16x8(interleave_pair::<CHANNELS, 1>(data), w23);
            *sum = i32x4_add(*sum, i32x4_add(near, far));
        }
        k += 4;
    }
    // Narrow images leave up to three taps: a pair (or a last tap) from eight bytes, then a last
    // tap from four.
    if k < taps.len() {
        let pair = weight_pair_or_last(taps, k);
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: `k < taps.len()`: the load ends at most 5 bytes past the row's window.
            let data = unsafe { pixels.load::<8>(row + window + k * CHANNELS) };
            *sum = i32x4_add(*sum, i32x4_dot_i16x8(interleave_pair::<CHANNELS, 0>(data), pair));
        }
        k += 2;
    }
    if k < taps.len() {
        let last = weight_pair_or_last(taps, k);
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: as above.
            let data = unsafe { pixels.load::<4>(row + window + k * CHANNELS) };
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
        let end = row_starts[ROWS - 1] + window + taps.len() + 8;
        let sums = match Window::new(pixels, end) {
            // SAFETY: the window ends at `end`, as `grey_sums` needs.
            Some(inside) => unsafe { grey_sums(&inside, row_starts, window, taps) },
            // SAFETY: loads from a slice pad instead of overrunning.
            None => unsafe { grey_sums(pixels, row_starts, window, taps) },
        };
        store_totals(round_horizontal::<u8>(lane_totals(sums)), &mut out, x);
    }
}

/// Each grey row's weighted sum of one window, in four partial sums.
///
/// # Safety
/// Loads from `pixels` that end by `row_starts[ROWS - 1] + window + taps.len() + 8` are sound.
#[inline(always)]
unsafe fn grey_sums<const ROWS: usize>(
    pixels: &(impl Loads<u8> + ?Sized),
    row_starts: [usize; ROWS],
    window: usize,
    taps: &[i16],
) -> [v128; ROWS] {
    let mut sums = [i32x4_splat(0); ROWS];
    let mut k = 0;
    while k < taps.len() {
        let eight_taps = load_padded::<i16, 8>(taps, k);
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: `k < taps.len()`: the load ends at most 7 bytes past the row's window.
            let data = u16x8_extend_low_u8x16(unsafe { pixels.load::<8>(row + window + k) });
            *sum = i32x4_add(*sum, i32x4_dot_i16x8(data, eight_taps));
        }
        k += 8;
    }
    sums
}

/// The first three or four (the length of `out_pixel`) lanes of `packed` into `out_pixel`.
#[inline(always)]
fn store_pixel(packed: v128, out_pixel: &mut [i16]) {
    if let Ok(four) = <&mut [i16; 4]>::try_from(&mut *out_pixel) {
        store(four, packed);
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

pub(super) fn vertical<S: Sample, O: OutputSample>(
    src: &[i16],
    row_len: usize,
    weights: &VerticalRows<'_>,
    dst: ImageMut<'_, O>,
) {
    for (y, out_row) in weights.outputs.clone().zip(dst.pixels.chunks_mut(dst.stride).take(dst.height)) {
        let (start, taps) = weights.axis.nonzero_window(y);
        let window = (start - weights.origin) * row_len;
        let mut x = 0;
        // The intermediate holds every row a window reads: one check per output row.
        if let Some(rows) = Window::new(src, window + taps.len() * row_len) {
            while x + 32 <= row_len {
                // SAFETY: the block's columns end by `row_len`, so its loads end in the window.
                unsafe { vertical_block::<S, O, 4>(&rows, window + x, row_len, taps, &mut out_row[x..x + 32]) };
                x += 32;
            }
            while x + 8 <= row_len {
                // SAFETY: as above.
                unsafe { vertical_block::<S, O, 1>(&rows, window + x, row_len, taps, &mut out_row[x..x + 8]) };
                x += 8;
            }
        }
        for (x, out) in out_row.iter_mut().enumerate().take(row_len).skip(x) {
            *out = vertical_sample::<S, O>(src, window + x, row_len, taps);
        }
    }
}

/// The vertical sums of `8 * VECTORS` columns from rows `first`, `first + stride`, ... weighted
/// by `taps`, as low and high halves of four lanes: pairs of rows interleaved so each 32-bit lane
/// accumulates one column's `v0 * w0 + v1 * w1`. `lanes` makes eight loaded values 16-bit lanes.
///
/// # Safety
/// `first + (taps.len() - 1) * stride + 8 * VECTORS` is at most the end of `src`.
#[inline(always)]
unsafe fn column_sums<T: Lane, const VECTORS: usize>(
    src: &Window<'_, T>,
    first: usize,
    stride: usize,
    taps: &[i16],
    lanes: impl Fn(v128) -> v128,
) -> ([v128; VECTORS], [v128; VECTORS]) {
    let zero = i32x4_splat(0);
    let mut low = [zero; VECTORS];
    let mut high = [zero; VECTORS];
    let (pairs, last) = taps.as_chunks::<2>();
    let mut row = first;
    for pair in pairs {
        let w = splat_pair(pair);
        for v in 0..VECTORS {
            // SAFETY: rows `row` and `row + stride` are rows of taps, inside `src` as required.
            let (a, b) = unsafe { (src.load::<8>(row + 8 * v), src.load::<8>(row + stride + 8 * v)) };
            let (a, b) = (lanes(a), lanes(b));
            low[v] = i32x4_add(low[v], i32x4_dot_i16x8(i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b), w));
            high[v] = i32x4_add(high[v], i32x4_dot_i16x8(i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b), w));
        }
        row += 2 * stride;
    }
    if let [last] = last {
        let w = i16x8_splat(*last);
        for v in 0..VECTORS {
            // SAFETY: `row` is the last tap's row.
            let a = lanes(unsafe { src.load::<8>(row + 8 * v) });
            low[v] = i32x4_add(low[v], i32x4_extmul_low_i16x8(a, w));
            high[v] = i32x4_add(high[v], i32x4_extmul_high_i16x8(a, w));
        }
    }
    (low, high)
}

/// `8 * VECTORS` output values of one row (`out`, exactly that long) from the intermediate rows
/// `first`, `first + row_len`, ... ([`column_sums`]).
///
/// # Safety
/// `first + (taps.len() - 1) * row_len + 8 * VECTORS` is at most the end of `src`.
#[inline(always)]
unsafe fn vertical_block<S: Sample, O: OutputSample, const VECTORS: usize>(
    src: &Window<'_, i16>,
    first: usize,
    row_len: usize,
    taps: &[i16],
    out: &mut [O],
) {
    // SAFETY: as this function requires.
    let (low, high) = unsafe { column_sums::<i16, VECTORS>(src, first, row_len, taps, |values| values) };
    let shift = output_shift::<S, O>();
    let round = i32x4_splat(1 << (shift - 1));
    for (v, eight) in out.as_chunks_mut::<8>().0.iter_mut().enumerate().take(VECTORS) {
        let l = i32x4_shr(i32x4_add(low[v], round), shift);
        let h = i32x4_shr(i32x4_add(high[v], round), shift);
        // Saturating to i16, then clamping to the output's range, is clamping to it directly.
        let words = i16x8_narrow_i32x4(l, h);
        store_outputs(eight, words);
    }
}

/// Vertical- or horizontal-pass results (`i16` lanes; eight, or four) into as many outputs:
/// bytes, by saturating narrowing; 12-bit linear samples, clamped; fine values as they are. The
/// downcast from `O`, resolved at compile time, tells which.
#[inline(always)]
fn store_outputs<O: OutputSample, const N: usize>(out: &mut [O; N], words: v128) {
    let out: &mut dyn Any = out;
    if let Some(bytes) = out.downcast_mut::<[u8; N]>() {
        store(bytes, u8x16_narrow_i16x8(words, words));
    } else if let Some(linear) = out.downcast_mut::<[u16; N]>() {
        store(linear, i16x8_min(i16x8_max(words, i16x8_splat(0)), i16x8_splat(crate::LINEAR_MAX as i16)));
    } else if let Some(fine) = out.downcast_mut::<[i16; N]>() {
        store(fine, words);
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
        let sums = window_sums(samples, channels, row_starts, weights, x);
        if channels == 1 {
            store_totals(round_horizontal::<u16>(lane_totals(sums)), &mut out, x);
        } else {
            for (sum, out_row) in sums.into_iter().zip(out.iter_mut()) {
                store_pixel(round_horizontal::<u16>(sum), &mut out_row[x * channels..(x + 1) * channels]);
            }
        }
    }
}

/// Each row's weighted sum of output `x`'s window ([`linear_sums`]), from the window checked
/// once or, at the end of the values, padded loads. A function, as a closure with these lines
/// was compiled as a call per output (1.13x the grey resizes' time).
#[inline(always)]
fn window_sums<T: Lane, const ROWS: usize>(
    values: &[T],
    channels: usize,
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    x: usize,
) -> [v128; ROWS] {
    let taps = weights.weights(x);
    let window = weights.starts[x] * channels;
    // Loads read eight values from tap offsets inside a window; rows ascend, so the last
    // row's window ends last.
    let end = row_starts[ROWS - 1] + window + taps.len() * channels + 8;
    match Window::new(values, end) {
        // SAFETY: the window ends at `end`, as `linear_sums` needs.
        Some(inside) => unsafe { linear_sums(&inside, channels, row_starts, window, taps) },
        // SAFETY: loads from a slice pad instead of overrunning.
        None => unsafe { linear_sums(values, channels, row_starts, window, taps) },
    }
}

/// Each row's weighted sum of one window of linear samples: for grey, in four partial sums;
/// for colour, one channel per 32-bit lane.
///
/// # Safety
/// Loads from `samples` that end by `row_starts[ROWS - 1] + window + taps.len() * channels + 8`
/// are sound.
#[inline(always)]
unsafe fn linear_sums<T: Lane, const ROWS: usize>(
    samples: &(impl Loads<T> + ?Sized),
    channels: usize,
    row_starts: [usize; ROWS],
    window: usize,
    taps: &[i16],
) -> [v128; ROWS] {
    let mut sums = [i32x4_splat(0); ROWS];
    let mut k = 0;
    if channels == 1 {
        while k < taps.len() {
            let eight_taps = load_padded::<i16, 8>(taps, k);
            for (sum, row) in sums.iter_mut().zip(row_starts) {
                // SAFETY: `k < taps.len()`: the load ends at most 7 samples past the row's window.
                let data = unsafe { samples.load::<8>(row + window + k) };
                *sum = i32x4_add(*sum, i32x4_dot_i16x8(data, eight_taps));
            }
            k += 8;
        }
        return sums;
    }
    // A pixel's channels as pairs of taps' values, channel by channel.
    let interleaved = |data: v128| {
        if channels == 4 {
            i16x8_shuffle::<0, 4, 1, 5, 2, 6, 3, 7>(data, data)
        } else {
            i16x8_shuffle::<0, 3, 1, 4, 2, 5, 6, 7>(data, data)
        }
    };
    // Two pairs of taps a turn where there are (a turn of the loop costs V8 an interrupt check
    // and the loop's own arithmetic), then one.
    while k + 4 <= taps.len() {
        let (first_pair, second_pair) = (weight_pair_at(taps, k), weight_pair_at(taps, k + 2));
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: `k + 4 <= taps.len()`: the loads end at most 2 samples past the window.
            let (first, second) = unsafe {
                (samples.load::<8>(row + window + k * channels), samples.load::<8>(row + window + (k + 2) * channels))
            };
            let products = i32x4_add(
                i32x4_dot_i16x8(interleaved(first), first_pair),
                i32x4_dot_i16x8(interleaved(second), second_pair),
            );
            *sum = i32x4_add(*sum, products);
        }
        k += 4;
    }
    while k < taps.len() {
        let pair = weight_pair_or_last(taps, k);
        for (sum, row) in sums.iter_mut().zip(row_starts) {
            // SAFETY: `k < taps.len()`: the load ends at most 5 samples past the row's window.
            let data = unsafe { samples.load::<8>(row + window + k * channels) };
            *sum = i32x4_add(*sum, i32x4_dot_i16x8(interleaved(data), pair));
        }
        k += 2;
    }
    sums
}

/// The vertical pass first, as the scalar `vertical_first`: the same pairs of rows as
/// [`vertical`], from bytes, into the intermediate.
pub(super) fn vertical_first(
    src: &[u8],
    (stride, row_len): (usize, usize),
    weights: &VerticalRows<'_>,
    dst: &mut [i16],
) {
    // One past the last row the output row before read (that row's window, from the batch before
    // for the first).
    let mut read_end = weights.outputs.start.checked_sub(1).map_or(0, |before| {
        let (start, taps) = weights.axis.nonzero_window(before);
        start + taps.len()
    });
    for (y, out_row) in weights.outputs.clone().zip(dst.chunks_exact_mut(row_len)) {
        let (start, taps) = weights.axis.nonzero_window(y);
        let window = (start - weights.origin) * stride;
        // The rows the output row before did not read, read ahead in order.
        let unread = read_end.max(start);
        read_end = start + taps.len();
        read_ahead(src, (unread - weights.origin) * stride, read_end.saturating_sub(unread), (stride, row_len));
        let mut x = 0;
        // `src` holds every row a window reads: one check per output row.
        let end = window + taps.len().saturating_sub(1) * stride + row_len;
        if let Some(rows) = Window::new(src, end) {
            while x + 32 <= row_len {
                // SAFETY: the block's columns end by `row_len` in each row of the window.
                unsafe { vertical_first_bytes(&rows, window + x, stride, taps, &mut out_row[x..x + 32]) };
                x += 32;
            }
            while let Some(eight) = out_row.get_mut(x..).and_then(|rest| rest.first_chunk_mut::<8>()) {
                // SAFETY: as above.
                unsafe { vertical_first_eight(&rows, window + x, stride, taps, eight) };
                x += 8;
            }
        }
        for (x, out) in out_row.iter_mut().enumerate().skip(x) {
            *out = vertical_intermediate(src, window + x, stride, taps);
        }
    }
}

/// Reads `rows` rows of `row_len` bytes from `first` (`stride` apart), a vector from each cache
/// line, in order, so that they arrive as the hardware prefetches a sequential read, before the
/// vertical pass reads them 32 columns of every row of its window at a time: as many streams
/// as taps, more than the prefetchers follow, so that each line was a miss waited for (`perf`
/// showed the pass stalled on its loads). On an AMD EPYC, interleaved A/B: the 18 downscales of
/// kernels.md took 0.47-0.94x the time (RGBA8 bilinear 4928x3279 → 320x213 0.47x, Lanczos3 →
/// 852x567 0.75x). Tried before it: taking the columns in strips, every output row of a batch
/// over one strip before the next, so that an output row's window stays in L2 for the next
/// (0.60-0.81x on the four 320x213 cases whose windows overflow L2, 1.1x on those that fit);
/// with this, strips were level (0.92-1.0x without them), so they went.
#[inline(never)]
fn read_ahead(src: &[u8], first: usize, rows: usize, (stride, row_len): (usize, usize)) {
    let mut seen = i32x4_splat(0);
    for row in 0..rows {
        let Some(bytes) = src.get(first + row * stride..).and_then(|rest| rest.get(..row_len)) else {
            break;
        };
        for line in bytes.chunks_exact(64) {
            seen = v128_or(seen, load(line.first_chunk::<16>().unwrap_or(&[0; 16])));
        }
    }
    // The loads' values unused, but not to the compiler.
    core::hint::black_box(seen);
}

/// Sums of four columns (32-bit lanes) rounded to the bytes' intermediate, two vectors' worth
/// narrowed (saturating is the scalar clamp to `i16`) into eight values.
#[inline(always)]
fn store_intermediate(out: &mut [i16; 8], low: v128, high: v128) {
    let shift = WEIGHT_BITS - u8::INTERMEDIATE_BITS;
    let round = |sum: v128| i32x4_shr(i32x4_add(sum, i32x4_splat(1 << (shift - 1))), shift);
    store(out, i16x8_narrow_i32x4(round(low), round(high)));
}

/// Sixteen columns of two rows (`near` and `far`) as four vectors of the columns' 16-bit pairs
/// `(near, far)`: the bytes interleaved, then widened (one interleave per eight columns, where
/// widening each row first takes two; the resize cases of kernels.md took 0.86-0.99x the time).
/// The upper halves widen as an interleave with `zero`, a zero LLVM cannot see
/// ([`opaque_zero`]), which V8 keeps in a register: for `u16x8.extend_high_u8x16` it zeroes a
/// scratch register every time (the downscales 0.94-0.99x the time).
#[inline(always)]
fn byte_pairs(near: v128, far: v128, zero: v128) -> [v128; 4] {
    let low = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(near, far);
    let high = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(near, far);
    let upper =
        |bytes: v128| i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(bytes, zero);
    [u16x8_extend_low_u8x16(low), upper(low), u16x8_extend_low_u8x16(high), upper(high)]
}

/// Thirty-two intermediate values of one row (`out`, exactly that long) from the byte rows
/// `first`, `first + stride`, ...: each pair of rows' columns as [`byte_pairs`], so that each
/// 32-bit lane of `i32x4.dot_i16x8_s` accumulates one column's `v0 * w0 + v1 * w1`. Straight-line
/// code, every sum a named value: arrays of them, or loops over the two halves, would live in
/// memory instead of registers.
///
/// # Safety
/// `first + (taps.len() - 1) * stride + 32` is at most the end of `src`.
#[inline(always)]
unsafe fn vertical_first_bytes(src: &Window<'_, u8>, first: usize, stride: usize, taps: &[i16], out: &mut [i16]) {
    let zero = i32x4_splat(0);
    let opaque = opaque_zero();
    let (mut s0, mut s1, mut s2, mut s3, mut s4, mut s5, mut s6, mut s7) =
        (zero, zero, zero, zero, zero, zero, zero, zero);
    let (pairs, last) = taps.as_chunks::<2>();
    let mut row = first;
    for pair in pairs {
        let w = splat_pair(pair);
        let add = |sum: v128, pairs: v128| i32x4_add(sum, i32x4_dot_i16x8(pairs, w));
        // SAFETY: rows `row` and `row + stride` are rows of taps, inside `src` as required.
        let [p0, p1, p2, p3] =
            byte_pairs(unsafe { src.load::<16>(row) }, unsafe { src.load::<16>(row + stride) }, opaque);
        (s0, s1, s2, s3) = (add(s0, p0), add(s1, p1), add(s2, p2), add(s3, p3));
        // SAFETY: as above.
        let [p4, p5, p6, p7] =
            byte_pairs(unsafe { src.load::<16>(row + 16) }, unsafe { src.load::<16>(row + stride + 16) }, opaque);
        (s4, s5, s6, s7) = (add(s4, p4), add(s5, p5), add(s6, p6), add(s7, p7));
        row += 2 * stride;
    }
    if let [last] = last {
        // The last row paired with zeros, weighted by the last tap and zero.
        let w = splat_pair(&[*last, 0]);
        let add = |sum: v128, pairs: v128| i32x4_add(sum, i32x4_dot_i16x8(pairs, w));
        // SAFETY: `row` is the last tap's row.
        let [p0, p1, p2, p3] = byte_pairs(unsafe { src.load::<16>(row) }, zero, opaque);
        (s0, s1, s2, s3) = (add(s0, p0), add(s1, p1), add(s2, p2), add(s3, p3));
        // SAFETY: as above.
        let [p4, p5, p6, p7] = byte_pairs(unsafe { src.load::<16>(row + 16) }, zero, opaque);
        (s4, s5, s6, s7) = (add(s4, p4), add(s5, p5), add(s6, p6), add(s7, p7));
    }
    let (eights, _) = out.as_chunks_mut::<8>();
    for (eight, (low, high)) in eights.iter_mut().zip([(s0, s1), (s2, s3), (s4, s5), (s6, s7)]) {
        store_intermediate(eight, low, high);
    }
}

/// Eight intermediate values of one row from the byte rows `first`, `first + stride`, ...
/// ([`column_sums`]), for the columns short of a block of 32.
///
/// # Safety
/// `first + (taps.len() - 1) * stride + 8` is at most the end of `src`.
#[inline(always)]
unsafe fn vertical_first_eight(src: &Window<'_, u8>, first: usize, stride: usize, taps: &[i16], out: &mut [i16; 8]) {
    // SAFETY: as this function requires.
    let ([low], [high]) =
        unsafe { column_sums::<u8, 1>(src, first, stride, taps, |bytes| u16x8_extend_low_u8x16(bytes)) };
    store_intermediate(out, low, high);
}

/// Then the horizontal pass, as the scalar `horizontal_last`: intermediate values fit `i16`
/// lanes as they are, so the sums are those of the linear-light pass ([`linear_sums`]), four
/// rows per weight load, rounded to samples.
pub(super) fn horizontal_last<S: Sample, O: OutputSample>(
    src: &[i16],
    row_len: usize,
    weights: &AxisWeights,
    dst: ImageMut<'_, O>,
) {
    let channels = dst.layout.channels();
    let width = dst.width * channels;
    let mut out_rows = dst.pixels.chunks_mut(dst.stride).take(dst.height).map(|row| &mut row[..width]);
    let mut first = 0;
    while first + 4 * row_len <= src.len() {
        let (Some(a), Some(b), Some(c), Some(d)) = (out_rows.next(), out_rows.next(), out_rows.next(), out_rows.next())
        else {
            return;
        };
        let starts = [first, first + row_len, first + 2 * row_len, first + 3 * row_len];
        intermediate_rows::<S, O, 4>(src, channels, starts, weights, [a, b, c, d]);
        first += 4 * row_len;
    }
    for out in out_rows {
        intermediate_rows::<S, O, 1>(src, channels, [first], weights, [out]);
        first += row_len;
    }
}

fn intermediate_rows<S: Sample, O: OutputSample, const ROWS: usize>(
    src: &[i16],
    channels: usize,
    row_starts: [usize; ROWS],
    weights: &AxisWeights,
    mut out: [&mut [O]; ROWS],
) {
    let shift = output_shift::<S, O>();
    let round = |sum: v128| i32x4_shr(i32x4_add(sum, i32x4_splat(1 << (shift - 1))), shift);
    let lanes = |value: v128| {
        [
            i32x4_extract_lane::<0>(value),
            i32x4_extract_lane::<1>(value),
            i32x4_extract_lane::<2>(value),
            i32x4_extract_lane::<3>(value),
        ]
    };
    let sums_at = |x: usize| window_sums(src, channels, row_starts, weights, x);
    let outputs = weights.starts.len();
    if channels == 1 {
        // Each output's rounded totals (lane `r` for row `r`) kept until four are in, then
        // turned to each row's four and clamped and stored together, where each value was
        // extracted, clamped and stored alone (the L8 resizes of kernels.md 0.93-0.97x the
        // time, the 2560x1600 photos' pipelines 0.97x).
        let mut pending = [i32x4_splat(0); 4];
        for x in 0..outputs {
            pending[x % 4] = round(lane_totals(sums_at(x)));
            if x % 4 == 3 {
                let rows = transpose(pending);
                for (out_row, four_values) in out.iter_mut().zip(rows) {
                    if let Some(four) = out_row.get_mut(x - 3..).and_then(|rest| rest.first_chunk_mut::<4>()) {
                        store_outputs(four, i16x8_narrow_i32x4(four_values, four_values));
                    }
                }
            }
        }
        for x in outputs - outputs % 4..outputs {
            for (out_row, value) in out.iter_mut().zip(lanes(pending[x % 4])) {
                out_row[x] = O::clamped(value);
            }
        }
        return;
    }
    for x in 0..outputs {
        for (sum, out_row) in sums_at(x).into_iter().zip(out.iter_mut()) {
            let values = round(sum);
            // The pixel's values as one vector: RGBA's four, or RGB's three and a fourth on the
            // next pixel's first value, which that pixel's store overwrites (all but a row's
            // last pixel, which takes the values one by one). Downscales 0.92-0.98x the time.
            if let Some(four) = out_row.get_mut(x * channels..).and_then(|rest| rest.first_chunk_mut::<4>()) {
                store_outputs(four, i16x8_narrow_i32x4(values, values));
                continue;
            }
            for (sample, value) in out_row[x * channels..(x + 1) * channels].iter_mut().zip(lanes(values)) {
                *sample = O::clamped(value);
            }
        }
    }
}
