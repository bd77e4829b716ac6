//! Quantization tables and libjpeg's quality scale for them.

/// Klein, Silverstein and Carney's table ("Relevance of human vision to JPEG-DCT compression",
/// 1992), natural order; the same for luma and chroma, as in mozjpeg's `jcparam.c`, where the
/// tables were collected.
pub const KLEIN_SILVERSTEIN_CARNEY: [u16; 64] = [
    10, 12, 14, 19, 26, 38, 57, 86, //
    12, 18, 21, 28, 35, 41, 54, 76, //
    14, 21, 25, 32, 44, 63, 92, 136, //
    19, 28, 32, 41, 54, 75, 107, 157, //
    26, 35, 44, 54, 70, 95, 132, 190, //
    38, 41, 63, 75, 95, 125, 170, 239, //
    57, 54, 92, 107, 132, 170, 227, 312, //
    86, 76, 136, 157, 190, 239, 312, 419,
];

/// The luma table mozjpeg's `jcparam.c` gives as tuned for MS-SSIM, natural order.
pub const MS_SSIM_LUMA: [u16; 64] = [
    12, 17, 20, 21, 30, 34, 56, 63, //
    18, 20, 20, 26, 28, 51, 61, 55, //
    19, 20, 21, 26, 33, 58, 69, 55, //
    26, 26, 26, 30, 46, 87, 86, 66, //
    31, 33, 36, 40, 46, 96, 100, 73, //
    40, 35, 46, 62, 81, 100, 111, 91, //
    46, 66, 76, 86, 102, 121, 120, 101, //
    68, 90, 90, 96, 113, 102, 105, 103,
];

/// `table` at libjpeg's `quality` (1–100, clamped; fractional qualities between libjpeg's):
/// scaled by `5000 / quality` percent (rounded down) below 50, `200 - 2 quality` from 50,
/// rounded, each step within 1..=255 (baseline's 8-bit tables). At whole qualities this is
/// libjpeg's integer scaling exactly.
pub fn scaled(table: &[u16; 64], quality: f32) -> [u16; 64] {
    let quality = quality.clamp(1.0, 100.0);
    let percent = if quality < 50.0 { (5000.0 / quality).floor() } else { 200.0 - 2.0 * quality };
    table.map(|step| ((f32::from(step) * percent + 50.0) / 100.0).floor().clamp(1.0, 255.0) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_scales_as_libjpeg() {
        assert_eq!(scaled(&KLEIN_SILVERSTEIN_CARNEY, 50.0), KLEIN_SILVERSTEIN_CARNEY.map(|s| s.min(255)));
        assert_eq!(scaled(&KLEIN_SILVERSTEIN_CARNEY, 100.0), [1; 64]);
        let q85 = scaled(&KLEIN_SILVERSTEIN_CARNEY, 85.0);
        assert_eq!((q85[0], q85[63]), (3, 126));
        assert!(scaled(&MS_SSIM_LUMA, 1.0).iter().all(|&s| s == 255));
        // Between whole qualities, between their tables.
        let (q83, q83_5, q84) = (
            scaled(&KLEIN_SILVERSTEIN_CARNEY, 83.0),
            scaled(&KLEIN_SILVERSTEIN_CARNEY, 83.5),
            scaled(&KLEIN_SILVERSTEIN_CARNEY, 84.0),
        );
        assert!(q83.iter().zip(&q83_5).zip(&q84).all(|((a, b), c)| a >= b && b >= c));
        assert_ne!(q83_5, q84);
    }
}
