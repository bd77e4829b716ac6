//! simd128 twins of [`super::scalar`], four pixels (one vector) at a time.

use core::arch::wasm32::*;

/// Selects the alpha lanes of eight 16-bit values holding two RGBA pixels.
const ALPHA_WORDS: v128 = u16x8(0, 0, 0, 0xffff, 0, 0, 0, 0xffff);
/// Selects the alpha lane of four 32-bit values holding one RGBA pixel.
const ALPHA_DWORD: v128 = u32x4(0, 0, 0, 0xffff_ffff);

pub(super) fn premultiply(row: &mut [u8]) {
    let mut vectors = row.chunks_exact_mut(16);
    for sixteen in vectors.by_ref() {
        // SAFETY: `sixteen` is exactly the sixteen bytes loaded and stored.
        let pixels = unsafe { v128_load(sixteen.as_ptr() as *const v128) };
        let low = premultiply_two(u16x8_extend_low_u8x16(pixels));
        let high = premultiply_two(u16x8_extend_high_u8x16(pixels));
        unsafe { v128_store(sixteen.as_mut_ptr() as *mut v128, u8x16_narrow_i16x8(low, high)) };
    }
    super::scalar::premultiply(vectors.into_remainder());
}

/// Two RGBA pixels widened to 16 bits per channel.
#[inline(always)]
fn premultiply_two(words: v128) -> v128 {
    let alpha = i16x8_shuffle::<3, 3, 3, 3, 7, 7, 7, 7>(words, words);
    let t = i16x8_add(i16x8_mul(words, alpha), u16x8_splat(128));
    let rounded = u16x8_shr(i16x8_add(t, u16x8_shr(t, 8)), 8);
    v128_bitselect(words, rounded, ALPHA_WORDS)
}

pub(super) fn unpremultiply(row: &mut [u8]) {
    let mut vectors = row.chunks_exact_mut(16);
    for sixteen in vectors.by_ref() {
        // SAFETY: `sixteen` is exactly the sixteen bytes loaded and stored.
        let pixels = unsafe { v128_load(sixteen.as_ptr() as *const v128) };
        let low = u16x8_extend_low_u8x16(pixels);
        let high = u16x8_extend_high_u8x16(pixels);
        let p0 = unpremultiply_one(u32x4_extend_low_u16x8(low));
        let p1 = unpremultiply_one(u32x4_extend_high_u16x8(low));
        let p2 = unpremultiply_one(u32x4_extend_low_u16x8(high));
        let p3 = unpremultiply_one(u32x4_extend_high_u16x8(high));
        let packed = u8x16_narrow_i16x8(i16x8_narrow_i32x4(p0, p1), i16x8_narrow_i32x4(p2, p3));
        unsafe { v128_store(sixteen.as_mut_ptr() as *mut v128, packed) };
    }
    super::scalar::unpremultiply(vectors.into_remainder());
}

/// One RGBA pixel widened to 32 bits per channel.
#[inline(always)]
fn unpremultiply_one(channels: v128) -> v128 {
    let values = f32x4_convert_u32x4(channels);
    let alpha = i32x4_shuffle::<3, 3, 3, 3>(values, values);
    let scale = f32x4_div(f32x4_splat(255.0), alpha);
    let colour = f32x4_min(f32x4_nearest(f32x4_mul(values, scale)), f32x4_splat(255.0));
    let straight = v128_bitselect(channels, i32x4_trunc_sat_f32x4(colour), ALPHA_DWORD);
    // A transparent pixel becomes all zero, as in the scalar kernel.
    v128_andnot(straight, f32x4_eq(alpha, f32x4_splat(0.0)))
}
