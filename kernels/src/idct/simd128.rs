//! The scalar transform's arithmetic on `i32x4` lanes: the column pass works on four columns at
//! once straight from the rows as stored; the row pass transposes 4 × 4 tiles so that its lanes
//! are four rows, then transposes back to store. Every operation is the scalar one, lane by
//! lane, so the output is identical.

use core::arch::wasm32::*;

use super::scalar::{
    points2, CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865, FIX_0_899976223,
    FIX_1_175875602, FIX_1_501321110, FIX_1_847759065, FIX_1_961570560, FIX_2_053119869, FIX_2_562915447,
    FIX_3_072711026, PASS1_BITS, R2_0, R2_ODD, R4_0, R4_2, R4_6, R4_ODD,
};
use crate::simd::memory::{load, store};

#[inline(always)]
fn mul(a: v128, constant: i32) -> v128 {
    i32x4_mul(a, i32x4_splat(constant))
}

/// The 8-point transform of `x`, lane by lane (see the scalar `points`).
#[inline(always)]
fn points(x: [v128; 8]) -> [v128; 8] {
    let z1 = mul(i32x4_add(x[2], x[6]), FIX_0_541196100);
    let even2 = i32x4_sub(z1, mul(x[6], FIX_1_847759065));
    let even3 = i32x4_add(z1, mul(x[2], FIX_0_765366865));
    let even0 = i32x4_shl(i32x4_add(x[0], x[4]), CONST_BITS as u32);
    let even1 = i32x4_shl(i32x4_sub(x[0], x[4]), CONST_BITS as u32);
    let (a0, a3) = (i32x4_add(even0, even3), i32x4_sub(even0, even3));
    let (a1, a2) = (i32x4_add(even1, even2), i32x4_sub(even1, even2));

    let (t0, t1, t2, t3) = (x[7], x[5], x[3], x[1]);
    let (z1, z2, z3, z4) = (i32x4_add(t0, t3), i32x4_add(t1, t2), i32x4_add(t0, t2), i32x4_add(t1, t3));
    let z5 = mul(i32x4_add(z3, z4), FIX_1_175875602);
    let (z1, z2) = (mul(z1, -FIX_0_899976223), mul(z2, -FIX_2_562915447));
    let z3 = i32x4_sub(z5, mul(z3, FIX_1_961570560));
    let z4 = i32x4_sub(z5, mul(z4, FIX_0_390180644));
    let b0 = i32x4_add(i32x4_add(mul(t0, FIX_0_298631336), z1), z3);
    let b1 = i32x4_add(i32x4_add(mul(t1, FIX_2_053119869), z2), z4);
    let b2 = i32x4_add(i32x4_add(mul(t2, FIX_3_072711026), z2), z3);
    let b3 = i32x4_add(i32x4_add(mul(t3, FIX_1_501321110), z1), z4);

    outputs([a0, a1, a2, a3], [b0, b1, b2, b3])
}

/// The eight outputs from the even half's sums `a` and the odd half's `b`.
#[inline(always)]
fn outputs([a0, a1, a2, a3]: [v128; 4], [b0, b1, b2, b3]: [v128; 4]) -> [v128; 8] {
    [
        i32x4_add(a0, b3),
        i32x4_add(a1, b2),
        i32x4_add(a2, b1),
        i32x4_add(a3, b0),
        i32x4_sub(a3, b0),
        i32x4_sub(a2, b1),
        i32x4_sub(a1, b2),
        i32x4_sub(a0, b3),
    ]
}

