//! simd128 unsharp mask: differences in 16-bit lanes, products in 32-bit lanes, saturating
//! narrowing for the clamp.

use core::arch::wasm32::*;

use crate::simd128::ALPHA_BYTES_MASK;
use crate::PixelLayout;

pub(super) fn unsharp_mask(row: &mut [u8], blurred: &[u8], layout: PixelLayout, amount: i32) {
    let keep = if layout == PixelLayout::Rgba8 { ALPHA_BYTES_MASK } else { u8x16_splat(0) };
    let amounts = i32x4_splat(amount);
    let round = i32x4_splat(128);
    let mut vectors = row.chunks_exact_mut(16);
    let mut soft_vectors = blurred.chunks_exact(16);
    for (sixteen, soft) in vectors.by_ref().zip(soft_vectors.by_ref()) {
        // SAFETY: `sixteen` and `soft` are exactly sixteen bytes each.
        let (sharp, soft) =
            unsafe { (v128_load(sixteen.as_ptr() as *const v128), v128_load(soft.as_ptr() as *const v128)) };
        let half = |extend: fn(v128) -> v128| {
            let channel = extend(sharp);
            let difference = i16x8_sub(channel, extend(soft));
            let low = i32x4_shr(i32x4_add(i32x4_mul(i32x4_extend_low_i16x8(difference), amounts), round), 8);
            let high = i32x4_shr(i32x4_add(i32x4_mul(i32x4_extend_high_i16x8(difference), amounts), round), 8);
            i16x8_add_sat(channel, i16x8_narrow_i32x4(low, high))
        };
        let sharpened = u8x16_narrow_i16x8(half(u16x8_extend_low_u8x16), half(u16x8_extend_high_u8x16));
        unsafe { v128_store(sixteen.as_mut_ptr() as *mut v128, v128_bitselect(sharp, sharpened, keep)) };
    }
    // Sixteen bytes are whole RGBA pixels, so the remainders start at a pixel.
    super::scalar::unsharp_mask(vectors.into_remainder(), soft_vectors.remainder(), layout, amount);
}
