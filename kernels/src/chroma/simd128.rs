//! Sixteen samples at a time in 16-bit lanes (32-bit for the colour products), with the scalar
//! arithmetic lane by lane; the upsamplers leave each row's first sample and its tail to the
//! scalar code, where neighbours are clamped at the ends.
//!
//! The colour conversion's constants over 2^16 are split into a whole part and a remainder:
//! `1.402 cr = cr + 0.402 cr`, `1.772 cb = 2 cb - 0.228 cb`, `0.71414 cr = cr - 0.28586 cr`.
//! Adding whole multiples of 2^16 before the shift changes nothing after it. Green's two
//! products are summed before rounding, in `i32x4.dot` on 16-bit lanes; red's and blue's single
//! ones are `i16x8.q15mulr_sat` (one instruction for eight pixels), whose rounding at 2^15 with
//! the constants below gives the scalar rounding at 2^16 for every Cb and Cr (a compile-time
//! check), so the results are the scalar ones exactly.

use core::arch::wasm32::*;

use super::scalar::{
    self, CB_B, CB_FROM_B, CB_FROM_G, CB_FROM_R, CB_G, CHROMA_ROUNDING, CR_FROM_B, CR_FROM_G, CR_FROM_R, CR_G, CR_R,
    FINE_CB_B, FINE_CB_G, FINE_CENTRE, FINE_CR_G, FINE_CR_R, FINE_HALF, FINE_SCALE_BITS, FINE_SHIFT, HALF, SCALE_BITS,
    TO_YCBCR_BITS, Y_B, Y_G, Y_R,
};
use crate::simd::lanes::bytes;
use crate::simd::memory::{load, store};
use crate::simd::weights::pair;

const ONE: i32 = 1 << SCALE_BITS;
const CR_G_REMAINDER: i16 = (ONE - CR_G) as i16;
const _: () = assert!(ONE - CR_G < 1 << 15);
/// 0.402 and -0.228 × 2^15, for `q15mulr` (`(c × k + 2^14) >> 15`, which never saturates here).
const CR_R_Q15: i16 = 13173;
const CB_B_Q15: i16 = -7471;
// Checked at compile time: for every chroma value, the products rounded at 2^15 are the scalar
// remainders' products rounded at 2^16.
const _: () = {
    let mut c = -128;
    while c < 128 {
        assert!((c * CR_R_Q15 as i32 + (1 << 14)) >> 15 == ((CR_R - ONE) * c + HALF) >> SCALE_BITS);
        assert!((c * CB_B_Q15 as i32 + (1 << 14)) >> 15 == ((CB_B - 2 * ONE) * c + HALF) >> SCALE_BITS);
        c += 1;
    }
};

#[inline(always)]
fn window<const N: usize>(values: &[u8], at: usize) -> Option<&[u8; N]> {
    values.get(at..)?.first_chunk::<N>()
}

#[inline(always)]
fn low(v: v128) -> v128 {
    u16x8_extend_low_u8x16(v)
}

#[inline(always)]
fn high(v: v128) -> v128 {
    u16x8_extend_high_u8x16(v)
}

/// `(a + b + bias) >> shift` on 16-bit lanes.
#[inline(always)]
fn round_sum(a: v128, b: v128, bias: u16, shift: u32) -> v128 {
    u16x8_shr(i16x8_add(i16x8_add(a, b), u16x8_splat(bias)), shift)
}

/// Sixteen even and sixteen odd outputs, interleaved, at `out[at..at + 32]`.
#[inline(always)]
fn store_interleaved(out: &mut [u8], at: usize, even: v128, odd: v128) -> Option<()> {
    let pair = out.get_mut(at..)?.first_chunk_mut::<32>()?;
    let (first, second) = pair.split_at_mut(16);
    store(
        first.first_chunk_mut::<16>()?,
        i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(even, odd),
    );
    store(
        second.first_chunk_mut::<16>()?,
        i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(even, odd),
    );
    Some(())
}

