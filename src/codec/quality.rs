//! One `quality` scale for every lossy format: ours is JPEG's (libjpeg's 1–100 scale, as people
//! know it), and each other encoder's setting is mapped so that the same `quality` looks the
//! same. The mapping was measured with SSIMULACRA2 on the corpus photos (benches/quality's
//! `codec-quality sweep`, then `calibrate`; the README's "Formats and quality" has the method).

use super::avif::AvifSettings;

/// JPEG quantization tables (both luma and chroma): Klein, Silverstein and Carney's (1992), the
/// smallest of jpeg-encoder's nine sets at libjpeg-turbo's SSIMULACRA2 from quality 75 to 88
/// (`codec-quality jpeg-tables`: 0.865x libjpeg-turbo's bytes at its quality 85, against 0.893x
/// for ImageMagick's and 0.975x for the Annex K tables libjpeg uses). Our encoder's files match
/// jpeg-encoder's at the same tables (jpeg/tests/encode.rs), so the measurements hold.
pub const JPEG_TABLES: &[u16; 64] = &jpeg::encode::KLEIN_SILVERSTEIN_CARNEY;

/// Points (our quality, encoder setting) between which the mapping is linear, flat beyond the
/// ends (also used for other measured curves).
pub(crate) type Curve = [(u8, f32)];

/// `curve`'s value at `quality`.
pub(crate) fn along(curve: &Curve, quality: u8) -> f32 {
    let mut previous = curve.first().copied().unwrap_or((1, 1.0));
    for &(q, setting) in curve {
        if quality <= q {
            let span = f32::from(q.saturating_sub(previous.0)).max(1.0);
            let t = f32::from(quality.saturating_sub(previous.0)) / span;
            return previous.1 + (setting - previous.1) * t;
        }
        previous = (q, setting);
    }
    previous.1
}

/// The quantization table for our `quality`: [`JPEG_TABLES`] at libjpeg's quality from its
/// curve, or for grey images [`JPEG_GREY_TABLES`] at theirs.
pub fn jpeg(quality: u8, grey: bool) -> [u16; 64] {
    let (curve, table) = if grey { (JPEG_GREY_CURVE, JPEG_GREY_TABLES) } else { (JPEG_CURVE, JPEG_TABLES) };
    jpeg::encode::scaled_table(table, jpeg_setting(curve, quality))
}

/// libjpeg's quality (1–100) on `curve` at our `quality`, as measured: not rounded to a whole
/// quality (jpeg-encoder, which the curves were measured with, took whole ones; our encoder
/// scales its tables at the point itself).
fn jpeg_setting(curve: &Curve, quality: u8) -> f32 {
    along(curve, quality).clamp(1.0, 100.0)
}

/// Measured at 40 to 90 with jpeg-encoder (`codec-quality jpeg-tables DIR 800 klein`); from 90
/// both are 4:4:4. At 85, our encoder (which scales its tables at fractional qualities, and
/// writes one interleaved scan) measured +0.30 SSIMULACRA2 over libjpeg-turbo at 84 and +0.07 at
/// 83.6 (`benches/codecs.mjs`, 0.903x and 0.882x its bytes): 83.6, just above where they meet.
const JPEG_CURVE: &Curve = &[
    (1, 1.0),
    (40, 34.0),
    (50, 44.0),
    (60, 52.2),
    (70, 64.5),
    (75, 71.0),
    (80, 77.8),
    (85, 83.6),
    (88, 86.6),
    (90, 90.5),
    (100, 100.0),
];

/// JPEG quantization table for grey images (luma only): the one tuned for MS-SSIM, the smallest
/// of the nine at libjpeg-turbo's SSIMULACRA2 on the corpus's grey photos (0.887x its bytes at
/// its quality 85; Klein's 0.946x, Annex K 0.954x).
pub const JPEG_GREY_TABLES: &[u16; 64] = &jpeg::encode::MS_SSIM_LUMA;

/// Measured at 30 to 90 on the two grey corpus photos (`codec-quality jpeg-tables`).
const JPEG_GREY_CURVE: &Curve = &[
    (1, 1.0),
    (30, 32.6),
    (40, 43.6),
    (50, 54.9),
    (60, 62.4),
    (70, 71.8),
    (75, 76.8),
    (80, 81.1),
    (85, 85.5),
    (88, 88.3),
    (90, 90.2),
    (100, 100.0),
];

