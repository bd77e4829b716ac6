//! Widening by byte swizzles: each output vector gathers its input bytes (index -1 gives 0), then
//! alpha bytes are set by OR.

use core::arch::wasm32::*;

use crate::simd::masks::ALPHA_BYTES_MASK;
use crate::simd::memory::{load, store};
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
/// Swizzle for RGB8 to RGBA8: twelve bytes to four pixels.
const RGB_TO_RGBA: [v128; 1] = [i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1)];

pub(super) fn widen(input: &[u8], from: PixelLayout, output: &mut [u8], to: PixelLayout) {
    let widened = match (from, to) {
        (PixelLayout::L8, PixelLayout::Rgb8) => widen_steps::<16, 3>(input, output, &GREY_TO_RGB, u8x16_splat(0)),
        (PixelLayout::L8, _) => widen_steps::<16, 4>(input, output, &GREY_TO_RGBA, ALPHA_BYTES_MASK),
        _ => widen_steps::<12, 1>(input, output, &RGB_TO_RGBA, ALPHA_BYTES_MASK),
    };
    let done = widened / from.channels();
    super::scalar::widen(&input[done * from.channels()..], from, &mut output[done * to.channels()..], to);
}

/// Widens `input` in steps of `IN` bytes (sixteen grey pixels or four RGB ones), each swizzled
/// into `VECTORS` output vectors with `alpha` ORed in; returns the input bytes done.
#[inline(always)]
fn widen_steps<const IN: usize, const VECTORS: usize>(
    input: &[u8],
    output: &mut [u8],
    masks: &[v128; VECTORS],
    alpha: v128,
) -> usize {
    let (steps, _) = input.as_chunks::<IN>();
    let (out_steps, _) = output.as_chunks_mut::<16>().0.as_chunks_mut::<VECTORS>();
    let done = steps.len().min(out_steps.len());
    for (step, out_step) in steps.iter().zip(out_steps) {
        let pixels = load(step);
        for (out, &mask) in out_step.iter_mut().zip(masks) {
            store(out, v128_or(i8x16_swizzle(pixels, mask), alpha));
        }
    }
    done * IN
}