pub(super) fn upsample_h2(row: &[u8], out: &mut [u8]) {
    let n = row.len();
    let three = u16x8_splat(3);
    let mut i = 1;
    while i + 17 <= n {
        let (Some(left), Some(middle), Some(right)) = (window(row, i - 1), window(row, i), window(row, i + 1)) else {
            break;
        };
        let (left, middle, right) = (load::<u8, 16>(left), load::<u8, 16>(middle), load::<u8, 16>(right));
        let (near_low, near_high) = (i16x8_mul(low(middle), three), i16x8_mul(high(middle), three));
        let even = u8x16_narrow_i16x8(round_sum(near_low, low(left), 1, 2), round_sum(near_high, high(left), 1, 2));
        let odd = u8x16_narrow_i16x8(round_sum(near_low, low(right), 2, 2), round_sum(near_high, high(right), 2, 2));
        if store_interleaved(out, 2 * i, even, odd).is_none() {
            break;
        }
        i += 16;
    }
    scalar::upsample_h2(row, out, 0..n.min(1));
    scalar::upsample_h2(row, out, i.min(n).max(n.min(1))..n);
}

pub(super) fn upsample_h2v2(near: &[u8], far: &[u8], out: &mut [u8]) {
    let n = near.len();
    let three = u16x8_splat(3);
    // Column sums `3 near + far` of sixteen samples from `at`, low and high halves.
    let columns = |at: usize| -> Option<(v128, v128)> {
        let (near, far) = (load::<u8, 16>(window(near, at)?), load::<u8, 16>(window(far, at)?));
        Some((i16x8_add(i16x8_mul(low(near), three), low(far)), i16x8_add(i16x8_mul(high(near), three), high(far))))
    };
    let mut i = 1;
    while i + 17 <= n {
        let (Some(left), Some(middle), Some(right)) = (columns(i - 1), columns(i), columns(i + 1)) else { break };
        let (middle_low, middle_high) = (i16x8_mul(middle.0, three), i16x8_mul(middle.1, three));
        let even = u8x16_narrow_i16x8(round_sum(middle_low, left.0, 8, 4), round_sum(middle_high, left.1, 8, 4));
        let odd = u8x16_narrow_i16x8(round_sum(middle_low, right.0, 7, 4), round_sum(middle_high, right.1, 7, 4));
        if store_interleaved(out, 2 * i, even, odd).is_none() {
            break;
        }
        i += 16;
    }
    scalar::upsample_h2v2(near, far, out, 0..n.min(1));
    scalar::upsample_h2v2(near, far, out, i.min(n).max(n.min(1))..n);
}

pub(super) fn upsample_v2(near: &[u8], far: &[u8], bias: u16, out: &mut [u8]) {
    let three = u16x8_splat(3);
    let (near_chunks, near_tail) = near.as_chunks::<16>();
    let (far_chunks, far_tail) = far.as_chunks::<16>();
    let (out_chunks, out_tail) = out.as_chunks_mut::<16>();
    for ((out, near), far) in out_chunks.iter_mut().zip(near_chunks).zip(far_chunks) {
        let (near, far) = (load(near), load(far));
        let low_half = round_sum(i16x8_mul(low(near), three), low(far), bias, 2);
        let high_half = round_sum(i16x8_mul(high(near), three), high(far), bias, 2);
        store(out, u8x16_narrow_i16x8(low_half, high_half));
    }
    scalar::upsample_v2(near_tail, far_tail, bias, out_tail);
}

/// `u8x16.avgr_u` is the scalar mean rounded half up.
pub(super) fn downsample_v2(top: &[u8], bottom: &[u8], out: &mut [u8]) {
    let (top_chunks, top_tail) = top.as_chunks::<16>();
    let (bottom_chunks, bottom_tail) = bottom.as_chunks::<16>();
    let (out_chunks, out_tail) = out.as_chunks_mut::<16>();
    for ((out, top), bottom) in out_chunks.iter_mut().zip(top_chunks).zip(bottom_chunks) {
        store(out, u8x16_avgr(load(top), load(bottom)));
    }
    scalar::downsample_v2(top_tail, bottom_tail, out_tail);
}

/// Sixteen outputs from 32 columns: pairs summed across (`i16x8.extadd_pairwise_u8x16`), the
/// rows added, rounded and narrowed; an odd width's last column to the scalar code.
pub(super) fn downsample_h2v2(top: &[u8], bottom: &[u8], out: &mut [u8]) {
    let (top_chunks, _) = top.as_chunks::<32>();
    let (bottom_chunks, _) = bottom.as_chunks::<32>();
    let (out_chunks, _) = out.as_chunks_mut::<16>();
    let mut done = 0;
    for ((out, top), bottom) in out_chunks.iter_mut().zip(top_chunks).zip(bottom_chunks) {
        let (top_low, top_high) = top.split_at(16);
        let (bottom_low, bottom_high) = bottom.split_at(16);
        let part = |bytes: &[u8]| bytes.first_chunk::<16>().map_or(u8x16_splat(0), load);
        let eight = |top: &[u8], bottom: &[u8]| {
            let sum = i16x8_add(u16x8_extadd_pairwise_u8x16(part(top)), u16x8_extadd_pairwise_u8x16(part(bottom)));
            u16x8_shr(i16x8_add(sum, u16x8_splat(2)), 2)
        };
        store(out, u8x16_narrow_i16x8(eight(top_low, bottom_low), eight(top_high, bottom_high)));
        done += 16;
    }
    scalar::downsample_h2v2(top, bottom, out, done);
}

