//! The scalar transform's arithmetic on 16-bit lanes, eight lines at once: the block transposed
//! so that a pass over its vectors transforms each row, its products as `i32x4.dot_i16x8_s` over
//! interleaved pairs of inputs (`pmaddwd`, two products a lane, the scalar sums regrouped),
//! narrowed back to 16 bits, transposed back, and the column pass the same way.
//!
//! Quantization divides in `f32`: the transform's outputs (|x| < 2^15) and the divisors (8 × a
//! step ≤ 2047) are exact in `f32`, so a correctly rounded quotient that lies exactly halfway is
//! exact, and any other lies at least 1/divisor from the halfway point, far more than `f32`'s
//! error at these magnitudes; adding ±0.5 and truncating then gives the integer rounding half
//! away from zero.

use core::arch::wasm32::*;

use super::{Quantizer, ZIGZAG_TO_NATURAL};
use crate::idct::scalar::{
    CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865, FIX_0_899976223, FIX_1_175875602,
    FIX_1_501321110, FIX_1_847759065, FIX_1_961570560, FIX_2_053119869, FIX_2_562915447, FIX_3_072711026, PASS1_BITS,
};
use crate::simd::memory::{load, store};
use crate::simd::weights::pair;

// The scalar `points`' products regrouped by `(a + b) c = a c + b c`, so that each output is
// one dot product of a pair of inputs (even part, over (t12, t13)) or two (odd part, over
// (t4, t5) and (t6, t7)): the same integer sums.
const Z5: i32 = FIX_1_175875602;
const Y2: i32 = pair(FIX_0_541196100, FIX_0_541196100 + FIX_0_765366865);
const Y6: i32 = pair(FIX_0_541196100 - FIX_1_847759065, FIX_0_541196100);
const Y7: [i32; 2] = [
    pair(FIX_0_298631336 - FIX_0_899976223 - FIX_1_961570560 + Z5, Z5),
    pair(Z5 - FIX_1_961570560, Z5 - FIX_0_899976223),
];
const Y5: [i32; 2] = [
    pair(Z5, FIX_2_053119869 - FIX_2_562915447 + Z5 - FIX_0_390180644),
    pair(Z5 - FIX_2_562915447, Z5 - FIX_0_390180644),
];
const Y3: [i32; 2] = [
    pair(Z5 - FIX_1_961570560, Z5 - FIX_2_562915447),
    pair(FIX_3_072711026 - FIX_2_562915447 + Z5 - FIX_1_961570560, Z5),
];
const Y1: [i32; 2] = [
    pair(Z5 - FIX_0_899976223, Z5 - FIX_0_390180644),
    pair(Z5, FIX_1_501321110 - FIX_0_899976223 + Z5 - FIX_0_390180644),
];
/// (t10, t11) to their sum and difference.
const SUM: i32 = pair(1, 1);
const DIFFERENCE: i32 = pair(1, -1);

/// Two vectors' 16-bit lanes interleaved: the pairs of lanes 0..4, then of lanes 4..8.
#[inline(always)]
fn interleave(a: v128, b: v128) -> [v128; 2] {
    [i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b), i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b)]
}

#[inline(always)]
fn descale(value: v128, shift: i32) -> v128 {
    i32x4_shr(i32x4_add(value, i32x4_splat(1 << (shift - 1))), shift as u32)
}

