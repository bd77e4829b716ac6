//! The scalar transforms' arithmetic on vectors, so the outputs are identical. Each works in
//! 16-bit lanes, as its scalar twin's workspace is 16-bit: the column pass takes all eight
//! columns at once, its products as `i32x4.dot_i16x8_s` over interleaved pairs of inputs
//! (`pmaddwd`, two products a lane), and the row pass the same on transposed rows.

use core::arch::wasm32::*;

use super::scalar::{
    FourPoints, CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865, FIX_0_899976223,
    FIX_1_175875602, FIX_1_501321110, FIX_1_847759065, FIX_1_961570560, FIX_2_053119869, FIX_2_562915447,
    FIX_3_072711026, FOUR, FOUR_BESIDE_EIGHT, PASS1_BITS, R2_0, R2_ODD,
};
use crate::simd::lanes::{bytes, transpose};
use crate::simd::masks::opaque_zero;
use crate::simd::memory::{load, RowsMut};
use crate::simd::weights::pair;

// The full-size transform's products regrouped by the integer identity `(a + b) c = a c + b c`,
// so that every sum of `points` is one or two dot products of input pairs with no 16-bit
// intermediate: the even part over (x0, x4) and (x2, x6) ...
const EVEN_SUM: i32 = pair(1 << CONST_BITS, 1 << CONST_BITS);
const EVEN_DIFFERENCE: i32 = pair(1 << CONST_BITS, -(1 << CONST_BITS));
const EVEN_3: i32 = pair(FIX_0_541196100 + FIX_0_765366865, FIX_0_541196100);
const EVEN_2: i32 = pair(FIX_0_541196100, FIX_0_541196100 - FIX_1_847759065);
// ... and each odd sum b0..b3 over (x7, x5), then (x3, x1): `points`' t0, t1, then t2, t3.
const Z5: i32 = FIX_1_175875602;
const ODD: [[i32; 2]; 4] = [
    [
        pair(FIX_0_298631336 - FIX_0_899976223 - FIX_1_961570560 + Z5, Z5),
        pair(Z5 - FIX_1_961570560, Z5 - FIX_0_899976223),
    ],
    [
        pair(Z5, FIX_2_053119869 - FIX_2_562915447 - FIX_0_390180644 + Z5),
        pair(Z5 - FIX_2_562915447, Z5 - FIX_0_390180644),
    ],
    [
        pair(Z5 - FIX_1_961570560, Z5 - FIX_2_562915447),
        pair(FIX_3_072711026 - FIX_2_562915447 - FIX_1_961570560 + Z5, Z5),
    ],
    [
        pair(Z5 - FIX_0_899976223, Z5 - FIX_0_390180644),
        pair(Z5, FIX_1_501321110 - FIX_0_899976223 - FIX_0_390180644 + Z5),
    ],
];

/// The scalar `points` on four lanes, from their inputs as interleaved 16-bit pairs (x0, x4),
/// (x2, x6), (x7, x5) and (x3, x1): the same sums, so the same results.
#[inline(always)]
fn points_from_pairs([p04, p26, p75, p31]: [v128; 4]) -> [v128; 8] {
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let (even0, even1) = (dot(p04, EVEN_SUM), dot(p04, EVEN_DIFFERENCE));
    let (even2, even3) = (dot(p26, EVEN_2), dot(p26, EVEN_3));
    let a = [i32x4_add(even0, even3), i32x4_add(even1, even2), i32x4_sub(even1, even2), i32x4_sub(even0, even3)];
    let odd = |[first, second]: [i32; 2]| i32x4_add(dot(p75, first), dot(p31, second));
    outputs(a, [odd(ODD[0]), odd(ODD[1]), odd(ODD[2]), odd(ODD[3])])
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

/// A work row's 16-bit lanes reordered to the row pass's input pairs: (x0, x4), (x2, x6),
/// (x7, x5), (x3, x1). A swizzle, not a shuffle, which the compiler would merge with the
/// narrowing before it into a longer sequence.
const ROW_PAIRS: v128 = i8x16(0, 1, 8, 9, 4, 5, 12, 13, 14, 15, 10, 11, 6, 7, 2, 3);

/// Two vectors' 16-bit lanes interleaved: the pairs of lanes 0..4, then of lanes 4..8.
#[inline(always)]
fn interleave(a: v128, b: v128) -> [v128; 2] {
    [i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b), i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b)]
}

