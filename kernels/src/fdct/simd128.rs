//! The scalar transform's arithmetic on `i32x4` lanes: the column pass on the rows' left and
//! right halves (four columns a vector), a transpose, the row pass the same way, and a transpose
//! back to natural order. Quantization divides in `f32`: the transform's outputs (|x| < 2^15)
//! and the divisors (8 × a step ≤ 2047) are exact in `f32`, so a correctly rounded quotient that
//! lies exactly halfway is exact, and any other lies at least 1/divisor from the halfway point,
//! far more than `f32`'s error at these magnitudes; adding ±0.5 and truncating then gives the
//! integer rounding half away from zero.

use core::arch::wasm32::*;

use super::{Quantizer, ZIGZAG_TO_NATURAL};
use crate::idct::scalar::{
    CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865, FIX_0_899976223, FIX_1_175875602,
    FIX_1_501321110, FIX_1_847759065, FIX_1_961570560, FIX_2_053119869, FIX_2_562915447, FIX_3_072711026, PASS1_BITS,
};
use crate::simd::memory::{load, store};

#[inline(always)]
fn mul(value: v128, constant: i32) -> v128 {
    i32x4_mul(value, i32x4_splat(constant))
}

/// The scalar `points` on four lanes.
#[inline(always)]
fn points([x0, x1, x2, x3, x4, x5, x6, x7]: [v128; 8]) -> [v128; 8] {
    let (t0, t7) = (i32x4_add(x0, x7), i32x4_sub(x0, x7));
    let (t1, t6) = (i32x4_add(x1, x6), i32x4_sub(x1, x6));
    let (t2, t5) = (i32x4_add(x2, x5), i32x4_sub(x2, x5));
    let (t3, t4) = (i32x4_add(x3, x4), i32x4_sub(x3, x4));

    let (t10, t13) = (i32x4_add(t0, t3), i32x4_sub(t0, t3));
    let (t11, t12) = (i32x4_add(t1, t2), i32x4_sub(t1, t2));
    let z1 = mul(i32x4_add(t12, t13), FIX_0_541196100);
    let y2 = i32x4_add(z1, mul(t13, FIX_0_765366865));
    let y6 = i32x4_sub(z1, mul(t12, FIX_1_847759065));

    let (z1, z2, z3, z4) = (i32x4_add(t4, t7), i32x4_add(t5, t6), i32x4_add(t4, t6), i32x4_add(t5, t7));
    let z5 = mul(i32x4_add(z3, z4), FIX_1_175875602);
    let (z1, z2) = (mul(z1, -FIX_0_899976223), mul(z2, -FIX_2_562915447));
    let z3 = i32x4_sub(z5, mul(z3, FIX_1_961570560));
    let z4 = i32x4_sub(z5, mul(z4, FIX_0_390180644));
    let y7 = i32x4_add(mul(t4, FIX_0_298631336), i32x4_add(z1, z3));
    let y5 = i32x4_add(mul(t5, FIX_2_053119869), i32x4_add(z2, z4));
    let y3 = i32x4_add(mul(t6, FIX_3_072711026), i32x4_add(z2, z3));
    let y1 = i32x4_add(mul(t7, FIX_1_501321110), i32x4_add(z1, z4));

    [i32x4_add(t10, t11), y1, y2, y3, i32x4_sub(t10, t11), y5, y6, y7]
}

#[inline(always)]
fn descale(value: v128, shift: i32) -> v128 {
    i32x4_shr(i32x4_add(value, i32x4_splat(1 << (shift - 1))), shift as u32)
}

#[inline(always)]
fn first_pass(x: [v128; 8]) -> [v128; 8] {
    let [y0, y1, y2, y3, y4, y5, y6, y7] = points(x);
    let odd = |y| descale(y, CONST_BITS - PASS1_BITS);
    let even = |y| i32x4_shl(y, PASS1_BITS as u32);
    [even(y0), odd(y1), odd(y2), odd(y3), even(y4), odd(y5), odd(y6), odd(y7)]
}

#[inline(always)]
fn second_pass(x: [v128; 8]) -> [v128; 8] {
    let [y0, y1, y2, y3, y4, y5, y6, y7] = points(x);
    let odd = |y| descale(y, CONST_BITS + PASS1_BITS);
    let even = |y| descale(y, PASS1_BITS);
    [even(y0), odd(y1), odd(y2), odd(y3), even(y4), odd(y5), odd(y6), odd(y7)]
}

/// Rows of a 4 × 4 tile to its columns.
#[inline(always)]
fn transpose([a, b, c, d]: [v128; 4]) -> [v128; 4] {
    let ab_low = i32x4_shuffle::<0, 4, 1, 5>(a, b);
    let ab_high = i32x4_shuffle::<2, 6, 3, 7>(a, b);
    let cd_low = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let cd_high = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    [
        i64x2_shuffle::<0, 2>(ab_low, cd_low),
        i64x2_shuffle::<1, 3>(ab_low, cd_low),
        i64x2_shuffle::<0, 2>(ab_high, cd_high),
        i64x2_shuffle::<1, 3>(ab_high, cd_high),
    ]
}

/// An 8 × 8 block held as left halves (columns 0..4 of rows 0..8) and right halves, transposed.
#[inline(always)]
fn transpose_block(left: [v128; 8], right: [v128; 8]) -> ([v128; 8], [v128; 8]) {
    let [l0, l1, l2, l3, l4, l5, l6, l7] = left;
    let [r0, r1, r2, r3, r4, r5, r6, r7] = right;
    let [a0, a1, a2, a3] = transpose([l0, l1, l2, l3]);
    let [b0, b1, b2, b3] = transpose([l4, l5, l6, l7]);
    let [c0, c1, c2, c3] = transpose([r0, r1, r2, r3]);
    let [d0, d1, d2, d3] = transpose([r4, r5, r6, r7]);
    ([a0, a1, a2, a3, c0, c1, c2, c3], [b0, b1, b2, b3, d0, d1, d2, d3])
}

pub(super) fn fdct_quantize(samples: &[u8], stride: usize, quantizer: &Quantizer, out: &mut [i16; 64]) -> u64 {
    // The caller checked the rows' bounds.
    let row = |r: usize| {
        let bytes = samples.get(r * stride..).and_then(|rest| rest.first_chunk::<8>()).map_or(u8x16_splat(128), load);
        i16x8_sub(u16x8_extend_low_u8x16(bytes), i16x8_splat(128))
    };
    let rows = [row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)];
    let left = first_pass(rows.map(|row| i32x4_extend_low_i16x8(row)));
    let right = first_pass(rows.map(|row| i32x4_extend_high_i16x8(row)));
    let (top, bottom) = transpose_block(left, right);
    let (left, right) = transpose_block(second_pass(top), second_pass(bottom));

    let (divisors, _) = quantizer.divisors.as_chunks::<4>();
    let half = f32x4_splat(0.5);
    let sign = u32x4_splat(0x8000_0000);
    let quantize = |value: v128, divisor: Option<&[f32; 4]>| {
        let quotient = f32x4_div(f32x4_convert_i32x4(value), divisor.map_or(f32x4_splat(8.0), load));
        i32x4_trunc_sat_f32x4(f32x4_add(quotient, v128_or(half, v128_and(quotient, sign))))
    };
    // Straight-line, every vector a named value: arrays indexed in a loop would live in memory.
    let [l0, l1, l2, l3, l4, l5, l6, l7] = left;
    let [h0, h1, h2, h3, h4, h5, h6, h7] = right;
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
