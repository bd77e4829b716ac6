//! The specification. The upsamplers take the range of input samples to do, so that the simd128
//! twin can leave the row's ends (whose neighbours are clamped) to them.

use core::ops::Range;

/// Outputs `2i` and `2i + 1` for every `i` in `range`; `out` holds at least `2 × row.len()`.
pub(super) fn upsample_h2(row: &[u8], out: &mut [u8], range: Range<usize>) {
    let last = row.len().saturating_sub(1);
    for i in range {
        let near = 3 * u16::from(row[i]);
        let left = u16::from(row[i.saturating_sub(1)]);
        let right = u16::from(row[(i + 1).min(last)]);
        out[2 * i] = ((near + left + 1) >> 2) as u8;
        out[2 * i + 1] = ((near + right + 2) >> 2) as u8;
    }
}

/// As [`upsample_h2`], on the column sums `3 near + far`, rounding 8 and 7 of 16.
pub(super) fn upsample_h2v2(near: &[u8], far: &[u8], out: &mut [u8], range: Range<usize>) {
    let last = near.len().saturating_sub(1);
    let column = |i: usize| 3 * u16::from(near[i]) + u16::from(far[i]);
    for i in range {
        let middle = 3 * column(i);
        out[2 * i] = ((middle + column(i.saturating_sub(1)) + 8) >> 4) as u8;
        out[2 * i + 1] = ((middle + column((i + 1).min(last)) + 7) >> 4) as u8;
    }
}

pub(super) fn upsample_v2(near: &[u8], far: &[u8], bias: u16, out: &mut [u8]) {
    for ((out, &near), &far) in out.iter_mut().zip(near).zip(far) {
        *out = ((3 * u16::from(near) + u16::from(far) + bias) >> 2) as u8;
    }
}

pub(super) fn downsample_v2(top: &[u8], bottom: &[u8], out: &mut [u8]) {
    for ((out, &top), &bottom) in out.iter_mut().zip(top).zip(bottom) {
        *out = ((u16::from(top) + u16::from(bottom) + 1) >> 1) as u8;
    }
}

/// Outputs `first..` of a 2 × 2 halving (the simd128 twin leaves the tail to this).
pub(super) fn downsample_h2v2(top: &[u8], bottom: &[u8], out: &mut [u8], first: usize) {
    let last = top.len().saturating_sub(1);
    let sample = |row: &[u8], x: usize| u16::from(row.get(x.min(last)).copied().unwrap_or(0));
    for (i, out) in out.iter_mut().enumerate().skip(first) {
        let sum = sample(top, 2 * i) + sample(top, 2 * i + 1) + sample(bottom, 2 * i) + sample(bottom, 2 * i + 1);
        *out = ((sum + 2) >> 2) as u8;
    }
}

/// 16 fraction bits, as libjpeg's jdcolor.c.
pub(super) const SCALE_BITS: i32 = 16;
pub(super) const HALF: i32 = 1 << (SCALE_BITS - 1);
/// 1.40200, 1.77200, 0.34414 and 0.71414 × 2^16, rounded.
pub(super) const CR_R: i32 = 91881;
pub(super) const CB_B: i32 = 116130;
pub(super) const CB_G: i32 = 22554;
pub(super) const CR_G: i32 = 46802;

pub(super) fn ycbcr_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    for (((rgb, &y), &cb), &cr) in out.chunks_exact_mut(3).zip(y).zip(cb).zip(cr) {
        let (y, cb, cr) = (i32::from(y), i32::from(cb) - 128, i32::from(cr) - 128);
        let r = y + ((CR_R * cr + HALF) >> SCALE_BITS);
        let g = y + ((-CB_G * cb - CR_G * cr + HALF) >> SCALE_BITS);
        let b = y + ((CB_B * cb + HALF) >> SCALE_BITS);
        rgb.copy_from_slice(&[r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8]);
    }
}

/// The fine conversion ([`super::ycbcr_fine_to_rgb`]): constants over 2^14, so that Y shifted
/// up and every product stay inside `i32` for any `i16` input.
pub(super) const FINE_SCALE_BITS: u32 = 14;
/// The shift from a fine sum to a sample: the constants' bits and the inputs' fractional bits.
pub(super) const FINE_SHIFT: u32 = FINE_SCALE_BITS + crate::resize::FINE_BITS;
pub(super) const FINE_HALF: i32 = 1 << (FINE_SHIFT - 1);
/// Chroma's zero, 128, in fine units.
pub(super) const FINE_CENTRE: i16 = 128 << crate::resize::FINE_BITS;
/// 1.40200, 1.77200, 0.34414 and 0.71414 × 2^14, rounded.
pub(super) const FINE_CR_R: i32 = 22970;
pub(super) const FINE_CB_B: i32 = 29032;
pub(super) const FINE_CB_G: i32 = 5638;
pub(super) const FINE_CR_G: i32 = 11700;