/// `points_from_pairs` where x4..x7 are zero (only the pairs (x0, 0), (x2, 0) and (x3, x1)
/// given): the products with zeros left out, the same sums.
#[inline(always)]
fn points_from_top_left_pairs([p00, p20, p31]: [v128; 3]) -> [v128; 8] {
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let even0 = dot(p00, EVEN_SUM);
    let (even2, even3) = (dot(p20, EVEN_2), dot(p20, EVEN_3));
    let a = [i32x4_add(even0, even3), i32x4_add(even0, even2), i32x4_sub(even0, even2), i32x4_sub(even0, even3)];
    outputs(a, ODD.map(|[_, second]| dot(p31, second)))
}

/// The columns 4..8 of a block's rows (16-bit lanes 4..8).
const RIGHT_HALF: v128 = i16x8(0, 0, 0, 0, -1, -1, -1, -1);

/// A block's eight rows of coefficients: lanes are columns.
#[inline(always)]
fn coefficient_rows(coefficients: &[i16; 64]) -> [v128; 8] {
    let (rows, _) = coefficients.as_chunks::<8>();
    core::array::from_fn(|r| rows.get(r).map_or(i16x8_splat(0), load))
}

/// Whether any coefficient lies outside the top-left 4 × 4 (most of a photo's blocks have
/// none, and the transforms leave out the products with those zeros).
#[inline(always)]
fn outside_top_left([x0, x1, x2, x3, x4, x5, x6, x7]: [v128; 8]) -> bool {
    v128_any_true(v128_or(
        v128_or(v128_or(x4, x5), v128_or(x6, x7)),
        v128_and(v128_or(v128_or(x0, x1), v128_or(x2, x3)), RIGHT_HALF),
    ))
}

/// A work row of the 8-point row pass from its columns' sums (left and right halves), descaled
/// and saturated to 16 bits, its pairs for the row pass side by side ((x0, x4), (x2, x6),
/// (x7, x5), (x3, x1) in its four 32-bit lanes), so that transposing four rows' lanes gives
/// those pairs with the rows as lanes.
#[inline(always)]
fn eight_point_work_row(left: v128, right: v128) -> v128 {
    let shift = (CONST_BITS - PASS1_BITS) as u32;
    i8x16_swizzle(i16x8_narrow_i32x4(descale(left, shift), descale(right, shift)), ROW_PAIRS)
}