/// libwebp's lossy quality (0–100) for our `quality`.
pub fn webp(quality: u8) -> f32 {
    along(WEBP_CURVE, quality)
}

/// Measured at 30, 40, 50, 60, 70, 75, 80, 85 and 90; libwebp at 100 stays below libjpeg-turbo's
/// quality 95, so the top of the scale is libwebp's top.
const WEBP_CURVE: &Curve = &[
    (1, 1.0),
    (30, 30.5),
    (40, 45.8),
    (50, 58.8),
    (60, 69.5),
    (70, 78.6),
    (75, 81.5),
    (80, 85.0),
    (85, 88.0),
    (90, 98.6),
    (92, 100.0),
];

/// rav1e's quantizer (0 best – 255 worst) and chroma subsampling for our `quality`: 4:2:0 below
/// [`AVIF_444_FROM`], 4:4:4 from it. Between whole quantizers the finer one, so that at the
/// calibrated points the photos' mean score is not below the JPEG's.
pub fn avif(quality: u8) -> AvifSettings {
    let chroma_420 = quality < AVIF_444_FROM;
    let curve = if chroma_420 { AVIF_420_CURVE } else { AVIF_444_CURVE };
    AvifSettings { quantizer: along(curve, quality).floor().clamp(0.0, 255.0) as u8, chroma_420 }
}

/// Where AVIF's chroma goes to full resolution, as libjpeg-turbo's JPEG does. At quality 85 and
/// equal SSIMULACRA2, 4:4:4 is no smaller (0.630x libjpeg-turbo's bytes against 0.631x) and
/// 1.4x slower to encode; at 90, 4:2:0 falls behind (0.717x against 0.641x).
pub const AVIF_444_FROM: u8 = 90;

/// Measured at 30 to 90 over the corpus photos at 800 px
/// (`codec-quality sweep DIR 800 libjpeg-turbo,avif-420,avif-444`, then `calibrate`).
const AVIF_420_CURVE: &Curve = &[
    (1, 255.0),
    (30, 167.2),
    (40, 154.2),
    (50, 143.4),
    (60, 134.9),
    (70, 122.5),
    (75, 114.7),
    (80, 103.8),
    (85, 90.8),
    (90, 45.4),
];

/// Measured at 90, as the 4:2:0 curve; above it down to rav1e's lossless end.
const AVIF_444_CURVE: &Curve = &[(90, 59.3), (100, 0.0)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_interpolate_and_clamp() {
        assert_eq!(webp(85), 88.0);
        assert!((webp(87) - (88.0 + 2.0 * (98.6 - 88.0) / 5.0)).abs() < 1e-4);
        assert_eq!(webp(100), 100.0);
        assert_eq!(webp(1), 1.0);
        assert_eq!(avif(85), AvifSettings { quantizer: 90, chroma_420: true });
        assert_eq!(avif(90), AvifSettings { quantizer: 59, chroma_420: false });
        assert_eq!(avif(100), AvifSettings { quantizer: 0, chroma_420: false });
        assert_eq!((jpeg_setting(JPEG_CURVE, 85), jpeg_setting(JPEG_GREY_CURVE, 85)), (83.6, 85.5));
        assert_eq!(jpeg(85, false), jpeg::encode::scaled_table(JPEG_TABLES, 83.6));
        assert_eq!(jpeg(85, true), jpeg::encode::scaled_table(JPEG_GREY_TABLES, 85.5));
        for quality in 1..100 {
            let (avif_here, avif_next) = (avif(quality), avif(quality + 1));
            // At the switch to 4:4:4 the quantizer may rise: full chroma looks as good with more.
            let avif_monotonic =
                avif_here.chroma_420 != avif_next.chroma_420 || avif_here.quantizer >= avif_next.quantizer;
            assert!(webp(quality) <= webp(quality + 1) && avif_monotonic, "monotonic at {quality}");
            for grey in [false, true] {
                let curve = if grey { JPEG_GREY_CURVE } else { JPEG_CURVE };
                assert!(jpeg_setting(curve, quality) <= jpeg_setting(curve, quality + 1), "monotonic at {quality}");
            }
        }
    }
}