#[inline(always)]
fn descale(value: v128, shift: u32) -> v128 {
    i32x4_shr(i32x4_add(value, i32x4_splat(1 << (shift - 1))), shift)
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

/// `points` for rows whose last four values are zero: the same operations with the zero terms
/// left out, so the same results.
#[inline(always)]
fn points_left_half(x: [v128; 4]) -> [v128; 8] {
    let z1 = mul(x[2], FIX_0_541196100);
    let even3 = i32x4_add(z1, mul(x[2], FIX_0_765366865));
    let even0 = i32x4_shl(x[0], CONST_BITS as u32);
    let (a0, a3) = (i32x4_add(even0, even3), i32x4_sub(even0, even3));
    let (a1, a2) = (i32x4_add(even0, z1), i32x4_sub(even0, z1));

    let (t2, t3) = (x[3], x[1]);
    let z5 = mul(i32x4_add(t2, t3), FIX_1_175875602);
    let (z1, z2) = (mul(t3, -FIX_0_899976223), mul(t2, -FIX_2_562915447));
    let z3 = i32x4_sub(z5, mul(t2, FIX_1_961570560));
    let z4 = i32x4_sub(z5, mul(t3, FIX_0_390180644));
    let b0 = i32x4_add(z1, z3);
    let b1 = i32x4_add(z2, z4);
    let b2 = i32x4_add(i32x4_add(mul(t2, FIX_3_072711026), z2), z3);
    let b3 = i32x4_add(i32x4_add(mul(t3, FIX_1_501321110), z1), z4);

    outputs([a0, a1, a2, a3], [b0, b1, b2, b3])
}

#[inline(always)]
fn all_zero(vectors: &[v128]) -> bool {
    !v128_any_true(vectors.iter().fold(i32x4_splat(0), |any, &v| v128_or(any, v)))
}

pub(super) fn idct_8x8(coefficients: &[i32; 64], out: &mut [u8], stride: usize) {
    // `rows[r]`: row r as its left and right halves (columns 0..4 and 4..8).
    let (quads, _) = coefficients.as_chunks::<4>();
    let half = |r: usize, right: usize| quads.get(2 * r + right).map_or(i32x4_splat(0), load);
    // Columns: lanes are four columns; the eight values of each column are the eight rows. Most
    // blocks of a photo have nothing in their right four columns: those columns stay zero.
    let mut work = [[i32x4_splat(0); 2]; 8];
    let mut right_columns_zero = false;
    for right in 0..2 {
        let x: [v128; 8] = core::array::from_fn(|r| half(r, right));
        if right == 1 && all_zero(&x) {
            right_columns_zero = true;
            break;
        }
        match x {
            // Only the first row: each column flat, as the scalar pass takes it (its shortcut).
            [x0, rest @ ..] if all_zero(&rest) => {
                let flat = i32x4_shl(x0, PASS1_BITS as u32);
                work.iter_mut().for_each(|row| row[right] = flat);
            }
            // Most of the rest have nothing in their lower four rows.
            [x0, x1, x2, x3, x4, x5, x6, x7] => {
                let values = if all_zero(&[x4, x5, x6, x7]) { points_left_half([x0, x1, x2, x3]) } else { points(x) };
                for (row, value) in work.iter_mut().zip(values) {
                    row[right] = descale(value, (CONST_BITS - PASS1_BITS) as u32);
                }
            }
        }
    }
    // Rows, four at a time: transposed, lanes are four rows and the eight values each row's columns.
    let level = i32x4_splat(128);
    for top in [0, 4] {
        let tile = |right: usize| transpose(core::array::from_fn(|r| work[top + r][right]));
        let left = tile(0);
        let values = if right_columns_zero {
            points_left_half(left)
        } else {
            let right = tile(1);
            points([left[0], left[1], left[2], left[3], right[0], right[1], right[2], right[3]])
        };
        let values = values.map(|value| i32x4_add(descale(value, (CONST_BITS + PASS1_BITS + 3) as u32), level));
        let left = transpose([values[0], values[1], values[2], values[3]]);
        let right = transpose([values[4], values[5], values[6], values[7]]);
        for r in 0..4 {
            let words = i16x8_narrow_i32x4(left[r], right[r]);
            let bytes = u8x16_narrow_i16x8(words, words);
            if let Some(target) = out.get_mut((top + r) * stride..).and_then(|row| row.first_chunk_mut::<8>()) {
                store(target, bytes);
            }
        }
    }
}

/// `points4` lane by lane.
#[inline(always)]
fn points4(x: [v128; 8]) -> [v128; 4] {
    let even = mul(x[0], R4_0);
    let even_odd = i32x4_sub(mul(x[2], R4_2), mul(x[6], R4_6));
    let odd = |w: [i32; 4]| {
        i32x4_add(i32x4_add(mul(x[1], w[0]), mul(x[3], w[1])), i32x4_add(mul(x[5], w[2]), mul(x[7], w[3])))
    };
    let (odd0, odd1) = (odd(R4_ODD[0]), odd(R4_ODD[1]));
    let (upper, lower) = (i32x4_add(even, even_odd), i32x4_sub(even, even_odd));
    [i32x4_add(upper, odd0), i32x4_add(lower, odd1), i32x4_sub(lower, odd1), i32x4_sub(upper, odd0)]
}

/// Columns of one block as two halves of four lanes: `x[h][u]` is row `u`, columns `4h..4h + 4`.
#[inline(always)]
fn column_halves(coefficients: &[i32; 64]) -> [[v128; 8]; 2] {
    let (quads, _) = coefficients.as_chunks::<4>();
    core::array::from_fn(|right| core::array::from_fn(|r| quads.get(2 * r + right).map_or(i32x4_splat(0), load)))
}

pub(super) fn idct_4x4(coefficients: &[i32; 64], out: &mut [u8], stride: usize) {
    // Columns: each half's four lanes are four columns, giving four rows of eight values.
    let [left, right] =
        column_halves(coefficients).map(|x| points4(x).map(|v| descale(v, (CONST_BITS - PASS1_BITS) as u32)));
    // Rows: transposed, lanes are the four rows.
    let (left, right) = (transpose(left), transpose(right));
    let x = [left[0], left[1], left[2], left[3], right[0], right[1], right[2], right[3]];
    let level = i32x4_splat(128);
    let values = points4(x).map(|value| i32x4_add(descale(value, (CONST_BITS + PASS1_BITS) as u32), level));
    for (r, row) in transpose(values).into_iter().enumerate() {
        let words = i16x8_narrow_i32x4(row, row);
        if let Some(target) = out.get_mut(r * stride..).and_then(|line| line.first_chunk_mut::<4>()) {
            store(target, u8x16_narrow_i16x8(words, words));
        }
    }
}

pub(super) fn idct_2x2(coefficients: &[i32; 64], out: &mut [u8], stride: usize) {
    // Columns four at a time (the two outputs of `points2` on lanes); the two rows of eight
    // values are then too short to vectorise and go through the scalar `points2`.
    let shift = (CONST_BITS - PASS1_BITS) as u32;
    let mut rows = [[0i32; 8]; 2];
    for (right, x) in column_halves(coefficients).into_iter().enumerate() {
        let even = mul(x[0], R2_0);
        let odd = i32x4_add(
            i32x4_add(mul(x[1], R2_ODD[0]), mul(x[3], R2_ODD[1])),
            i32x4_add(mul(x[5], R2_ODD[2]), mul(x[7], R2_ODD[3])),
        );
        for (row, value) in rows.iter_mut().zip([i32x4_add(even, odd), i32x4_sub(even, odd)]) {
            if let Some(quad) = row.get_mut(4 * right..).and_then(|r| r.first_chunk_mut::<4>()) {
                store(quad, descale(value, shift));
            }
        }
    }
    for (r, row) in rows.into_iter().enumerate() {
        if let Some(target) = out.get_mut(r * stride..).and_then(|line| line.first_chunk_mut::<2>()) {
            let [a, b] =
                points2(row).map(|v| ((v + (1 << (CONST_BITS + PASS1_BITS - 1))) >> (CONST_BITS + PASS1_BITS)) + 128);
            *target = [a.clamp(0, 255) as u8, b.clamp(0, 255) as u8];
        }
    }
}