// Straight-line code below, every vector a named value: arrays indexed in loops would live in
// memory instead of registers.
pub(super) fn idct_8x8(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    // The caller checked the rows' bounds.
    let Some(mut rows) = RowsMut::<8, 8>::new(out, stride) else { return };
    let coefficient_rows = coefficient_rows(coefficients);
    let [x0, x1, x2, x3, x4, x5, x6, x7] = coefficient_rows;
    let work = eight_point_work_row;
    let (top, bottom) = if outside_top_left(coefficient_rows) {
        // Columns, all eight at once: the input pairs interleaved, as two halves of four lanes.
        let ([left04, right04], [left26, right26]) = (interleave(x0, x4), interleave(x2, x6));
        let ([left75, right75], [left31, right31]) = (interleave(x7, x5), interleave(x3, x1));
        let [l0, l1, l2, l3, l4, l5, l6, l7] = points_from_pairs([left04, left26, left75, left31]);
        let [r0, r1, r2, r3, r4, r5, r6, r7] = points_from_pairs([right04, right26, right75, right31]);
        let top = transpose([work(l0, r0), work(l1, r1), work(l2, r2), work(l3, r3)]);
        let bottom = transpose([work(l4, r4), work(l5, r5), work(l6, r6), work(l7, r7)]);
        (points_from_pairs(top), points_from_pairs(bottom))
    } else {
        // Every coefficient in the top-left 4 × 4, as in most of a photo's blocks: the right
        // half's columns, and the work rows' right halves, are zero. (x0, 0) and (x2, 0) pairs
        // are the rows zero-extended.
        let (left00, left20) = (u32x4_extend_low_u16x8(x0), u32x4_extend_low_u16x8(x2));
        let [left31, _] = interleave(x3, x1);
        let [l0, l1, l2, l3, l4, l5, l6, l7] = points_from_top_left_pairs([left00, left20, left31]);
        // Hidden, so that each work row stays one narrow.
        let zero = opaque_zero();
        let [t04, t26, _, t31] = transpose([work(l0, zero), work(l1, zero), work(l2, zero), work(l3, zero)]);
        let [b04, b26, _, b31] = transpose([work(l4, zero), work(l5, zero), work(l6, zero), work(l7, zero)]);
        (points_from_top_left_pairs([t04, t26, t31]), points_from_top_left_pairs([b04, b26, b31]))
    };
    let [t0, t1, t2, t3, t4, t5, t6, t7] = top;
    let [b0, b1, b2, b3, b4, b5, b6, b7] = bottom;
    // Output column `c` from its top and bottom four rows: descaled with the level shift of 128
    // folded into the rounding (adding a multiple of 2^18 first changes nothing else).
    let shift = CONST_BITS + PASS1_BITS + 3;
    let bias = i32x4_splat((1 << (shift - 1)) + (128 << shift));
    let fence = opaque_zero();
    let column = |top: v128, bottom: v128| {
        let part = |value: v128| i32x4_shr(i32x4_add(value, bias), shift as u32);
        // Hidden from the narrow to bytes after it (see `opaque_zero`).
        v128_or(i16x8_narrow_i32x4(part(top), part(bottom)), fence)
    };
    // Two columns a vector, saturated to 0..=255 (the scalar clamp), their bytes interleaved:
    // 16-bit lane `r` holds row r's two samples.
    let two_columns = |first: v128, second: v128| {
        let both = u8x16_narrow_i16x8(first, second);
        i8x16_shuffle::<0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15>(both, both)
    };
    let (c01, c23) = (two_columns(column(t0, b0), column(t1, b1)), two_columns(column(t2, b2), column(t3, b3)));
    let (c45, c67) = (two_columns(column(t4, b4), column(t5, b5)), two_columns(column(t6, b6), column(t7, b7)));
    // Then pairs interleaved: 32-bit lane `r` holds four samples of row r (rows 0..4, then 4..8).
    let ([left_top, left_bottom], [right_top, right_bottom]) = (interleave(c01, c23), interleave(c45, c67));
    let row_pairs = [
        i32x4_shuffle::<0, 4, 1, 5>(left_top, right_top),
        i32x4_shuffle::<2, 6, 3, 7>(left_top, right_top),
        i32x4_shuffle::<0, 4, 1, 5>(left_bottom, right_bottom),
        i32x4_shuffle::<2, 6, 3, 7>(left_bottom, right_bottom),
    ];
    rows.store::<0>(row_pairs[0]);
    rows.store::<1>(i64x2_shuffle::<1, 0>(row_pairs[0], row_pairs[0]));
    rows.store::<2>(row_pairs[1]);
    rows.store::<3>(i64x2_shuffle::<1, 0>(row_pairs[1], row_pairs[1]));
    rows.store::<4>(row_pairs[2]);
    rows.store::<5>(i64x2_shuffle::<1, 0>(row_pairs[2], row_pairs[2]));
    rows.store::<6>(row_pairs[3]);
    rows.store::<7>(i64x2_shuffle::<1, 0>(row_pairs[3], row_pairs[3]));
}

/// A 4-point transform's weights as pairs for the inputs (x0, x4), (x2, x6), (x1, x3) and
/// (x5, x7): F(4), which no output weighs, rides beside F(0) with a zero weight.
struct FourPairs {
    even: i32,
    even_odd: i32,
    odd: [[i32; 2]; 2],
}

const fn four_pairs(weights: &FourPoints) -> FourPairs {
    let [first, second] = weights.odd;
    FourPairs {
        even: pair(weights.dc, 0),
        even_odd: pair(weights.f2, -weights.f6),
        odd: [
            [pair(first[0], first[1]), pair(first[2], first[3])],
            [pair(second[0], second[1]), pair(second[2], second[3])],
        ],
    }
}

