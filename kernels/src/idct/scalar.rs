//! The specification: the transform on one column or row of 8 values at a time, in `i32`.

pub(crate) const CONST_BITS: i32 = 13;
pub(crate) const PASS1_BITS: i32 = 2;

// cos-derived constants × 2^13, rounded.
pub(crate) const FIX_0_298631336: i32 = 2446;
pub(crate) const FIX_0_390180644: i32 = 3196;
pub(crate) const FIX_0_541196100: i32 = 4433;
pub(crate) const FIX_0_765366865: i32 = 6270;
pub(crate) const FIX_0_899976223: i32 = 7373;
pub(crate) const FIX_1_175875602: i32 = 9633;
pub(crate) const FIX_1_501321110: i32 = 12299;
pub(crate) const FIX_1_847759065: i32 = 15137;
pub(crate) const FIX_1_961570560: i32 = 16069;
pub(crate) const FIX_2_053119869: i32 = 16819;
pub(crate) const FIX_2_562915447: i32 = 20995;
pub(crate) const FIX_3_072711026: i32 = 25172;

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
pub(super) fn idct_8x8(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    let values = idct_8x8_values(coefficients);
    for (row, line) in values.chunks_exact(8).enumerate() {
        if let Some(target) = out.get_mut(row * stride..row * stride + 8) {
            for (sample, value) in target.iter_mut().zip(line) {
                *sample = (value + 128).clamp(0, 255) as u8;
            }
        }
    }
}

/// `value` saturated to 16 bits. The transforms' workspace is 16-bit (the reduced ones' too), as
/// in libjpeg-turbo's SIMD code: coefficients come in 16 bits (a decoder saturates dequantised
/// values), and the first pass's outputs saturate on the way out. No real encoder's coefficients
/// come near (8-bit samples' are within about ±1100, and the first pass's outputs within about
/// 31000), so on valid files this is libjpeg's islow exactly; only crafted blocks saturate, and
/// the simd128 twin, on 16-bit lanes, saturates the same. With 16-bit inputs no sum of a pass can
/// overflow `i32` (at most about 2.0e9).
fn saturate(value: i32) -> i32 {
    value.clamp(i16::MIN.into(), i16::MAX.into())
}