/// One pass over eight vectors of eight 16-bit lanes (each lane its own line of 8 points), as
/// the scalar `points`: each output as two `i32x4` halves (lanes 0..4, 4..8) before descaling,
/// outputs 0 and 4 as plain sums, the others × 2^CONST_BITS.
#[inline(always)]
fn points([x0, x1, x2, x3, x4, x5, x6, x7]: [v128; 8]) -> [[v128; 2]; 8] {
    // Sums of two 16-bit values within ±8192 (8-bit samples, then the first pass's outputs).
    let (t0, t7) = (i16x8_add(x0, x7), i16x8_sub(x0, x7));
    let (t1, t6) = (i16x8_add(x1, x6), i16x8_sub(x1, x6));
    let (t2, t5) = (i16x8_add(x2, x5), i16x8_sub(x2, x5));
    let (t3, t4) = (i16x8_add(x3, x4), i16x8_sub(x3, x4));
    let (t10, t13) = (i16x8_add(t0, t3), i16x8_sub(t0, t3));
    let (t11, t12) = (i16x8_add(t1, t2), i16x8_sub(t1, t2));
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let one = |[low, high]: [v128; 2], weights: i32| [dot(low, weights), dot(high, weights)];
    let two = |[low, high]: [v128; 2], [other_low, other_high]: [v128; 2], [first, second]: [i32; 2]| {
        [i32x4_add(dot(low, first), dot(other_low, second)), i32x4_add(dot(high, first), dot(other_high, second))]
    };
    let (p1011, p1213) = (interleave(t10, t11), interleave(t12, t13));
    let (p45, p67) = (interleave(t4, t5), interleave(t6, t7));
    [
        one(p1011, SUM),
        two(p45, p67, Y1),
        one(p1213, Y2),
        two(p45, p67, Y3),
        one(p1011, DIFFERENCE),
        two(p45, p67, Y5),
        one(p1213, Y6),
        two(p45, p67, Y7),
    ]
}

/// The scalar first pass, its outputs narrowed back to 16 bits (they lie within ±4096).
#[inline(always)]
fn first_pass(x: [v128; 8]) -> [v128; 8] {
    let [y0, y1, y2, y3, y4, y5, y6, y7] = points(x);
    let odd = |[low, high]: [v128; 2]| {
        let shift = CONST_BITS - PASS1_BITS;
        i16x8_narrow_i32x4(descale(low, shift), descale(high, shift))
    };
    let even = |[low, high]: [v128; 2]| {
        i16x8_narrow_i32x4(i32x4_shl(low, PASS1_BITS as u32), i32x4_shl(high, PASS1_BITS as u32))
    };
    [even(y0), odd(y1), odd(y2), odd(y3), even(y4), odd(y5), odd(y6), odd(y7)]
}

/// The scalar second pass, as `i32x4` halves.
#[inline(always)]
fn second_pass(x: [v128; 8]) -> [[v128; 2]; 8] {
    let [y0, y1, y2, y3, y4, y5, y6, y7] = points(x);
    let odd = |[low, high]: [v128; 2]| [descale(low, CONST_BITS + PASS1_BITS), descale(high, CONST_BITS + PASS1_BITS)];
    let even = |[low, high]: [v128; 2]| [descale(low, PASS1_BITS), descale(high, PASS1_BITS)];
    [even(y0), odd(y1), odd(y2), odd(y3), even(y4), odd(y5), odd(y6), odd(y7)]
}

/// An 8 × 8 block of 16-bit lanes, rows to columns.
#[inline(always)]
fn transpose([a, b, c, d, e, f, g, h]: [v128; 8]) -> [v128; 8] {
    let ([ab0, ab1], [cd0, cd1]) = (interleave(a, b), interleave(c, d));
    let ([ef0, ef1], [gh0, gh1]) = (interleave(e, f), interleave(g, h));
    let low = |x: v128, y: v128| i32x4_shuffle::<0, 4, 1, 5>(x, y);
    let high = |x: v128, y: v128| i32x4_shuffle::<2, 6, 3, 7>(x, y);
    let (abcd0, abcd1, abcd2, abcd3) = (low(ab0, cd0), high(ab0, cd0), low(ab1, cd1), high(ab1, cd1));
    let (efgh0, efgh1, efgh2, efgh3) = (low(ef0, gh0), high(ef0, gh0), low(ef1, gh1), high(ef1, gh1));
    [
        i64x2_shuffle::<0, 2>(abcd0, efgh0),
        i64x2_shuffle::<1, 3>(abcd0, efgh0),
        i64x2_shuffle::<0, 2>(abcd1, efgh1),
        i64x2_shuffle::<1, 3>(abcd1, efgh1),
        i64x2_shuffle::<0, 2>(abcd2, efgh2),
        i64x2_shuffle::<1, 3>(abcd2, efgh2),
        i64x2_shuffle::<0, 2>(abcd3, efgh3),
        i64x2_shuffle::<1, 3>(abcd3, efgh3),
    ]
}

