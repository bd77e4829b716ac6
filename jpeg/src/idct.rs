//! The reduced inverse DCTs for scaled decoding (the full-size one is `kernels::idct_8x8`): 4, 2
//! or 1 samples a side, each the average of the 2, 4 or 8 neighbouring full-size samples it
//! covers, computed in the DCT domain. Input is dequantised coefficients in natural order; output
//! is 8-bit samples.

/// Rows of the reduced transforms: `size` outputs from 8 coefficients each. Output `x` of the
/// average of `8 / size` full-size samples `x * 8 / size ..` is
/// `1/2 Σ_u C(u) F(u) cos((2x + 1) u π / (2 size)) w(u)`, where `w(u)` is the mean of
/// `cos((2j + 1) u π / 16)` over the averaged offsets `j` (the 8-point cosines of a group share
/// the centre's).
fn reduced_matrix(size: usize) -> [[f32; 8]; 8] {
    let group = 8 / size;
    let mut matrix = [[0f32; 8]; 8];
    for (x, row) in matrix.iter_mut().enumerate().take(size) {
        for (u, weight) in row.iter_mut().enumerate() {
            let u_f = u as f64;
            let scale = if u == 0 { core::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
            let centre = (2 * x + 1) as f64 * u_f * core::f64::consts::PI / (2 * size) as f64;
            let spread: f64 = (0..group)
                .map(|j| ((2 * j + 1) as f64 - group as f64) * u_f * core::f64::consts::PI / 16.0)
                .map(f64::cos)
                .sum::<f64>()
                / group as f64;
            *weight = (0.5 * scale * centre.cos() * spread) as f32;
        }
    }
    matrix
}

/// An 8x8 block to `size` × `size` samples (`size` 4, 2 or 1).
pub fn idct_reduced(coefficients: &[i32; 64], size: usize, out: &mut [u8], stride: usize) {
    if size == 1 {
        // The mean of the block: the DC term over 8.
        let value = (coefficients[0] + 4).div_euclid(8) + 128;
        if let Some(sample) = out.first_mut() {
            *sample = value.clamp(0, 255) as u8;
        }
        return;
    }
    let matrix = match size {
        4 => &*REDUCED_4,
        _ => &*REDUCED_2,
    };
    // Columns: 8 coefficients down to `size` values each. Most columns of a photo's blocks are
    // all zero, and stay zero.
    let mut work = [[0f32; 8]; 8];
    for column in 0..8 {
        let values: [f32; 8] = core::array::from_fn(|u| coefficients.get(u * 8 + column).copied().unwrap_or(0) as f32);
        if values.iter().all(|&value| value == 0.0) {
            continue;
        }
        for (line, row) in work.iter_mut().zip(matrix.iter()).take(size) {
            let sum: f32 = row.iter().zip(&values).map(|(weight, value)| weight * value).sum();
            if let Some(slot) = line.get_mut(column) {
                *slot = sum;
            }
        }
    }
    for (y, line) in work.iter().enumerate().take(size) {
        if let Some(target) = out.get_mut(y * stride..y * stride + size) {
            for (sample, row) in target.iter_mut().zip(matrix.iter()) {
                let sum: f32 = row.iter().zip(line).map(|(weight, value)| weight * value).sum();
                *sample = (sum.round() as i32 + 128).clamp(0, 255) as u8;
            }
        }
    }
}

static REDUCED_4: std::sync::LazyLock<[[f32; 8]; 8]> = std::sync::LazyLock::new(|| reduced_matrix(4));
static REDUCED_2: std::sync::LazyLock<[[f32; 8]; 8]> = std::sync::LazyLock::new(|| reduced_matrix(2));
