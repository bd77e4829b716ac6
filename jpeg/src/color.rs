//! From component planes to pixels: chroma upsampling (libjpeg-turbo's "fancy" triangle filter
//! for 2x1, 1x2 and 2x2 subsampling, replication for other factors) and colour conversion
//! (YCbCr with the standard's fixed-point coefficients; RGB; CMYK and YCCK, Adobe-inverted or
//! not, to RGB without a profile).

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

/// One component as decoded: `width` × `height` samples (the rest of the plane is block
/// padding), and how many times it is upsampled each way.
pub struct Sampled<'a> {
    pub samples: &'a [u8],
    pub stride: usize,
    pub width: usize,
    pub height: usize,
    /// Rows `samples` holds: row `y` is at `y % held_rows` (a ring while streaming).
    pub held_rows: usize,
    pub horizontal_factor: usize,
    pub vertical_factor: usize,
    /// The triangle filter where it applies; replication when not (libjpeg-turbo replicates at
    /// 1/8 scale, where blocks are single samples).
    pub fancy: bool,
}

impl Sampled<'_> {
    fn row(&self, y: usize) -> &[u8] {
        let y = y.min(self.height.saturating_sub(1)) % self.held_rows.max(1);
        self.samples.get(y * self.stride..y * self.stride + self.width).unwrap_or_default()
    }

    /// Output row `y` (of the full-size image) of this component, `width` samples.
    fn upsampled_row(&self, y: usize, width: usize, out: &mut Vec<u8>) {
        out.clear();
        let factors = (self.horizontal_factor, self.vertical_factor);
        match factors {
            (1, 1) => out.extend_from_slice(self.row(y)),
            (h, v) if !self.fancy => {
                for &sample in self.row(y / v) {
                    out.extend(core::iter::repeat_n(sample, h));
                }
            }
            (2, 1) => fancy_h2(self.row(y).iter().map(|&s| 4 * u16::from(s)), out, [4, 8]),
            (2, 2) => {
                // The nearer row counts 3, the other (above for an upper output row, below for
                // a lower one) 1; at the image's edges the row is its own neighbour.
                let source_y = y / 2;
                let other_y = if y.is_multiple_of(2) { source_y.saturating_sub(1) } else { source_y + 1 };
                let (near, other) = (self.row(source_y), self.row(other_y));
                fancy_h2(near.iter().zip(other).map(|(&a, &b)| 3 * u16::from(a) + u16::from(b)), out, [8, 7]);
            }
            (1, 2) => {
                // The vertical triangle alone: 3/4 of the nearer row, 1/4 of the other.
                let source_y = y / 2;
                let (other_y, bias) =
                    if y.is_multiple_of(2) { (source_y.saturating_sub(1), 1) } else { (source_y + 1, 2) };
                let (near, other) = (self.row(source_y), self.row(other_y));
                out.extend(
                    near.iter().zip(other).map(|(&a, &b)| ((3 * u16::from(a) + u16::from(b) + bias) >> 2) as u8),
                );
            }
            (h, v) => {
                for &sample in self.row(y / v) {
                    out.extend(core::iter::repeat_n(sample, h));
                }
            }
        }
        out.resize(width, out.last().copied().unwrap_or(0));
    }
}

/// Doubles a row horizontally by the triangle filter: each output is 3/4 of its nearer input and
/// 1/4 of the next one out (itself at the ends). `sums` are inputs × 4, as the 2x2 case's column
/// sums are, and `[left, right]` round the two outputs of each pair (libjpeg's biases: 1 and 2
/// of 4 for 2x1, 8 and 7 of 16 for 2x2).
fn fancy_h2(sums: impl Iterator<Item = u16>, out: &mut Vec<u8>, [left_bias, right_bias]: [u16; 2]) {
    let sums: Vec<u16> = sums.collect();
    let last = sums.len().saturating_sub(1);
    for (i, &sum) in sums.iter().enumerate() {
        let left = if i == 0 { sum } else { sums.get(i - 1).copied().unwrap_or(sum) };
        let right = if i == last { sum } else { sums.get(i + 1).copied().unwrap_or(sum) };
        out.push(((3 * sum + left + left_bias) >> 4) as u8);
        out.push(((3 * sum + right + right_bias) >> 4) as u8);
    }
}

/// Fixed-point YCbCr → RGB, 16 fraction bits.
const SCALE_BITS: i32 = 16;
const HALF: i32 = 1 << (SCALE_BITS - 1);
const CR_R: i32 = 91881; // 1.40200
const CB_B: i32 = 116130; // 1.77200
const CB_G: i32 = 22554; // 0.34414
const CR_G: i32 = 46802; // 0.71414

fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (i32::from(y), i32::from(cb) - 128, i32::from(cr) - 128);
    let r = y + ((CR_R * cr + HALF) >> SCALE_BITS);
    let g = y + ((-CB_G * cb - CR_G * cr + HALF) >> SCALE_BITS);
    let b = y + ((CB_B * cb + HALF) >> SCALE_BITS);
    [r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8]
}

/// Output row `y` into `out` (`width` pixels: 1 byte each for grey, 3 for everything else);
/// `rows` holds one upsampled row per component between calls.
pub fn convert_row(
    components: &[Sampled<'_>],
    space: ColorSpace,
    y: usize,
    width: usize,
    rows: &mut [Vec<u8>],
    out: &mut [u8],
) {
    for (component, row) in components.iter().zip(rows.iter_mut()) {
        component.upsampled_row(y, width, row);
    }
    match (space, &*rows) {
        (ColorSpace::Grey, [grey, ..]) => {
            for (target, &value) in out.iter_mut().zip(grey) {
                *target = value;
            }
        }
        (ColorSpace::Rgb, [r, g, b, ..]) => {
            for (((target, &r), &g), &b) in out.chunks_exact_mut(3).zip(r).zip(g).zip(b) {
                target.copy_from_slice(&[r, g, b]);
            }
        }
        (ColorSpace::YCbCr, [y, cb, cr, ..]) => {
            for (((target, &y), &cb), &cr) in out.chunks_exact_mut(3).zip(y).zip(cb).zip(cr) {
                target.copy_from_slice(&ycc_to_rgb(y, cb, cr));
            }
        }
        (ColorSpace::Cmyk { inverted } | ColorSpace::Ycck { inverted }, [a, b, c, k, ..]) => {
            for ((((target, &a), &b), &c), &k) in out.chunks_exact_mut(3).zip(a).zip(b).zip(c).zip(k) {
                let [c, m, y] = if matches!(space, ColorSpace::Ycck { .. }) {
                    // YCCK holds CMY as inverted RGB through YCbCr.
                    ycc_to_rgb(a, b, c).map(|v| 255 - v)
                } else {
                    [a, b, c]
                };
                // Ink amounts: inverted files store 255 for no ink.
                let ink = |v: u8| if inverted { 255 - v } else { v };
                let k = ink(k);
                let [c, m, y] = [ink(c), ink(m), ink(y)];
                let rgb = |v: u8| ((255 - u32::from(v)) * (255 - u32::from(k)) / 255) as u8;
                target.copy_from_slice(&[rgb(c), rgb(m), rgb(y)]);
            }
        }
        _ => out.fill(0),
    }
}