/// `(product + HALF) >> SCALE_BITS` for the 32-bit products of eight pixels, as 16-bit lanes.
#[inline(always)]
fn descale(low_products: v128, high_products: v128) -> v128 {
    let half = i32x4_splat(HALF);
    let low_half = i32x4_shr(i32x4_add(low_products, half), SCALE_BITS as u32);
    let high_half = i32x4_shr(i32x4_add(high_products, half), SCALE_BITS as u32);
    i16x8_narrow_i32x4(low_half, high_half)
}

/// Eight pixels' R, G and B (16-bit lanes, not yet clamped) from their Y, Cb and Cr.
#[inline(always)]
fn eight_pixels(y: v128, cb: v128, cr: v128) -> [v128; 3] {
    let offset = i16x8_splat(128);
    let (cb, cr) = (i16x8_sub(cb, offset), i16x8_sub(cr, offset));
    let r = i16x8_add(i16x8_add(y, cr), i16x8_q15mulr_sat(cr, i16x8_splat(CR_R_Q15)));
    let weights = i16x8(
        -CB_G as i16,
        CR_G_REMAINDER,
        -CB_G as i16,
        CR_G_REMAINDER,
        -CB_G as i16,
        CR_G_REMAINDER,
        -CB_G as i16,
        CR_G_REMAINDER,
    );
    let pairs_low = i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(cb, cr);
    let pairs_high = i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(cb, cr);
    let g =
        i16x8_add(i16x8_sub(y, cr), descale(i32x4_dot_i16x8(pairs_low, weights), i32x4_dot_i16x8(pairs_high, weights)));
    let b = i16x8_add(i16x8_add(y, i16x8_shl(cb, 1)), i16x8_q15mulr_sat(cb, i16x8_splat(CB_B_Q15)));
    [r, g, b]
}

pub(super) fn ycbcr_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    let (y_chunks, y_tail) = y.as_chunks::<16>();
    let (cb_chunks, cb_tail) = cb.as_chunks::<16>();
    let (cr_chunks, cr_tail) = cr.as_chunks::<16>();
    let (out_chunks, out_tail) = out.as_chunks_mut::<48>();
    for (((out, y), cb), cr) in out_chunks.iter_mut().zip(y_chunks).zip(cb_chunks).zip(cr_chunks) {
        let (y, cb, cr) = (load(y), load(cb), load(cr));
        let [r_low, g_low, b_low] = eight_pixels(low(y), low(cb), low(cr));
        let [r_high, g_high, b_high] = eight_pixels(high(y), high(cb), high(cr));
        store_rgb(out, [r_low, g_low, b_low], [r_high, g_high, b_high]);
    }
    scalar::ycbcr_to_rgb(y_tail, cb_tail, cr_tail, out_tail);
}

/// Where the bytes of one channel (0 R, 1 G, 2 B) of sixteen pixels go in the `vector`th 16
/// bytes of their 48 interleaved ones: the pixel whose byte lands there, or 0x80 (a zero).
const fn interleave_mask(vector: usize, channel: usize) -> v128 {
    let mut lanes = [0x80u8; 16];
    let mut lane = 0;
    while lane < 16 {
        let byte = 16 * vector + lane;
        if byte % 3 == channel {
            lanes[lane] = (byte / 3) as u8;
        }
        lane += 1;
    }
    let l = lanes;
    u8x16(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11], l[12], l[13], l[14], l[15])
}

/// [`interleave_mask`] for each output vector and channel, in memory: [`store_rgb`] loads them
/// (one instruction each) where V8 would build each constant from two 64-bit immediates in the
/// loop (four), the 1/1 decode 0.98x the time.
static INTERLEAVE: [[v128; 3]; 3] = {
    let mask = interleave_mask;
    [[mask(0, 0), mask(0, 1), mask(0, 2)], [mask(1, 0), mask(1, 1), mask(1, 2)], [mask(2, 0), mask(2, 1), mask(2, 2)]]
};

