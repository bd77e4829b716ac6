//! AVIF output through ravif (rav1e, BSD): 10-bit 4:4:4 AV1 at rav1e's fastest preset, alpha as
//! a second AV1 image. AV1 encoding is slow, so the pipeline sends AVIF only up to
//! `MAX_AVIF_DIMENSION`. 10 bits and 4:4:4 measured better than 8 bits and than 4:2:0 (which
//! cannot reach JPEG's SSIMULACRA2 at quality 90 at all) for the same bytes, at about the same
//! speed. We hand ravif 10-bit planes ourselves so that only its 10-bit encoder is linked (its
//! RGB entry points carry the 8-bit one too: 0.9 MiB more wasm).

use kernels::{Image, PixelLayout};
use ravif::{Encoder, MatrixCoefficients, PixelRange};

use crate::error::{ErrorKind, TransformError};

/// rav1e's fastest preset (0 slowest – 10 fastest): the only one that fits a request's budget.
const SPEED: u8 = 10;

/// Encodes `image` at ravif's `quality` (1–100); images with alpha get an alpha plane at the
/// same quality.
pub fn encode_avif(image: &Image, quality: f32) -> Result<Vec<u8>, TransformError> {
    let quality = quality.clamp(1.0, 100.0);
    let encoder = Encoder::new().with_quality(quality).with_alpha_quality(quality).with_speed(SPEED);
    let (width, height) = (image.width, image.height);
    let encode = |planes: Vec<[u16; 3]>, alpha: Option<Vec<u16>>| {
        encoder.encode_raw_planes_10_bit(width, height, planes, alpha, PixelRange::Full, MatrixCoefficients::BT601)
    };
    let encoded = match image.layout {
        PixelLayout::Rgba8 => {
            let (pixels, _) = image.pixels.as_chunks::<4>();
            let alpha = pixels.iter().map(|&[.., a]| ten_bits(a)).collect();
            encode(pixels.iter().map(|&[r, g, b, _]| ycbcr(r, g, b)).collect(), Some(alpha))
        }
        PixelLayout::Rgb8 => {
            encode(image.pixels.as_chunks::<3>().0.iter().map(|&[r, g, b]| ycbcr(r, g, b)).collect(), None)
        }
        PixelLayout::L8 => encode(image.pixels.iter().map(|&v| [ten_bits(v), 512, 512]).collect(), None),
    };
    encoded.map(|avif| avif.avif_file).map_err(|error| {
        TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as AVIF: {error}"))
    })
}

/// An 8-bit sample on the 10-bit scale (0 → 0, 255 → 1023).
fn ten_bits(value: u8) -> u16 {
    u16::from(value) << 2 | u16::from(value) >> 6
}

/// Full-range BT.601 YCbCr (the matrix the file declares), 10-bit, rounded to nearest.
fn ycbcr(r: u8, g: u8, b: u8) -> [u16; 3] {
    const SCALE: f32 = 1023.0 / 255.0;
    let (r, g, b) = (f32::from(r) * SCALE, f32::from(g) * SCALE, f32::from(b) * SCALE);
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let cb = (b - y) / 1.772 + 512.0;
    let cr = (r - y) / 1.402 + 512.0;
    // In range by construction (0..=1023 up to rounding); `as` saturates anyway.
    [y.round() as u16, cb.round().min(1023.0) as u16, cr.round().min(1023.0) as u16]
}
