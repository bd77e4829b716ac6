//! simd128 twins of [`super::scalar`], four pixels (one vector) at a time.

use core::arch::wasm32::*;

use crate::simd::masks::ALPHA_BYTES_MASK;
use crate::simd::memory::{load, store};

/// Swizzle mask copying each RGBA pixel's alpha byte into all four of its bytes.
const ALPHA_BROADCAST: v128 = i8x16(3, 3, 3, 3, 7, 7, 7, 7, 11, 11, 11, 11, 15, 15, 15, 15);
/// Swizzle mask moving the alpha bytes of four RGBA pixels into four zero-extended 32-bit lanes.
const ALPHA_BYTES: v128 = i8x16(3, -1, -1, -1, 7, -1, -1, -1, 11, -1, -1, -1, 15, -1, -1, -1);

pub(super) fn premultiply(row: &mut [u8]) {
    let (vectors, rest) = row.as_chunks_mut::<16>();
    for sixteen in vectors {
        let pixels = load(sixteen);
        // Each pixel's alpha in all four of its bytes; colour × alpha straight into 16 bits.
        let alphas = i8x16_swizzle(pixels, ALPHA_BROADCAST);
        let low = div255_round(u16x8_extmul_low_u8x16(pixels, alphas));
        let high = div255_round(u16x8_extmul_high_u8x16(pixels, alphas));
        let premultiplied = v128_bitselect(pixels, u8x16_narrow_i16x8(low, high), ALPHA_BYTES_MASK);
        store(sixteen, premultiplied);
    }
    super::scalar::premultiply(rest);
}

/// `round(x / 255)` in each 16-bit lane, as `super::div255_round`.
#[inline(always)]
fn div255_round(products: v128) -> v128 {
    let t = i16x8_add(products, u16x8_splat(128));
    u16x8_shr(i16x8_add(t, u16x8_shr(t, 8)), 8)
}

pub(super) fn unpremultiply(row: &mut [u8]) {
    let (vectors, rest) = row.as_chunks_mut::<16>();
    for sixteen in vectors {
        let pixels = load(sixteen);
        // One division gives all four pixels' scales, as `super::unpremultiply_scale`.
        let alphas = f32x4_convert_u32x4(i8x16_swizzle(pixels, ALPHA_BYTES));
        let scales = i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_div(f32x4_splat(65280.0), alphas)));
        let low = scale_two(u16x8_extend_low_u8x16(pixels), i8x16_swizzle(scales, SCALES_OF_PIXELS_01));
        let high = scale_two(u16x8_extend_high_u8x16(pixels), i8x16_swizzle(scales, SCALES_OF_PIXELS_23));
        let straight = v128_bitselect(pixels, u8x16_narrow_i16x8(low, high), ALPHA_BYTES_MASK);
        // A transparent pixel becomes all zero, as in the scalar kernel.
        let transparent = i8x16_eq(i8x16_swizzle(pixels, ALPHA_BROADCAST), u8x16_splat(0));
        store(sixteen, v128_andnot(straight, transparent));
    }
    super::scalar::unpremultiply(rest);
}

/// Swizzle masks spreading the low 16 bits of pixel 0 and 1's (or 2 and 3's) 32-bit scales over
/// those pixels' four 16-bit channel lanes.
const SCALES_OF_PIXELS_01: v128 = i8x16(0, 1, 0, 1, 0, 1, 0, 1, 4, 5, 4, 5, 4, 5, 4, 5);
const SCALES_OF_PIXELS_23: v128 = i8x16(8, 9, 8, 9, 8, 9, 8, 9, 12, 13, 12, 13, 12, 13, 12, 13);

/// `(c * scale + 128) >> 8` for two pixels' channels in 16-bit lanes; results above 32767
/// saturate, and the final narrowing to bytes clamps everything above 255, as `min(255, ..)`.
#[inline(always)]
fn scale_two(channels: v128, scales: v128) -> v128 {
    let round = u32x4_splat(128);
    let first = u32x4_shr(i32x4_add(u32x4_extmul_low_u16x8(channels, scales), round), 8);
    let second = u32x4_shr(i32x4_add(u32x4_extmul_high_u16x8(channels, scales), round), 8);
    i16x8_narrow_i32x4(first, second)
}

pub(super) fn composite_over(row: &mut [u8], background: [u8; 4]) {
    let under = u32x4_splat(u32::from_le_bytes(background));
    let (vectors, rest) = row.as_chunks_mut::<16>();
    for sixteen in vectors {
        let pixels = load(sixteen);
        let uncovered = u8x16_sub(u8x16_splat(255), i8x16_swizzle(pixels, ALPHA_BROADCAST));
        let low = div255_round(u16x8_extmul_low_u8x16(under, uncovered));
        let high = div255_round(u16x8_extmul_high_u8x16(under, uncovered));
        let composited = u8x16_add_sat(pixels, u8x16_narrow_i16x8(low, high));
        store(sixteen, composited);
    }
    super::scalar::composite_over(rest, background);
}

pub(super) fn is_opaque(row: &[u8]) -> bool {
    let (vectors, rest) = row.as_chunks::<16>();
    // AND every vector together; the alpha bytes stay 0xff only if all were.
    let all = vectors.iter().fold(u8x16_splat(0xff), |all, sixteen| v128_and(all, load(sixteen)));
    let alphas_opaque = u8x16_all_true(i8x16_eq(v128_or(all, v128_not(ALPHA_BYTES_MASK)), u8x16_splat(0xff)));
    alphas_opaque && super::scalar::is_opaque(rest)
}

/// Swizzle mask packing four RGBA pixels' colour into the low twelve bytes.
const RGB_OF_RGBA: v128 = i8x16(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);

pub(super) fn drop_alpha(bytes: &mut [u8]) {
    let groups = bytes.len() / 16;
    for group in 0..groups {
        // Four pixels move from byte 16 * group to 12 * group: their twelve bytes end before the
        // next group starts, so each group is read before anything overwrites it. (Both chunks
        // exist for every group below `groups`.)
        let Some(rgba) = bytes.get(16 * group..).and_then(<[u8]>::first_chunk::<16>) else { break };
        let rgb = i8x16_swizzle(load(rgba), RGB_OF_RGBA);
        let Some(out) = bytes.get_mut(12 * group..).and_then(<[u8]>::first_chunk_mut::<12>) else { break };
        store(out, rgb);
    }
    super::scalar::drop_alpha_from(bytes, groups * 4);
}