/// Sixteen pixels' R, G and B (16-bit lanes, eight pixels and the next eight) clamped to bytes
/// and interleaved into `out`: each 16 bytes the OR of one single-input shuffle per channel, a
/// `pshufb` each in V8, which makes a two-input shuffle of two, an OR and a second mask (nine
/// `pshufb` and masks here where interleaving R and G first, then B, took twelve; the 1/1
/// decode 0.97-0.98x).
#[inline(always)]
fn store_rgb(out: &mut [u8; 48], [r_low, g_low, b_low]: [v128; 3], [r_high, g_high, b_high]: [v128; 3]) {
    // Saturating to 0..=255 is the scalar clamp.
    let r = u8x16_narrow_i16x8(r_low, r_high);
    let g = u8x16_narrow_i16x8(g_low, g_high);
    let b = u8x16_narrow_i16x8(b_low, b_high);
    let (out_chunks, _) = out.as_chunks_mut::<16>();
    // Opaque to the compiler, which would fold the masks back into constants.
    let masks: &[[v128; 3]; 3] = core::hint::black_box(&INTERLEAVE);
    for (target, &[r_mask, g_mask, b_mask]) in out_chunks.iter_mut().zip(masks) {
        let rg = v128_or(i8x16_swizzle(r, r_mask), i8x16_swizzle(g, g_mask));
        store(target, v128_or(rg, i8x16_swizzle(b, b_mask)));
    }
}

/// As [`ycbcr_to_rgb`] from fine values (16 × the sample): the scalar sums in 32-bit lanes, Y
/// widened and shifted, red's and blue's products as `i32x4.extmul`, green's two in one
/// `i32x4.dot`.
pub(super) fn ycbcr_fine_to_rgb(y: &[i16], cb: &[i16], cr: &[i16], out: &mut [u8]) {
    let (y_chunks, y_tail) = y.as_chunks::<16>();
    let (cb_chunks, cb_tail) = cb.as_chunks::<16>();
    let (cr_chunks, cr_tail) = cr.as_chunks::<16>();
    let (out_chunks, out_tail) = out.as_chunks_mut::<48>();
    for (((out, y), cb), cr) in out_chunks.iter_mut().zip(y_chunks).zip(cb_chunks).zip(cr_chunks) {
        let halves = |values: &[i16; 16]| {
            let (first, second) = values.split_at(8);
            [first, second].map(|half| <&[i16; 8]>::try_from(half).map_or(i16x8_splat(0), load))
        };
        let ([y_low, y_high], [cb_low, cb_high], [cr_low, cr_high]) = (halves(y), halves(cb), halves(cr));
        store_rgb(out, fine_eight_pixels(y_low, cb_low, cr_low), fine_eight_pixels(y_high, cb_high, cr_high));
    }
    scalar::ycbcr_fine_to_rgb(y_tail, cb_tail, cr_tail, out_tail);
}

/// Eight pixels' R, G and B (16-bit lanes, saturated, not yet clamped) from fine Y, Cb and Cr.
#[inline(always)]
fn fine_eight_pixels(y: v128, cb: v128, cr: v128) -> [v128; 3] {
    let centre = i16x8_splat(FINE_CENTRE);
    let (cb, cr) = (i16x8_sub_sat(cb, centre), i16x8_sub_sat(cr, centre));
    let half = i32x4_splat(FINE_HALF);
    let base = [i32x4_extend_low_i16x8(y), i32x4_extend_high_i16x8(y)]
        .map(|luma| i32x4_add(i32x4_shl(luma, FINE_SCALE_BITS), half));
    let descale = |[low, high]: [v128; 2]| i16x8_narrow_i32x4(i32x4_shr(low, FINE_SHIFT), i32x4_shr(high, FINE_SHIFT));
    let cr_r = i16x8_splat(FINE_CR_R as i16);
    let cb_b = i16x8_splat(FINE_CB_B as i16);
    let r = descale([
        i32x4_add(base[0], i32x4_extmul_low_i16x8(cr, cr_r)),
        i32x4_add(base[1], i32x4_extmul_high_i16x8(cr, cr_r)),
    ]);
    let b = descale([
        i32x4_add(base[0], i32x4_extmul_low_i16x8(cb, cb_b)),
        i32x4_add(base[1], i32x4_extmul_high_i16x8(cb, cb_b)),
    ]);
    let (g_cb, g_cr) = (-FINE_CB_G as i16, -FINE_CR_G as i16);
    let weights = i16x8(g_cb, g_cr, g_cb, g_cr, g_cb, g_cr, g_cb, g_cr);
    let pairs_low = i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(cb, cr);
    let pairs_high = i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(cb, cr);
    let g = descale([
        i32x4_add(base[0], i32x4_dot_i16x8(pairs_low, weights)),
        i32x4_add(base[1], i32x4_dot_i16x8(pairs_high, weights)),
    ]);
    [r, g, b]
}

