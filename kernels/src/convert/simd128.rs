//! Widening by byte swizzles: each output vector gathers its input bytes (index -1 gives 0), then
//! alpha bytes are set by OR.

use core::arch::wasm32::*;

use crate::simd128::ALPHA_BYTES_MASK;
use crate::PixelLayout;

/// Swizzles for L8 to RGB8: sixteen grey bytes to three output vectors.
const GREY_TO_RGB: [v128; 3] = [
    i8x16(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5),
    i8x16(5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10),
    i8x16(10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15),
];
/// Swizzles for L8 to RGBA8: sixteen grey bytes to four output vectors (alpha ORed in after).
const GREY_TO_RGBA: [v128; 4] = [
    i8x16(0, 0, 0, -1, 1, 1, 1, -1, 2, 2, 2, -1, 3, 3, 3, -1),
    i8x16(4, 4, 4, -1, 5, 5, 5, -1, 6, 6, 6, -1, 7, 7, 7, -1),
    i8x16(8, 8, 8, -1, 9, 9, 9, -1, 10, 10, 10, -1, 11, 11, 11, -1),
    i8x16(12, 12, 12, -1, 13, 13, 13, -1, 14, 14, 14, -1, 15, 15, 15, -1),
];
/// Swizzle for RGB8 to RGBA8: the first twelve bytes of a vector to four pixels.
const RGB_TO_RGBA: [v128; 1] = [i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1)];

pub(super) fn widen(input: &[u8], from: PixelLayout, output: &mut [u8], to: PixelLayout) {
    // Input bytes consumed per step, the swizzles, and the alpha to OR in.
    let (step, masks, alpha): (usize, &[v128], v128) = match (from, to) {
        (PixelLayout::L8, PixelLayout::Rgb8) => (16, &GREY_TO_RGB, u8x16_splat(0)),
        (PixelLayout::L8, _) => (16, &GREY_TO_RGBA, ALPHA_BYTES_MASK),
        _ => (12, &RGB_TO_RGBA, ALPHA_BYTES_MASK),
    };
    let out_step = masks.len() * 16;
    // Every step loads sixteen bytes, so it needs that many left even when it uses twelve.
    let steps = input.len().saturating_sub(16 - step) / step;
    for (k, output_step) in output.chunks_exact_mut(out_step).take(steps).enumerate() {
        // SAFETY: `k < steps`, so the sixteen bytes from `k * step` lie inside `input`.
        let pixels = unsafe { v128_load(input.as_ptr().add(k * step) as *const v128) };
        for (&mask, out) in masks.iter().zip(output_step.chunks_exact_mut(16)) {
            let widened = v128_or(i8x16_swizzle(pixels, mask), alpha);
            // SAFETY: `out` is exactly sixteen bytes.
            unsafe { v128_store(out.as_mut_ptr() as *mut v128, widened) };
        }
    }
    let done = steps * step / from.channels();
    super::scalar::widen(&input[done * from.channels()..], from, &mut output[done * to.channels()..], to);
}
