//! simd128 unsharp mask: differences in 16-bit lanes, products in 32-bit lanes, saturating
//! narrowing for the clamp.

use core::arch::wasm32::*;

use crate::simd::masks::ALPHA_BYTES_MASK;
use crate::simd::memory::{load, store};
use crate::PixelLayout;

pub(super) fn unsharp_mask(row: &mut [u8], blurred: &[u8], layout: PixelLayout, amount: i32) {
    let keep = if layout == PixelLayout::Rgba8 { ALPHA_BYTES_MASK } else { u8x16_splat(0) };
    let amounts = i32x4_splat(amount);
    let round = i32x4_splat(128);
    let (vectors, rest) = row.as_chunks_mut::<16>();
    let (soft_vectors, soft_rest) = blurred.as_chunks::<16>();
    for (sixteen, soft) in vectors.iter_mut().zip(soft_vectors) {
        let (sharp, soft) = (load(sixteen), load(soft));
        let half = |extend: fn(v128) -> v128| {
            let channel = extend(sharp);
            let difference = i16x8_sub(channel, extend(soft));
            let low = i32x4_shr(i32x4_add(i32x4_mul(i32x4_extend_low_i16x8(difference), amounts), round), 8);
            let high = i32x4_shr(i32x4_add(i32x4_mul(i32x4_extend_high_i16x8(difference), amounts), round), 8);
            i16x8_add_sat(channel, i16x8_narrow_i32x4(low, high))
        };
        let sharpened = u8x16_narrow_i16x8(half(u16x8_extend_low_u8x16), half(u16x8_extend_high_u8x16));
        store(sixteen, v128_bitselect(sharp, sharpened, keep));
    }
    // Sixteen bytes are whole RGBA pixels, so the rests start at a pixel where alpha matters.
    super::scalar::unsharp_mask(rest, soft_rest, layout, amount);
}