// The constants fit the 16-bit lanes they are splatted into.
const _: () = assert!(FINE_CR_R < 1 << 15 && FINE_CB_B < 1 << 15 && FINE_CR_G < 1 << 15 && FINE_CB_G < 1 << 15);

// RGB to YCbCr: sixteen pixels' 48 bytes regrouped into (R, G) and (B, 1) byte pairs, widened to
// 16-bit lanes, so that each of Y, Cb and Cr for four pixels is two `i32x4.dot` products: the
// (B, 1) pair's second weight is the rounding term. Pairs summed over 2 × 2 pixels give
// (4-pixel sums, 4), so the same weights give 4:2:0's sums and rounding.

const Y_FROM_RG: i32 = pair(Y_R, Y_G);
const Y_FROM_B: i32 = pair(Y_B, 1 << (TO_YCBCR_BITS - 1));
const CB_FROM_RG: i32 = pair(CB_FROM_R, CB_FROM_G);
const CB_FROM_B1: i32 = pair(CB_FROM_B, CHROMA_ROUNDING);
const CR_FROM_RG: i32 = pair(CR_FROM_R, CR_FROM_G);
const CR_FROM_B1: i32 = pair(CR_FROM_B, CHROMA_ROUNDING);

/// Sixteen pixels as 16-bit (R, G) pairs and (B, 1) pairs, four pixels a vector.
struct Pairs {
    rg: [v128; 4],
    b1: [v128; 4],
}

#[inline(always)]
fn pairs(pixels: &[u8; 48]) -> Pairs {
    let (first, rest) = pixels.split_at(16);
    let (second, third) = rest.split_at(16);
    let part = |bytes: &[u8]| bytes.first_chunk::<16>().map_or(u8x16_splat(0), load);
    let (v0, v1, v2) = (part(first), part(second), part(third));
    let rg_low = i8x16_shuffle::<0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22>(v0, v1);
    let rg_high = i8x16_shuffle::<8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24, 26, 27, 29, 30>(v1, v2);
    let b_low = i8x16_shuffle::<2, 0, 5, 0, 8, 0, 11, 0, 14, 0, 17, 0, 20, 0, 23, 0>(v0, v1);
    let b_high = i8x16_shuffle::<10, 0, 13, 0, 16, 0, 19, 0, 22, 0, 25, 0, 28, 0, 31, 0>(v1, v2);
    // B in each pair's low byte, 1 in its high byte.
    let with_one = |b: v128| v128_bitselect(b, u16x8_splat(0x0100), u16x8_splat(0x00FF));
    let (b1_low, b1_high) = (with_one(b_low), with_one(b_high));
    Pairs {
        rg: [low(rg_low), high(rg_low), low(rg_high), high(rg_high)],
        b1: [low(b1_low), high(b1_low), low(b1_high), high(b1_high)],
    }
}

/// `(dot(rg, rg_weights) + dot(b1, b1_weights) + offset) >> shift` for four pixels.
#[inline(always)]
fn weighted(rg: v128, b1: v128, [rg_weights, b1_weights]: [i32; 2], offset: i32, shift: u32) -> v128 {
    let sum = i32x4_add(i32x4_dot_i16x8(rg, i32x4_splat(rg_weights)), i32x4_dot_i16x8(b1, i32x4_splat(b1_weights)));
    i32x4_shr(i32x4_add(sum, i32x4_splat(offset)), shift)
}

#[inline(always)]
fn luma(pairs: &Pairs) -> v128 {
    let [rg0, rg1, rg2, rg3] = pairs.rg;
    let [b0, b1, b2, b3] = pairs.b1;
    let y = |rg, b| weighted(rg, b, [Y_FROM_RG, Y_FROM_B], 0, TO_YCBCR_BITS);
    bytes([y(rg0, b0), y(rg1, b1), y(rg2, b2), y(rg3, b3)])
}