/// The transform itself, before the level shift and clamping (what IEEE 1180 measures).
fn idct_8x8_values(coefficients: &[i16; 64]) -> [i32; 64] {
    let mut work = [0i32; 64];
    for column in 0..8 {
        let x: [i32; 8] = core::array::from_fn(|row| coefficients.get(row * 8 + column).map_or(0, |&c| i32::from(c)));
        let values = if x[1..].iter().all(|&v| v == 0) {
            // A flat column: every output is the DC term.
            [saturate(x[0] << PASS1_BITS); 8]
        } else {
            points(x).map(|v| saturate(descale(v, CONST_BITS - PASS1_BITS)))
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

// The reduced transforms (scaled decoding): each output sample is the mean of the 2 × 2 (4 × 4)
// full-size samples it covers, computed in the DCT domain. Output `x` of a row of `size` is
// `Σ_u 1/2 C(u) cos((2x + 1) u π / 2size) w(u) F(u)`, where `w(u)` is the mean of
// `cos(k u π / 16)` over the covered offsets `k` from the group's centre; these are those
// weights × 2^13, rounded (the test below derives them). Terms whose weight is zero for every
// output (F(4) at 4 points, every even one but F(0) at 2) are left out.
pub(super) struct FourPoints {
    /// F(0)'s weight, then F(2)'s and F(6)'s (as output 0 weighs them, sign of F(6) folded in).
    pub dc: i32,
    pub f2: i32,
    pub f6: i32,
    /// Odd terms of outputs 0 and 3 (signs folded in), then of outputs 1 and 2.
    pub odd: [[i32; 4]; 2],
}
pub(super) const FOUR: FourPoints =
    FourPoints { dc: 2896, f2: 2676, f6: 1108, odd: [[3711, 1303, -871, -738], [1537, -3146, 2102, -306]] };
/// [`FOUR`]'s weights × √8, for the 8 × 4 transform: its rows go through the full-size
/// `points`, whose gain is √8, so the two passes' gains multiply to 8 as the full-size
/// transform's do (descaled by the same bits).
pub(super) const FOUR_BESIDE_EIGHT: FourPoints =
    FourPoints { dc: 8192, f2: 7568, f6: 3135, odd: [[10498, 3686, -2463, -2088], [4348, -8900, 5946, -865]] };
pub(super) const R2_0: i32 = 2896;
pub(super) const R2_ODD: [i32; 4] = [2624, -922, 616, -522];

/// Four outputs from the eight values `x` with `weights`.
#[inline(always)]
fn points4_weighted(x: [i32; 8], weights: &FourPoints) -> [i32; 4] {
    let even = x[0] * weights.dc;
    let even_odd = x[2] * weights.f2 - x[6] * weights.f6;
    let odd = |w: [i32; 4]| x[1] * w[0] + x[3] * w[1] + x[5] * w[2] + x[7] * w[3];
    let (odd0, odd1) = (odd(weights.odd[0]), odd(weights.odd[1]));
    [even + even_odd + odd0, even - even_odd + odd1, even - even_odd - odd1, even + even_odd - odd0]
}

/// Four outputs from the eight values `x`, × 2^13.
#[inline(always)]
fn points4(x: [i32; 8]) -> [i32; 4] {
    points4_weighted(x, &FOUR)
}

/// Two outputs from the eight values `x`, × 2^13.
#[inline(always)]
fn points2(x: [i32; 8]) -> [i32; 2] {
    let even = x[0] * R2_0;
    let odd = x[1] * R2_ODD[0] + x[3] * R2_ODD[1] + x[5] * R2_ODD[2] + x[7] * R2_ODD[3];
    [even + odd, even - odd]
}

/// An 8x8 block to `N` × `N` samples (`N` 4 or 2) through `points` (columns, then rows),
/// with the full-size transform's extra precision and 16-bit workspace between the passes.
fn idct_reduced<const N: usize>(
    coefficients: &[i16; 64],
    out: &mut [u8],
    stride: usize,
    points: fn([i32; 8]) -> [i32; N],
) {
    let mut work = [[0i32; 8]; N];
    for column in 0..8 {
        let x: [i32; 8] = core::array::from_fn(|row| coefficients.get(row * 8 + column).map_or(0, |&c| i32::from(c)));
        for (line, value) in work.iter_mut().zip(points(x)) {
            line[column] = saturate(descale(value, CONST_BITS - PASS1_BITS));
        }
    }
    for (row, line) in work.iter().enumerate() {
        if let Some(target) = out.get_mut(row * stride..row * stride + N) {
            for (sample, value) in target.iter_mut().zip(points(*line)) {
                *sample = (descale(value, CONST_BITS + PASS1_BITS) + 128).clamp(0, 255) as u8;
            }
        }
    }
}

pub(super) fn idct_4x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    idct_reduced(coefficients, out, stride, points4);
}

pub(super) fn idct_2x2(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    idct_reduced(coefficients, out, stride, points2);
}

/// A block to 8 × 4 samples, each the mean of the two full-size samples above each other it
/// covers: the columns through the 4-point transform ([`FOUR_BESIDE_EIGHT`]), the rows through
/// the full-size one, descaled as [`idct_8x8`].
pub(super) fn idct_8x4(coefficients: &[i16; 64], out: &mut [u8], stride: usize) {
    let mut work = [[0i32; 8]; 4];
    for column in 0..8 {
        let x: [i32; 8] = core::array::from_fn(|row| coefficients.get(row * 8 + column).map_or(0, |&c| i32::from(c)));
        for (line, value) in work.iter_mut().zip(points4_weighted(x, &FOUR_BESIDE_EIGHT)) {
            line[column] = saturate(descale(value, CONST_BITS - PASS1_BITS));
        }
    }
    for (row, line) in work.iter().enumerate() {
        if let Some(target) = out.get_mut(row * stride..row * stride + 8) {
            for (sample, value) in target.iter_mut().zip(points(*line)) {
                *sample = (descale(value, CONST_BITS + PASS1_BITS + 3) + 128).clamp(0, 255) as u8;
            }
        }
    }
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

    /// The reduced transforms' weights: `points4` and `points2` on each unit coefficient against
    /// the mean of the covered full-size samples' cosines, in floating point.
    #[test]
    fn the_reduced_weights_are_the_covered_means() {
        for size in [4usize, 2] {
            let group = 8 / size;
            for u in 0..8 {
                let mut x = [0i32; 8];
                x[u] = 1;
                let ours = if size == 4 { points4(x).to_vec() } else { points2(x).to_vec() };
                // The 8 × 4 transform's columns: the same weights × √8.
                let beside_eight = if size == 4 { points4_weighted(x, &FOUR_BESIDE_EIGHT).to_vec() } else { vec![] };
                for (output, &weight) in ours.iter().enumerate() {
                    let mean = (0..group).map(|j| cosines()[output * group + j][u]).sum::<f64>() / group as f64;
                    let expected = (mean * 8192.0).round() as i32;
                    assert!(
                        (weight - expected).abs() <= 1,
                        "size {size}, u {u}, output {output}: {weight} vs {expected}"
                    );
                    if let Some(&scaled) = beside_eight.get(output) {
                        let expected = (mean * 8192.0 * 8f64.sqrt()).round() as i32;
                        assert!((scaled - expected).abs() <= 1, "8x4, u {u}, output {output}: {scaled} vs {expected}");
                    }
                }
            }
        }
    }

    /// The test of IEEE 1180-1990: for each input range and sign, 10000 random blocks through a
    /// double-precision forward DCT (rounded, clamped to 12 bits), then the reference inverse
    /// DCT and ours; the errors' peak, mean squares and means must stay within the standard's
    /// bounds. Prints each case's figures (`benches/jpeg-correctness.mjs` tabulates them).
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
                    let coefficients: [i16; 64] = core::array::from_fn(|i| {
                        let (v, u) = (i / 8, i % 8);
                        let mut sum = 0f64;
                        for y in 0..8 {
                            for x in 0..8 {
                                sum += c[y][v] * c[x][u] * block[y * 8 + x] as f64;
                            }
                        }
                        (sum.round() as i16).clamp(-2048, 2047)
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
                println!(
                    "IEEE 1180 | {case} | {peak} | {worst_square:.4} | {overall_square:.4} | {worst_mean:.4} | {overall_mean:.5} |"
                );
                assert!(peak <= 1, "{case}: peak error {peak}");
                assert!(worst_square <= 0.06, "{case}: worst mean square error {worst_square}");
                assert!(overall_square <= 0.02, "{case}: overall mean square error {overall_square}");
                assert!(worst_mean <= 0.015, "{case}: worst mean error {worst_mean}");
                assert!(overall_mean <= 0.0015, "{case}: overall mean error {overall_mean}");
            }
        }
    }
}