const FOUR_PAIRS: FourPairs = four_pairs(&FOUR);
const FOUR_BESIDE_EIGHT_PAIRS: FourPairs = four_pairs(&FOUR_BESIDE_EIGHT);

/// `FOUR_PAIRS` with the odd inputs paired (x1, x5) and (x3, x7): the 4 × 4 IDCT's row pass
/// takes its pairs so.
const FOUR_PAIRS_ACROSS: FourPairs = {
    let [first, second] = FOUR.odd;
    FourPairs {
        odd: [
            [pair(first[0], first[2]), pair(first[1], first[3])],
            [pair(second[0], second[2]), pair(second[1], second[3])],
        ],
        ..FOUR_PAIRS
    }
};

/// The scalar `points4_weighted` on four lanes, from their inputs as interleaved 16-bit pairs
/// (x0, x4), (x2, x6) and the odd inputs' two pairs, as `weights` pairs them ((x1, x3) and
/// (x5, x7), or (x1, x5) and (x3, x7)): the same sums, so the same results.
#[inline(always)]
fn points4_from_pairs([p04, p26, odd_a, odd_b]: [v128; 4], weights: &FourPairs) -> [v128; 4] {
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let (even, even_odd) = (dot(p04, weights.even), dot(p26, weights.even_odd));
    let odd = |[first, second]: [i32; 2]| i32x4_add(dot(odd_a, first), dot(odd_b, second));
    let (odd0, odd1) = (odd(weights.odd[0]), odd(weights.odd[1]));
    let (upper, lower) = (i32x4_add(even, even_odd), i32x4_sub(even, even_odd));
    [i32x4_add(upper, odd0), i32x4_add(lower, odd1), i32x4_sub(lower, odd1), i32x4_sub(upper, odd0)]
}

/// `points4_from_pairs` where x4..x7 are zero (only the pairs (x0, 0), (x2, 0) and (x1, x3)
/// given): the products with zeros left out, the same sums.
#[inline(always)]
fn points4_from_top_left_pairs([p00, p20, p13]: [v128; 3], weights: &FourPairs) -> [v128; 4] {
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let (even, even_odd) = (dot(p00, weights.even), dot(p20, weights.even_odd));
    let (odd0, odd1) = (dot(p13, weights.odd[0][0]), dot(p13, weights.odd[1][0]));
    let (upper, lower) = (i32x4_add(even, even_odd), i32x4_sub(even, even_odd));
    [i32x4_add(upper, odd0), i32x4_add(lower, odd1), i32x4_sub(lower, odd1), i32x4_sub(upper, odd0)]
}

