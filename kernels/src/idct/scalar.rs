//! The specification: the transform on one column or row of 8 values at a time, in `i32`.

pub(super) const CONST_BITS: i32 = 13;
pub(super) const PASS1_BITS: i32 = 2;

// cos-derived constants × 2^13, rounded.
pub(super) const FIX_0_298631336: i32 = 2446;
pub(super) const FIX_0_390180644: i32 = 3196;
pub(super) const FIX_0_541196100: i32 = 4433;
pub(super) const FIX_0_765366865: i32 = 6270;
pub(super) const FIX_0_899976223: i32 = 7373;
pub(super) const FIX_1_175875602: i32 = 9633;
pub(super) const FIX_1_501321110: i32 = 12299;
pub(super) const FIX_1_847759065: i32 = 15137;
pub(super) const FIX_1_961570560: i32 = 16069;
pub(super) const FIX_2_053119869: i32 = 16819;
pub(super) const FIX_2_562915447: i32 = 20995;
pub(super) const FIX_3_072711026: i32 = 25172;

/// One 8-point transform of `x` (coefficients 0..8), as the even and odd halves' sums, scaled
/// by 2^CONST_BITS: `out[i]` before descaling.
#[inline(always)]
fn points(x: [i32; 8]) -> [i32; 8] {
    // Even part: coefficients 0, 2, 4, 6.
    let z1 = (x[2] + x[6]) * FIX_0_541196100;
    let even2 = z1 - x[6] * FIX_1_847759065;
    let even3 = z1 + x[2] * FIX_0_765366865;
    let even0 = (x[0] + x[4]) << CONST_BITS;
    let even1 = (x[0] - x[4]) << CONST_BITS;
    let (a0, a3) = (even0 + even3, even0 - even3);
    let (a1, a2) = (even1 + even2, even1 - even2);

    // Odd part: coefficients 7, 5, 3, 1.
    let (t0, t1, t2, t3) = (x[7], x[5], x[3], x[1]);
    let (z1, z2, z3, z4) = (t0 + t3, t1 + t2, t0 + t2, t1 + t3);
    let z5 = (z3 + z4) * FIX_1_175875602;
    let (z1, z2) = (-z1 * FIX_0_899976223, -z2 * FIX_2_562915447);
    let z3 = z5 - z3 * FIX_1_961570560;
    let z4 = z5 - z4 * FIX_0_390180644;
    let b0 = t0 * FIX_0_298631336 + z1 + z3;
    let b1 = t1 * FIX_2_053119869 + z2 + z4;
    let b2 = t2 * FIX_3_072711026 + z2 + z3;
    let b3 = t3 * FIX_1_501321110 + z1 + z4;

    [a0 + b3, a1 + b2, a2 + b1, a3 + b0, a3 - b0, a2 - b1, a1 - b2, a0 - b3]
}

fn descale(value: i32, shift: i32) -> i32 {
    (value + (1 << (shift - 1))) >> shift
}

/// The 8x8 block `coefficients` (dequantised, natural order) to samples in `out` rows of
/// `stride` bytes.
pub(super) fn idct_8x8(coefficients: &[i32; 64], out: &mut [u8], stride: usize) {
    let values = idct_8x8_values(coefficients);
    for (row, line) in values.chunks_exact(8).enumerate() {
        if let Some(target) = out.get_mut(row * stride..row * stride + 8) {
            for (sample, value) in target.iter_mut().zip(line) {
                *sample = (value + 128).clamp(0, 255) as u8;
            }
        }
    }
}