pub(super) fn fdct_quantize(samples: &[u8], stride: usize, quantizer: &Quantizer, out: &mut [i16; 64]) -> u64 {
    // The caller checked the rows' bounds.
    let row = |r: usize| {
        let bytes = samples.get(r * stride..).and_then(|rest| rest.first_chunk::<8>()).map_or(u8x16_splat(128), load);
        i16x8_sub(u16x8_extend_low_u8x16(bytes), i16x8_splat(128))
    };
    let rows = [row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)];
    // Rows first: the columns as vectors, so that a pass over them transforms each row.
    let transformed_rows = first_pass(transpose(rows));
    // Then columns: back to rows as vectors (of the rows' coefficients).
    let [[l0, h0], [l1, h1], [l2, h2], [l3, h3], [l4, h4], [l5, h5], [l6, h6], [l7, h7]] =
        second_pass(transpose(transformed_rows));

    let (divisors, _) = quantizer.divisors.as_chunks::<4>();
    let half = f32x4_splat(0.5);
    let sign = u32x4_splat(0x8000_0000);
    let quantize = |value: v128, divisor: Option<&[f32; 4]>| {
        let quotient = f32x4_div(f32x4_convert_i32x4(value), divisor.map_or(f32x4_splat(8.0), load));
        i32x4_trunc_sat_f32x4(f32x4_add(quotient, v128_or(half, v128_and(quotient, sign))))
    };
    // Straight-line, every vector a named value: arrays indexed in a loop would live in memory.
    let (rows_out, _) = out.as_chunks_mut::<8>();
    let zero = i16x8_splat(0);
    let mut emit = |r: usize, l: v128, h: v128| {
        let quantized = i16x8_narrow_i32x4(quantize(l, divisors.get(2 * r)), quantize(h, divisors.get(2 * r + 1)));
        if let Some(target) = rows_out.get_mut(r) {
            store(target, quantized);
        }
        i16x8_eq(quantized, zero)
    };
    // A byte per coefficient, 0xFF where it is zero, natural order: two rows a vector.
    let zeros = |(first, second): (v128, v128)| i8x16_narrow_i16x8(first, second);
    let z01 = zeros((emit(0, l0, h0), emit(1, l1, h1)));
    let z23 = zeros((emit(2, l2, h2), emit(3, l3, h3)));
    let z45 = zeros((emit(4, l4, h4), emit(5, l5, h5)));
    let z67 = zeros((emit(6, l6, h6), emit(7, l7, h7)));
    // Those bytes in zig-zag order, sixteen a vector, each gathered from the four.
    let zigzag = |part: usize| {
        let pick = |from: v128, source: usize| {
            i8x16_swizzle(from, ZIGZAG_SWIZZLES.get(part).and_then(|s| s.get(source)).map_or(u8x16_splat(0x80), load))
        };
        v128_or(v128_or(pick(z01, 0), pick(z23, 1)), v128_or(pick(z45, 2), pick(z67, 3)))
    };
    let mask = |part: usize| u64::from(!i8x16_bitmask(zigzag(part))) << (16 * part);
    mask(0) | mask(1) | mask(2) | mask(3)
}

/// For zig-zag positions `16 p..16 p + 16` and natural positions `16 s..16 s + 16`, the byte
/// indices that gather the first from the second (0x80, which gives zero, where another
/// vector holds the coefficient).
const ZIGZAG_SWIZZLES: [[[u8; 16]; 4]; 4] = {
    let mut swizzles = [[[0x80u8; 16]; 4]; 4];
    let mut k = 0;
    while k < 64 {
        let natural = ZIGZAG_TO_NATURAL[k] as usize;
        swizzles[k / 16][natural / 16][k % 16] = (natural % 16) as u8;
        k += 1;
    }
    swizzles
};