// Straight-line code, as the full-size transform: 16-bit lanes, products as dot products.
pub(super) fn idct_4x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    // The caller checked the rows' bounds.
    let Some(mut rows) = RowsMut::<4, 4>::new(out, stride) else { return };
    let [x0, x1, x2, x3, x4, x5, x6, x7] = coefficient_rows(coefficients);
    // Columns, all eight at once, as two halves of four lanes.
    let ([left04, right04], [left26, right26]) = (interleave(x0, x4), interleave(x2, x6));
    let ([left13, right13], [left57, right57]) = (interleave(x1, x3), interleave(x5, x7));
    let [l0, l1, l2, l3] = points4_from_pairs([left04, left26, left13, left57], &FOUR_PAIRS);
    let [r0, r1, r2, r3] = points4_from_pairs([right04, right26, right13, right57], &FOUR_PAIRS);
    // Each work row saturated to 16 bits, its columns interleaved into the pairs (x0, x4),
    // (x1, x5), (x2, x6), (x3, x7) in its four 32-bit lanes, so that transposing the rows gives
    // each pair with the rows as lanes.
    let shift = (CONST_BITS - PASS1_BITS) as u32;
    let work = |left: v128, right: v128| {
        let (left, right) = (descale(left, shift), descale(right, shift));
        i16x8_narrow_i32x4(i32x4_shuffle::<0, 4, 1, 5>(left, right), i32x4_shuffle::<2, 6, 3, 7>(left, right))
    };
    let [p04, p15, p26, p37] = transpose([work(l0, r0), work(l1, r1), work(l2, r2), work(l3, r3)]);
    let pairs = [p04, p26, p15, p37];
    // Output column `c` in lanes of rows, descaled with the level shift of 128 folded into the
    // rounding (adding a multiple of 2^15 first changes nothing else).
    let shift = CONST_BITS + PASS1_BITS;
    let bias = i32x4_splat((1 << (shift - 1)) + (128 << shift));
    let [c0, c1, c2, c3] =
        points4_from_pairs(pairs, &FOUR_PAIRS_ACROSS).map(|v| i32x4_shr(i32x4_add(v, bias), shift as u32));
    // Back to rows; saturating to 0..=255 is the scalar clamp; row r is bytes 4r..4r + 4.
    let [s0, s1, s2, s3] = transpose([c0, c1, c2, c3]);
    let samples = bytes([s0, s1, s2, s3]);
    rows.store::<0>(samples);
    rows.store::<1>(i32x4_shuffle::<1, 1, 1, 1>(samples, samples));
    rows.store::<2>(i32x4_shuffle::<2, 2, 2, 2>(samples, samples));
    rows.store::<3>(i32x4_shuffle::<3, 3, 3, 3>(samples, samples));
}

// The columns as `idct_4x4`'s (with the weights × √8), the rows as `idct_8x8`'s.
pub(super) fn idct_8x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    // The caller checked the rows' bounds.
    let Some(mut rows) = RowsMut::<4, 8>::new(out, stride) else { return };
    let coefficient_rows = coefficient_rows(coefficients);
    let [x0, x1, x2, x3, x4, x5, x6, x7] = coefficient_rows;
    let work = eight_point_work_row;
    let outputs = if outside_top_left(coefficient_rows) {
        // Columns, all eight at once, as two halves of four lanes.
        let ([left04, right04], [left26, right26]) = (interleave(x0, x4), interleave(x2, x6));
        let ([left13, right13], [left57, right57]) = (interleave(x1, x3), interleave(x5, x7));
        let [l0, l1, l2, l3] = points4_from_pairs([left04, left26, left13, left57], &FOUR_BESIDE_EIGHT_PAIRS);
        let [r0, r1, r2, r3] = points4_from_pairs([right04, right26, right13, right57], &FOUR_BESIDE_EIGHT_PAIRS);
        points_from_pairs(transpose([work(l0, r0), work(l1, r1), work(l2, r2), work(l3, r3)]))
    } else {
        // Every coefficient in the top-left 4 × 4, as `idct_8x8` takes it: the right half's
        // columns, and the work rows' right halves, are zero.
        let (left00, left20) = (u32x4_extend_low_u16x8(x0), u32x4_extend_low_u16x8(x2));
        let [left13, _] = interleave(x1, x3);
        let [l0, l1, l2, l3] = points4_from_top_left_pairs([left00, left20, left13], &FOUR_BESIDE_EIGHT_PAIRS);
        // Hidden, so that each work row stays one narrow.
        let zero = opaque_zero();
        let [t04, t26, _, t31] = transpose([work(l0, zero), work(l1, zero), work(l2, zero), work(l3, zero)]);
        points_from_top_left_pairs([t04, t26, t31])
    };
    // Output column `c` in lanes of rows, descaled with the level shift of 128 folded into the
    // rounding, as `idct_8x8`'s.
    let shift = CONST_BITS + PASS1_BITS + 3;
    let bias = i32x4_splat((1 << (shift - 1)) + (128 << shift));
    let [c0, c1, c2, c3, c4, c5, c6, c7] = outputs.map(|v| i32x4_shr(i32x4_add(v, bias), shift as u32));
    // Saturating to 0..=255 is the scalar clamp: byte 4c + r of `left` is column c's row r
    // (columns 0..4), of `right` columns 4..8; then rows gathered, two a vector.
    let (left, right) = (bytes([c0, c1, c2, c3]), bytes([c4, c5, c6, c7]));
    let rows01 = i8x16_shuffle::<0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29>(left, right);
    let rows23 = i8x16_shuffle::<2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31>(left, right);
    rows.store::<0>(rows01);
    rows.store::<1>(i64x2_shuffle::<1, 0>(rows01, rows01));
    rows.store::<2>(rows23);
    rows.store::<3>(i64x2_shuffle::<1, 0>(rows23, rows23));
}

