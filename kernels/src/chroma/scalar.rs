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
