//! Rearranging the 32-bit lanes of several vectors, and narrowing them to bytes.

use core::arch::wasm32::*;

use super::masks::opaque_zero;

/// Four vectors of 32-bit values as bytes, in order, each saturated to 16 bits and then to
/// 0..=255: one narrow each way, with the words hidden between them (see `opaque_zero`), where
/// LLVM would rewrite a narrow of a narrow, or of a known zero, into clamps and shuffles.
#[inline(always)]
pub(crate) fn bytes([a, b, c, d]: [v128; 4]) -> v128 {
    let fence = opaque_zero();
    let words = |low: v128, high: v128| v128_or(i16x8_narrow_i32x4(low, high), fence);
    u8x16_narrow_i16x8(words(a, b), words(c, d))
}

/// Rows of a 4 × 4 tile of 32-bit lanes to its columns: lane `c` of vector `r` becomes lane `r`
/// of vector `c`.
#[inline(always)]
pub(crate) fn transpose([a, b, c, d]: [v128; 4]) -> [v128; 4] {
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