// The 2-point transform's weights as pairs for the inputs (x0, x4), (x1, x3) and (x5, x7).
const R2_EVEN: i32 = pair(R2_0, 0);
const R2_ODD_PAIRS: [i32; 2] = [pair(R2_ODD[0], R2_ODD[1]), pair(R2_ODD[2], R2_ODD[3])];

/// A work row's 16-bit lanes reordered to the 2-point row pass's input pairs: (x0, x4),
/// (x1, x3), (x5, x7), then (x2, x6), which no output weighs.
const ROW2_PAIRS: v128 = i8x16(0, 1, 8, 9, 2, 3, 6, 7, 10, 11, 14, 15, 4, 5, 12, 13);

pub(super) fn idct_2x2(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    // The caller checked the rows' bounds.
    let Some(mut rows) = RowsMut::<2, 2>::new(out, stride) else { return };
    let [x0, x1, _, x3, x4, x5, _, x7] = coefficient_rows(coefficients);
    // Columns, all eight at once, as two halves of four lanes: `points2`'s two outputs.
    let dot = |pair: v128, weights: i32| i32x4_dot_i16x8(pair, i32x4_splat(weights));
    let ([left04, right04], [left13, right13], [left57, right57]) =
        (interleave(x0, x4), interleave(x1, x3), interleave(x5, x7));
    let points = |p04: v128, p13: v128, p57: v128| {
        let (even, odd) = (dot(p04, R2_EVEN), i32x4_add(dot(p13, R2_ODD_PAIRS[0]), dot(p57, R2_ODD_PAIRS[1])));
        [i32x4_add(even, odd), i32x4_sub(even, odd)]
    };
    let ([l0, l1], [r0, r1]) = (points(left04, left13, left57), points(right04, right13, right57));
    // The two work rows saturated to 16 bits, each's pairs side by side in its 32-bit lanes.
    let shift = (CONST_BITS - PASS1_BITS) as u32;
    let work = |left: v128, right: v128| {
        let row = i16x8_narrow_i32x4(descale(left, shift), descale(right, shift));
        i8x16_swizzle(row, ROW2_PAIRS)
    };
    let (w0, w1) = (work(l0, r0), work(l1, r1));
    // Rows: lanes [row 0, row 1] of (x0, x4) and (x1, x3) in one vector, of (x5, x7) in another,
    // so that two dot products give both rows' even terms and odd sums.
    let first =
        i32x4_dot_i16x8(i32x4_shuffle::<0, 4, 1, 5>(w0, w1), i32x4(R2_EVEN, R2_EVEN, R2_ODD_PAIRS[0], R2_ODD_PAIRS[0]));
    let second = i32x4_dot_i16x8(i32x4_shuffle::<2, 6, 3, 7>(w0, w1), i32x4(R2_ODD_PAIRS[1], R2_ODD_PAIRS[1], 0, 0));
    let odd = i32x4_add(i32x4_shuffle::<2, 3, 2, 3>(first, first), second);
    // Lanes [row 0 output 0, row 0 output 1, row 1 output 0, row 1 output 1], descaled with the
    // level shift of 128 folded into the rounding; saturating to 0..=255 is the scalar clamp.
    let values = i32x4_shuffle::<0, 4, 1, 5>(i32x4_add(first, odd), i32x4_sub(first, odd));
    let shift = CONST_BITS + PASS1_BITS;
    let values = i32x4_shr(i32x4_add(values, i32x4_splat((1 << (shift - 1)) + (128 << shift))), shift as u32);
    let samples = bytes([values, values, values, values]);
    rows.store::<0>(samples);
    rows.store::<1>(i16x8_shuffle::<1, 1, 1, 1, 1, 1, 1, 1>(samples, samples));
}
