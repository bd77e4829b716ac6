//! Colour spaces and the conversion of one row of upsampled components to pixels: YCbCr through
//! the `kernels` conversion (the standard's fixed point), RGB, and CMYK and YCCK, Adobe-inverted
//! or not, to RGB without a profile or to ink amounts for the caller's profile.

use kernels::Backend;

use crate::error::{Error, Result};
use crate::markers::Frame;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorSpace {
    Grey,
    YCbCr,
    Rgb,
    /// Adobe files store CMYK inverted (0 is full ink); `inverted` says so.
    Cmyk {
        inverted: bool,
    },
    Ycck {
        inverted: bool,
    },
}

/// What the components are, from their count, the Adobe transform flag and the JFIF-era
/// conventions libjpeg follows (component ids 'R', 'G', 'B').
pub fn color_space(frame: &Frame, adobe_transform: Option<u8>) -> ColorSpace {
    match frame.components.len() {
        1 => ColorSpace::Grey,
        3 => match adobe_transform {
            Some(0) => ColorSpace::Rgb,
            Some(_) => ColorSpace::YCbCr,
            None => {
                let ids: Vec<u8> = frame.components.iter().map(|c| c.id).collect();
                if ids == b"RGB" {
                    ColorSpace::Rgb
                } else {
                    ColorSpace::YCbCr
                }
            }
        },
        _ => {
            let inverted = adobe_transform.is_some();
            if adobe_transform == Some(2) {
                ColorSpace::Ycck { inverted }
            } else {
                ColorSpace::Cmyk { inverted }
            }
        }
    }
}

/// One output row from each component's row (`width` samples each) into `out`: 1 byte a pixel
/// for grey, 3 (RGB) for everything else.
pub fn convert_row(space: ColorSpace, rows: &[&[u8]], out: &mut [u8], backend: Backend) -> Result<()> {
    let failed = |_| Error::Internal("the colour conversion kernel refused its rows");
    match (space, rows) {
        (ColorSpace::Grey, [grey, ..]) => {
            out.get_mut(..grey.len()).ok_or(Error::Internal("a short output row"))?.copy_from_slice(grey);
        }
        (ColorSpace::Rgb, [r, g, b, ..]) => {
            for (((target, &r), &g), &b) in out.chunks_exact_mut(3).zip(*r).zip(*g).zip(*b) {
                target.copy_from_slice(&[r, g, b]);
            }
        }
        (ColorSpace::YCbCr, [y, cb, cr, ..]) => kernels::ycbcr_to_rgb(y, cb, cr, out, backend).map_err(failed)?,
        (ColorSpace::Cmyk { inverted }, [c, m, y, k, ..]) => {
            for ((((target, &c), &m), &y), &k) in out.chunks_exact_mut(3).zip(*c).zip(*m).zip(*y).zip(*k) {
                target.copy_from_slice(&cmyk_to_rgb([c, m, y], k, inverted));
            }
        }
        (ColorSpace::Ycck { inverted }, [y, cb, cr, k, ..]) => {
            // YCCK holds CMY as inverted RGB through YCbCr: convert that first, in place.
            kernels::ycbcr_to_rgb(y, cb, cr, out, backend).map_err(failed)?;
            for (target, &k) in out.chunks_exact_mut(3).zip(*k) {
                if let [r, g, b] = *target {
                    target.copy_from_slice(&cmyk_to_rgb([255 - r, 255 - g, 255 - b], k, inverted));
                }
            }
        }
        _ => return Err(Error::Internal("fewer component rows than the colour space has")),
    }
    Ok(())
}

/// One row of a CMYK or YCCK file's components into `out` as C, M, Y, K ink amounts, 4 bytes a
/// pixel, 255 for full ink (how ICC profiles read CMYK, whatever the file stores).
pub fn ink_row(space: ColorSpace, rows: &[&[u8]], out: &mut [u8], backend: Backend) -> Result<()> {
    match (space, rows) {
        (ColorSpace::Cmyk { inverted }, [c, m, y, k, ..]) => {
            for ((((target, &c), &m), &y), &k) in out.chunks_exact_mut(4).zip(*c).zip(*m).zip(*y).zip(*k) {
                target.copy_from_slice(&[c, m, y, k].map(|stored| ink(stored, inverted)));
            }
        }
        (ColorSpace::Ycck { inverted }, [y, cb, cr, k, ..]) => {
            // YCCK holds CMY as inverted RGB through YCbCr: convert that into the row's first
            // three quarters, then spread it to four bytes a pixel from the end backwards, where
            // no pixel is overwritten before it is read.
            let width = k.len();
            let rgb = out.get_mut(..width * 3).ok_or(Error::Internal("a short output row"))?;
            kernels::ycbcr_to_rgb(y, cb, cr, rgb, backend)
                .map_err(|_| Error::Internal("the colour conversion kernel refused its rows"))?;
            for (x, &k) in k.iter().enumerate().rev() {
                let Some(&[r, g, b]) = out.get(x * 3..x * 3 + 3) else { break };
                let target = out.get_mut(x * 4..x * 4 + 4).ok_or(Error::Internal("a short output row"))?;
                target.copy_from_slice(&[255 - r, 255 - g, 255 - b, k].map(|stored| ink(stored, inverted)));
            }
        }
        _ => return Err(Error::Internal("ink asked of a file that is not CMYK or YCCK")),
    }
    Ok(())
}

/// The ink amount (255 for full ink) a stored CMYK sample means: inverted (Adobe) files store
/// 255 for no ink.
fn ink(stored: u8, inverted: bool) -> u8 {
    if inverted {
        255 - stored
    } else {
        stored
    }
}

/// Naive CMYK to RGB (no profile): each channel `(1 - ink) × (1 - black)`.
fn cmyk_to_rgb(cmy: [u8; 3], k: u8, inverted: bool) -> [u8; 3] {
    let k = u32::from(ink(k, inverted));
    cmy.map(|v| ((255 - u32::from(ink(v, inverted))) * (255 - k) / 255) as u8)
}
