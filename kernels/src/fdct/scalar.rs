//! The specification: the transform on one column or row of 8 values at a time, in `i32`, then
//! the quantization in integers.

use super::{Quantizer, ZIGZAG_TO_NATURAL};
use crate::idct::scalar::{
    CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865, FIX_0_899976223, FIX_1_175875602,
    FIX_1_501321110, FIX_1_847759065, FIX_1_961570560, FIX_2_053119869, FIX_2_562915447, FIX_3_072711026, PASS1_BITS,
};

/// One 8-point forward transform of `x`: outputs 0 and 4 as plain sums, the others scaled by
/// 2^CONST_BITS (each pass descales them its own way).
#[inline(always)]
pub(crate) fn points(x: [i32; 8]) -> [i32; 8] {
    let (t0, t7) = (x[0] + x[7], x[0] - x[7]);
    let (t1, t6) = (x[1] + x[6], x[1] - x[6]);
    let (t2, t5) = (x[2] + x[5], x[2] - x[5]);
    let (t3, t4) = (x[3] + x[4], x[3] - x[4]);

    // Even part.
    let (t10, t13) = (t0 + t3, t0 - t3);
    let (t11, t12) = (t1 + t2, t1 - t2);
    let z1 = (t12 + t13) * FIX_0_541196100;
    let y2 = z1 + t13 * FIX_0_765366865;
    let y6 = z1 - t12 * FIX_1_847759065;

    // Odd part.
    let (z1, z2, z3, z4) = (t4 + t7, t5 + t6, t4 + t6, t5 + t7);
    let z5 = (z3 + z4) * FIX_1_175875602;
    let (z1, z2) = (-z1 * FIX_0_899976223, -z2 * FIX_2_562915447);
    let z3 = z5 - z3 * FIX_1_961570560;
    let z4 = z5 - z4 * FIX_0_390180644;
    let y7 = t4 * FIX_0_298631336 + z1 + z3;
    let y5 = t5 * FIX_2_053119869 + z2 + z4;
    let y3 = t6 * FIX_3_072711026 + z2 + z3;
    let y1 = t7 * FIX_1_501321110 + z1 + z4;

    [t10 + t11, y1, y2, y3, t10 - t11, y5, y6, y7]
}

fn descale(value: i32, shift: i32) -> i32 {
    (value + (1 << (shift - 1))) >> shift
}

/// The first pass's outputs, 2^PASS1_BITS times the 1-D DCT (scaled as `points` leaves it).
pub(crate) fn first_pass(x: [i32; 8]) -> [i32; 8] {
    let y = points(x);
    core::array::from_fn(|i| match i {
        0 | 4 => y[i] << PASS1_BITS,
        _ => descale(y[i], CONST_BITS - PASS1_BITS),
    })
}

/// The second pass's outputs: the pass's own scale, the first pass's extra bits removed.
pub(crate) fn second_pass(x: [i32; 8]) -> [i32; 8] {
    let y = points(x);
    core::array::from_fn(|i| match i {
        0 | 4 => descale(y[i], PASS1_BITS),
        _ => descale(y[i], CONST_BITS + PASS1_BITS),
    })
}

/// The transform alone, 8 times the DCT of the samples less 128 (what accuracy tests measure):
/// rows first, then columns, as libjpeg's islow.
pub(crate) fn fdct_values(samples: &[u8], stride: usize) -> [i32; 64] {
    let sample = |row: usize, column: usize| samples.get(row * stride + column).map_or(0, |&s| i32::from(s) - 128);
    let mut work = [0i32; 64];
    for (row, line) in work.chunks_exact_mut(8).enumerate() {
        line.copy_from_slice(&first_pass(core::array::from_fn(|column| sample(row, column))));
    }
    let mut out = [0i32; 64];
    for column in 0..8 {
        let values = second_pass(core::array::from_fn(|row| work.get(row * 8 + column).copied().unwrap_or(0)));
        for (row, value) in values.into_iter().enumerate() {
            if let Some(slot) = out.get_mut(row * 8 + column) {
                *slot = value;
            }
        }
    }
    out
}

/// `value` (8 times a DCT coefficient) over `step`, rounded half away from zero.
pub(crate) fn quantize(value: i32, step: u16) -> i16 {
    let divisor = 8 * i32::from(step);
    let magnitude = (value.abs() + divisor / 2) / divisor;
    (if value < 0 { -magnitude } else { magnitude }) as i16
}

pub(super) fn fdct_quantize(samples: &[u8], stride: usize, quantizer: &Quantizer, out: &mut [i16; 64]) -> u64 {
    let values = fdct_values(samples, stride);
    for ((slot, &value), &step) in out.iter_mut().zip(&values).zip(quantizer.steps()) {
        *slot = quantize(value, step);
    }
    let nonzero = |natural: u8| out.get(usize::from(natural)).is_some_and(|&c| c != 0);
    ZIGZAG_TO_NATURAL.iter().enumerate().fold(0, |mask, (k, &n)| mask | (u64::from(nonzero(n)) << k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DCT in `f64`, 8 times as the transform scales it, of samples less 128.
    fn reference(samples: &[u8; 64]) -> [f64; 64] {
        let c = |u: usize| if u == 0 { core::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        core::array::from_fn(|i| {
            let (v, u) = (i / 8, i % 8);
            let mut sum = 0.0;
            for (j, &s) in samples.iter().enumerate() {
                let (y, x) = ((j / 8) as f64, (j % 8) as f64);
                let cos = |f: usize, at: f64| ((2.0 * at + 1.0) * f as f64 * core::f64::consts::PI / 16.0).cos();
                sum += (f64::from(s) - 128.0) * cos(u, x) * cos(v, y);
            }
            2.0 * c(u) * c(v) * sum
        })
    }

    #[test]
    fn the_transform_is_within_a_fifth_of_a_coefficient_of_the_exact_dct() {
        let mut state = 0x1180_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut worst = 0.0f64;
        for case in 0..2000 {
            // Noise, smooth ramps and the extremes.
            let block: [u8; 64] = match case % 3 {
                0 => core::array::from_fn(|_| next() as u8),
                1 => {
                    let (base, dx, dy) = (next() % 128, next() % 16, next() % 16);
                    core::array::from_fn(|i| (base + dx * (i % 8) as u64 + dy * (i / 8) as u64).min(255) as u8)
                }
                _ => core::array::from_fn(|i| if (next() >> (i % 60)) & 1 == 0 { 0 } else { 255 }),
            };
            let exact = reference(&block);
            let ours = fdct_values(&block, 8);
            for (a, b) in exact.iter().zip(ours) {
                worst = worst.max((a - f64::from(b)).abs());
            }
        }
        // 8 times the DCT: 1.5 is under a fifth of a coefficient, less than any quantizer's
        // rounding (measured: 1.28, the two passes' roundings).
        assert!(worst <= 1.5, "worst error {worst}");
    }

    #[test]
    fn quantization_rounds_half_away_from_zero() {
        assert_eq!(quantize(4 * 16 - 1, 16), 0);
        assert_eq!(quantize(4 * 16, 16), 1);
        assert_eq!(quantize(-4 * 16, 16), -1);
        assert_eq!(quantize(-4 * 16 + 1, 16), 0);
        assert_eq!(quantize(8 * 255 * 3, 255), 3);
    }
}