/// The transform itself, before the level shift and clamping (what IEEE 1180 measures).
fn idct_8x8_values(coefficients: &[i32; 64]) -> [i32; 64] {
    let mut work = [0i32; 64];
    for column in 0..8 {
        let x: [i32; 8] = core::array::from_fn(|row| coefficients.get(row * 8 + column).copied().unwrap_or(0));
        let values = if x[1..].iter().all(|&v| v == 0) {
            // A flat column: every output is the DC term.
            [x[0] << PASS1_BITS; 8]
        } else {
            points(x).map(|v| descale(v, CONST_BITS - PASS1_BITS))
        };
        for (row, value) in values.into_iter().enumerate() {
            if let Some(slot) = work.get_mut(row * 8 + column) {
                *slot = value;
            }
        }
    }
    let mut out = [0i32; 64];
    for (line, target) in work.chunks_exact(8).zip(out.chunks_exact_mut(8)) {
        let x: [i32; 8] = core::array::from_fn(|i| line.get(i).copied().unwrap_or(0));
        for (slot, value) in target.iter_mut().zip(points(x)) {
            *slot = descale(value, CONST_BITS + PASS1_BITS + 3);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IEEE 1180-1990's generator: uniform integers in [-low, high].
    struct Generator(i64);

    impl Generator {
        fn next(&mut self, low: i64, high: i64) -> i64 {
            self.0 = (self.0 * 1103515245 + 12345) & 0xFFFF_FFFF;
            let i = self.0 & 0x7FFF_FFFE;
            let x = i as f64 / 2147483647.0 * (low + high + 1) as f64;
            x as i64 - low
        }
    }

    fn cosines() -> [[f64; 8]; 8] {
        core::array::from_fn(|x| {
            core::array::from_fn(|u| {
                let scale = if u == 0 { core::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
                0.5 * scale * ((2 * x + 1) as f64 * u as f64 * core::f64::consts::PI / 16.0).cos()
            })
        })
    }

    /// The test of IEEE 1180-1990: for each input range and sign, 10000 random blocks through a
    /// double-precision forward DCT (rounded, clamped to 12 bits), then the reference inverse
    /// DCT and ours; the errors' peak, mean squares and means must stay within the standard's
    /// bounds.
    #[test]
    fn the_full_size_idct_passes_ieee_1180() {
        let c = cosines();
        for (low, high) in [(256, 255), (5, 5), (300, 300)] {
            for sign in [1i64, -1] {
                let mut generator = Generator(1);
                let (mut squares, mut sums) = ([0f64; 64], [0f64; 64]);
                let mut peak = 0i64;
                let blocks = 10_000;
                for _ in 0..blocks {
                    let block: [i64; 64] = core::array::from_fn(|_| sign * generator.next(low, high));
                    // Forward DCT, rounded and clamped as the standard says.
                    let coefficients: [i32; 64] = core::array::from_fn(|i| {
                        let (v, u) = (i / 8, i % 8);
                        let mut sum = 0f64;
                        for y in 0..8 {
                            for x in 0..8 {
                                sum += c[y][v] * c[x][u] * block[y * 8 + x] as f64;
                            }
                        }
                        (sum.round() as i32).clamp(-2048, 2047)
                    });
                    let reference: [i64; 64] = core::array::from_fn(|i| {
                        let (y, x) = (i / 8, i % 8);
                        let mut sum = 0f64;
                        for v in 0..8 {
                            for u in 0..8 {
                                sum += c[y][v] * c[x][u] * f64::from(coefficients[v * 8 + u]);
                            }
                        }
                        (sum.round() as i64).clamp(-256, 255)
                    });
                    let ours = idct_8x8_values(&coefficients).map(|v| i64::from(v).clamp(-256, 255));
                    for i in 0..64 {
                        let error = ours[i] - reference[i];
                        peak = peak.max(error.abs());
                        squares[i] += (error * error) as f64;
                        sums[i] += error as f64;
                    }
                }
                let n = blocks as f64;
                let worst_square = squares.iter().fold(0f64, |a, &b| a.max(b / n));
                let overall_square = squares.iter().sum::<f64>() / (64.0 * n);
                let worst_mean = sums.iter().fold(0f64, |a, &b| a.max((b / n).abs()));
                let overall_mean = (sums.iter().sum::<f64>() / (64.0 * n)).abs();
                let case = format!("range -{low}..{high}, sign {sign}");
                assert!(peak <= 1, "{case}: peak error {peak}");
                assert!(worst_square <= 0.06, "{case}: worst mean square error {worst_square}");
                assert!(overall_square <= 0.02, "{case}: overall mean square error {overall_square}");
                assert!(worst_mean <= 0.015, "{case}: worst mean error {worst_mean}");
                assert!(overall_mean <= 0.0015, "{case}: overall mean error {overall_mean}");
            }
        }
    }
}