pub(super) fn ycbcr_fine_to_rgb(y: &[i16], cb: &[i16], cr: &[i16], out: &mut [u8]) {
    for (((rgb, &y), &cb), &cr) in out.chunks_exact_mut(3).zip(y).zip(cb).zip(cr) {
        let base = (i32::from(y) << FINE_SCALE_BITS) + FINE_HALF;
        // Saturating, as 16-bit lanes subtract: only values far outside any resize's reach differ.
        let (cb, cr) = (i32::from(cb.saturating_sub(FINE_CENTRE)), i32::from(cr.saturating_sub(FINE_CENTRE)));
        let r = (base + FINE_CR_R * cr) >> FINE_SHIFT;
        let g = (base - FINE_CB_G * cb - FINE_CR_G * cr) >> FINE_SHIFT;
        let b = (base + FINE_CB_B * cb) >> FINE_SHIFT;
        rgb.copy_from_slice(&[r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8]);
    }
}

// RGB to YCbCr for encoding: JFIF's conversion over 2^15, every triple of constants summing to
// exactly 2^15 (Y) or 0 (Cb, Cr), so grey stays grey. Chroma rounds half a unit short of
// half, as libjpeg's does, which keeps its extremes at 0 and 255 with no clamp.
pub(super) const TO_YCBCR_BITS: u32 = 15;
/// 0.29900, 0.58700 and 0.11400 × 2^15.
pub(super) const Y_R: i32 = 9798;
pub(super) const Y_G: i32 = 19235;
pub(super) const Y_B: i32 = 3735;
/// -0.16874, -0.33126 and 0.5 × 2^15.
pub(super) const CB_FROM_R: i32 = -5529;
pub(super) const CB_FROM_G: i32 = -10855;
pub(super) const CB_FROM_B: i32 = 16384;
/// 0.5, -0.41869 and -0.08131 × 2^15.
pub(super) const CR_FROM_R: i32 = 16384;
pub(super) const CR_FROM_G: i32 = -13720;
pub(super) const CR_FROM_B: i32 = -2664;
/// Chroma's rounding, a unit short of half.
pub(super) const CHROMA_ROUNDING: i32 = (1 << (TO_YCBCR_BITS - 1)) - 1;
const _: () = assert!(Y_R + Y_G + Y_B == 1 << TO_YCBCR_BITS);
const _: () = assert!(CB_FROM_R + CB_FROM_G + CB_FROM_B == 0 && CR_FROM_R + CR_FROM_G + CR_FROM_B == 0);

fn luma(r: i32, g: i32, b: i32) -> u8 {
    ((Y_R * r + Y_G * g + Y_B * b + (1 << (TO_YCBCR_BITS - 1))) >> TO_YCBCR_BITS) as u8
}

/// Cb and Cr of `pixels` pixels whose R, G and B sum to `r`, `g` and `b` (`pixels` 1 or 4): each
/// pixel's rounding term added once per pixel.
fn chroma(r: i32, g: i32, b: i32, pixels: i32, shift: u32) -> (u8, u8) {
    let offset = (128 << shift) + pixels * CHROMA_ROUNDING;
    let cb = (CB_FROM_R * r + CB_FROM_G * g + CB_FROM_B * b + offset) >> shift;
    let cr = (CR_FROM_R * r + CR_FROM_G * g + CR_FROM_B * b + offset) >> shift;
    (cb as u8, cr as u8)
}

fn channels(pixel: &[u8]) -> (i32, i32, i32) {
    let at = |i: usize| pixel.get(i).map_or(0, |&v| i32::from(v));
    (at(0), at(1), at(2))
}

pub(super) fn rgb_to_ycbcr(rgb: &[u8], y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    for (((pixel, y), cb), cr) in rgb.chunks_exact(3).zip(y).zip(cb).zip(cr) {
        let (r, g, b) = channels(pixel);
        *y = luma(r, g, b);
        (*cb, *cr) = chroma(r, g, b, 1, TO_YCBCR_BITS);
    }
}

/// Pixel pairs `pairs` (a range of chroma columns) of two rows.
pub(super) fn rgb_to_ycbcr_h2v2(
    [top, bottom]: [&[u8]; 2],
    [y_top, y_bottom]: [&mut [u8]; 2],
    cb: &mut [u8],
    cr: &mut [u8],
    pairs: Range<usize>,
) {
    for i in pairs {
        let pixels = 6 * i..6 * i + 6;
        let (Some(top), Some(bottom)) = (top.get(pixels.clone()), bottom.get(pixels)) else { return };
        let (mut r, mut g, mut b) = (0, 0, 0);
        for (row, out) in [(top, &mut *y_top), (bottom, &mut *y_bottom)] {
            for (k, pixel) in row.chunks_exact(3).enumerate() {
                let (pr, pg, pb) = channels(pixel);
                if let Some(y) = out.get_mut(2 * i + k) {
                    *y = luma(pr, pg, pb);
                }
                (r, g, b) = (r + pr, g + pg, b + pb);
            }
        }
        let (cb_value, cr_value) = chroma(r, g, b, 4, TO_YCBCR_BITS + 2);
        if let (Some(cb), Some(cr)) = (cb.get_mut(i), cr.get_mut(i)) {
            (*cb, *cr) = (cb_value, cr_value);
        }
    }
}
