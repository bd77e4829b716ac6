//! sRGB ↔ linear light, for gamma-correct resizing: 8-bit sRGB samples become 12-bit linear ones
//! in `u16` (every sRGB level stays distinct: one linear step is at most 0.8 sRGB levels), RGBA
//! premultiplied on the way in (in linear light, where averaging is physically right) and
//! divided back on the way out.
//!
//! Both directions are table lookups (256 and 4096 entries) with a little integer arithmetic.
//! They are scalar on every backend: simd128 has no gather, and a 16-swizzle table lookup measured
//! 2.1 times slower than scalar lookups for the 256-entry [`crate::apply_lut`].

use std::sync::OnceLock;

use crate::{ImageMut, ImageRef, KernelError, PixelLayout};

/// The largest linear sample: 12 bits.
pub const LINEAR_MAX: u16 = 4095;

struct Tables {
    /// sRGB byte to linear sample.
    to_linear: [u16; 256],
    /// Linear sample to sRGB byte.
    to_srgb: [u8; LINEAR_MAX as usize + 1],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let linear = |v: f64| if v <= 0.040_45 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        let encoded = |v: f64| if v <= 0.003_130_8 { v * 12.92 } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
        Tables {
            to_linear: core::array::from_fn(|i| (linear(i as f64 / 255.0) * LINEAR_MAX as f64).round() as u16),
            to_srgb: core::array::from_fn(|i| (encoded(i as f64 / LINEAR_MAX as f64) * 255.0).round() as u8),
        }
    })
}

/// Converts sRGB `src` to linear `dst` (same size and layout). RGBA comes out premultiplied, its
/// alpha scaled to 12 bits: `a' = round(a * 4095 / 255)`, `c' = round(linear(c) * a / 255)`.
pub fn to_linear(src: ImageRef<'_>, dst: ImageMut<'_, u16>) -> Result<(), KernelError> {
    let (tables, layout, channels) = (tables(), src.layout, src.layout.channels());
    for (input, output) in row_pairs(src, dst)? {
        let pixels = input.chunks_exact(channels).zip(output.chunks_exact_mut(channels));
        if layout == PixelLayout::Rgba8 {
            for (pixel, out) in pixels {
                let alpha = pixel[3] as u32;
                for (value, linear) in pixel[..3].iter().zip(out.iter_mut()) {
                    *linear = ((tables.to_linear[*value as usize] as u32 * alpha + 127) / 255) as u16;
                }
                out[3] = ((alpha * LINEAR_MAX as u32 + 127) / 255) as u16;
            }
        } else {
            for (value, linear) in input.iter().zip(output.iter_mut()) {
                *linear = tables.to_linear[*value as usize];
            }
        }
    }
    Ok(())
}

/// Converts linear `src` (as [`to_linear`] makes it; samples above [`LINEAR_MAX`] count as it) to
/// sRGB `dst`, RGBA back to straight alpha: `a = round(a' * 255 / 4095)`, and colour divided by
/// `a'` (fully transparent pixels become 0, 0, 0, 0).
pub fn from_linear(src: ImageRef<'_, u16>, dst: ImageMut<'_>) -> Result<(), KernelError> {
    let (tables, layout, channels) = (tables(), src.layout, src.layout.channels());
    let max = LINEAR_MAX as u32;
    for (input, output) in row_pairs(src, dst)? {
        let pixels = input.chunks_exact(channels).zip(output.chunks_exact_mut(channels));
        if layout == PixelLayout::Rgba8 {
            for (pixel, out) in pixels {
                let alpha = (pixel[3] as u32).min(max);
                for (linear, value) in pixel[..3].iter().zip(out.iter_mut()) {
                    let straight =
                        (*linear as u32 * max + alpha / 2).checked_div(alpha).map_or(0, |value| value.min(max));
                    *value = tables.to_srgb[straight as usize];
                }
                out[3] = ((alpha * 255 + max / 2) / max) as u8;
            }
        } else {
            for (linear, value) in input.iter().zip(output.iter_mut()) {
                *value = tables.to_srgb[(*linear).min(LINEAR_MAX) as usize];
            }
        }
    }
    Ok(())
}

/// The used part of each row of `src` and of `dst`, after checking both images and that they
/// have the same size and layout.
fn row_pairs<'a, A, B>(
    src: ImageRef<'a, A>,
    dst: ImageMut<'a, B>,
) -> Result<impl Iterator<Item = (&'a [A], &'a mut [B])>, KernelError> {
    if src.layout != dst.layout || (src.width, src.height) != (dst.width, dst.height) {
        return Err(KernelError::LayoutMismatch);
    }
    src.validate()?;
    dst.validate()?;
    let row_len = src.width * src.layout.channels();
    let rows = src.pixels.chunks(src.stride).zip(dst.pixels.chunks_mut(dst.stride)).take(src.height);
    Ok(rows.map(move |(input, output)| (&input[..row_len], &mut output[..row_len])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_srgb_level_survives_the_round_trip() {
        let tables = tables();
        for level in 0..=255u8 {
            assert_eq!(tables.to_srgb[tables.to_linear[level as usize] as usize], level);
        }
        assert_eq!((tables.to_linear[0], tables.to_linear[255]), (0, LINEAR_MAX));
    }
}