const CB_WEIGHTS: [i32; 2] = [CB_FROM_RG, CB_FROM_B1];
const CR_WEIGHTS: [i32; 2] = [CR_FROM_RG, CR_FROM_B1];

pub(super) fn rgb_to_ycbcr(rgb: &[u8], y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let (rgb_chunks, rgb_tail) = rgb.as_chunks::<48>();
    let (y_chunks, y_tail) = y.as_chunks_mut::<16>();
    let (cb_chunks, cb_tail) = cb.as_chunks_mut::<16>();
    let (cr_chunks, cr_tail) = cr.as_chunks_mut::<16>();
    let offset = 128 << TO_YCBCR_BITS;
    for (((pixels, y), cb), cr) in rgb_chunks.iter().zip(y_chunks).zip(cb_chunks).zip(cr_chunks) {
        let pairs = pairs(pixels);
        store(y, luma(&pairs));
        let [rg0, rg1, rg2, rg3] = pairs.rg;
        let [b0, b1, b2, b3] = pairs.b1;
        let cb_of = |rg, b| weighted(rg, b, CB_WEIGHTS, offset, TO_YCBCR_BITS);
        let cr_of = |rg, b| weighted(rg, b, CR_WEIGHTS, offset, TO_YCBCR_BITS);
        store(cb, bytes([cb_of(rg0, b0), cb_of(rg1, b1), cb_of(rg2, b2), cb_of(rg3, b3)]));
        store(cr, bytes([cr_of(rg0, b0), cr_of(rg1, b1), cr_of(rg2, b2), cr_of(rg3, b3)]));
    }
    scalar::rgb_to_ycbcr(rgb_tail, y_tail, cb_tail, cr_tail);
}

/// Two rows' pairs of four pixels summed down the columns, then across each two columns:
/// 32-bit lanes 0 and 2 hold the 2 × 2 sums of pixels (0, 1) and (2, 3).
#[inline(always)]
fn square_sums(top: v128, bottom: v128) -> v128 {
    let columns = i16x8_add(top, bottom);
    i16x8_add(columns, i32x4_shuffle::<1, 0, 3, 2>(columns, columns))
}

pub(super) fn rgb_to_ycbcr_h2v2(
    [top, bottom]: [&[u8]; 2],
    [y_top, y_bottom]: [&mut [u8]; 2],
    cb: &mut [u8],
    cr: &mut [u8],
) {
    let (top_chunks, _) = top.as_chunks::<48>();
    let (bottom_chunks, _) = bottom.as_chunks::<48>();
    let (y_top_chunks, _) = y_top.as_chunks_mut::<16>();
    let (y_bottom_chunks, _) = y_bottom.as_chunks_mut::<16>();
    let (cb_chunks, _) = cb.as_chunks_mut::<8>();
    let (cr_chunks, _) = cr.as_chunks_mut::<8>();
    let done = top_chunks.len().min(cb_chunks.len());
    let offset = 128 << (TO_YCBCR_BITS + 2);
    let rows = top_chunks.iter().zip(bottom_chunks).zip(y_top_chunks.iter_mut().zip(y_bottom_chunks));
    for (((top, bottom), (y_top, y_bottom)), (cb, cr)) in rows.zip(cb_chunks.iter_mut().zip(cr_chunks)) {
        let (top, bottom) = (pairs(top), pairs(bottom));
        store(y_top, luma(&top));
        store(y_bottom, luma(&bottom));
        let sums = |[t0, t1, t2, t3]: [v128; 4], [b0, b1, b2, b3]: [v128; 4]| {
            let (s0, s1, s2, s3) = (square_sums(t0, b0), square_sums(t1, b1), square_sums(t2, b2), square_sums(t3, b3));
            [i32x4_shuffle::<0, 2, 4, 6>(s0, s1), i32x4_shuffle::<0, 2, 4, 6>(s2, s3)]
        };
        let ([rg0, rg1], [b0, b1]) = (sums(top.rg, bottom.rg), sums(top.b1, bottom.b1));
        let chroma = |weights| {
            let value = |rg, b| weighted(rg, b, weights, offset, TO_YCBCR_BITS + 2);
            let zero = i32x4_splat(0);
            bytes([value(rg0, b0), value(rg1, b1), zero, zero])
        };
        store(cb, chroma(CB_WEIGHTS));
        store(cr, chroma(CR_WEIGHTS));
    }
    scalar::rgb_to_ycbcr_h2v2([top, bottom], [y_top, y_bottom], cb, cr, 8 * done..cb.len());
}
