//! One component's decoded samples: blocks go in through the IDCT, rows come out upsampled to
//! the output's size (libjpeg's "fancy" triangle filter for 2x1, 1x2 and 2x2 subsampling,
//! replication for other factors and at 1/8 scale, as libjpeg-turbo does).

use kernels::Backend;

use crate::error::{Error, Result};
use crate::markers::{Component, Frame};

/// Blocks across and down `component` has (whole MCUs).
pub fn blocks(frame: &Frame, component: &Component) -> (usize, usize) {
    let (mcus_wide, mcus_high) = frame.mcus();
    (mcus_wide * usize::from(component.horizontal), mcus_high * usize::from(component.vertical))
}

/// Samples a side of `component`'s blocks when the largest component's become `size`, and how
/// many times its plane is upsampled each way. Subsampled components decode at a larger block
/// where the scale leaves room, so they need less upsampling (libjpeg-turbo does the same).
pub fn block_size(frame: &Frame, component: &Component, size: usize) -> (usize, (usize, usize)) {
    let across = usize::from(frame.max_horizontal / component.horizontal);
    let down = usize::from(frame.max_vertical / component.vertical);
    let mut multiple = 1;
    while size * multiple * 2 <= 8 && across % (multiple * 2) == 0 && down % (multiple * 2) == 0 {
        multiple *= 2;
    }
    (size * multiple, (across / multiple, down / multiple))
}

/// Whether a plane is decoded at half its size, for planar reading (see
/// [`crate::Decoder::halve_plane`]): each sample the mean of the two above each other (or the
/// 2 × 2) it covers, by a reduced IDCT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halving {
    None,
    Rows,
    RowsAndColumns,
}

/// A component plane's size in samples, and the output pixels each sample spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneSampling {
    pub width: usize,
    pub height: usize,
    /// Across and down.
    pub upsampling: (usize, usize),
    /// Rows of samples each MCU row holds.
    pub mcu_rows: usize,
    /// Whether upsampling by 2 would be libjpeg's "fancy" triangle filter (else replication).
    pub fancy: bool,
}

/// Rows `first_row..first_row + rows` of a component plane: `width` samples each, `stride` apart
/// in `samples` (which ends with the last row's last sample).
#[derive(Clone, Copy, Debug)]
pub struct PlaneBand<'a> {
    pub samples: &'a [u8],
    pub stride: usize,
    pub width: usize,
    pub first_row: usize,
    pub rows: usize,
}

/// A component's samples, padded to whole blocks of its MCUs: all of them, or a ring of a few
/// MCU rows while streaming.
pub struct Plane {
    samples: Vec<u8>,
    stride: usize,
    /// Blocks across and down the component has.
    pub blocks_wide: usize,
    pub blocks_high: usize,
    /// Block rows the plane holds: `blocks_high`, or a few MCU rows' worth as a ring.
    held_block_rows: usize,
    /// Where each block row starts in `samples` (a ring's rows wrap round), looked up rather
    /// than computed with a division per block.
    block_row_starts: Vec<usize>,
    /// Samples across each block becomes: 8 at full scale, fewer when scaled (or halved).
    block: usize,
    /// Samples down each block becomes: `block`, or half of it where the rows are halved.
    block_rows: usize,
    /// How many times the plane is upsampled each way to the output's size.
    upsampling: (usize, usize),
    /// The triangle filter where it applies; replication when not (at 1/8 scale, where blocks
    /// are single samples).
    fancy: bool,
    /// The component's size in samples at this block size.
    width: usize,
    height: usize,
    /// Block rows in each MCU row (the component's vertical sampling factor).
    mcu_block_rows: usize,
    /// The block columns the rows read need (all, unless [`Plane::need_columns`] said less).
    needed: core::ops::Range<usize>,
}

impl Plane {
    /// The plane of `component` when the largest component's blocks become `size` samples a side
    /// (chroma at a larger block where the scale leaves room), holding every block row, or
    /// `ring` MCU rows; `halving` halves the blocks' rows (or both their sides), where they
    /// are 8 samples a side (else it is refused).
    pub fn new(
        frame: &Frame,
        component: &Component,
        size: usize,
        ring: Option<usize>,
        halving: Halving,
    ) -> Result<Plane> {
        let (blocks_wide, blocks_high) = blocks(frame, component);
        let (block, (across, down)) = block_size(frame, component, size);
        let (block, block_rows, upsampling) = match halving {
            Halving::None => (block, block, (across, down)),
            _ if block != 8 => return Err(Error::Internal("a plane halved at a block size the IDCTs do not halve")),
            Halving::Rows => (8, 4, (across, 2 * down)),
            Halving::RowsAndColumns => (4, 4, (2 * across, 2 * down)),
        };
        let held_block_rows = match ring {
            Some(mcu_rows) => (mcu_rows * usize::from(component.vertical)).min(blocks_high),
            None => blocks_high,
        };
        let stride = blocks_wide * block;
        let (width, _) = frame.component_size(component, block);
        let (_, height) = frame.component_size(component, block_rows);
        let bytes = stride
            .checked_mul(held_block_rows * block_rows)
            .ok_or(Error::TooLarge { width: frame.width, height: frame.height })?;
        let block_row_starts = (0..blocks_high).map(|y| (y % held_block_rows.max(1)) * block_rows * stride).collect();
        Ok(Plane {
            samples: vec![0; bytes],
            stride,
            blocks_wide,
            blocks_high,
            held_block_rows,
            block_row_starts,
            block,
            block_rows,
            upsampling,
            // A halved plane is only read as planes; its rows would be replicated.
            fancy: size > 1 && halving == Halving::None,
            width,
            height,
            mcu_block_rows: usize::from(component.vertical),
            needed: 0..blocks_wide,
        })
    }

    /// The component's size in samples, and how many output pixels each sample spans across and
    /// down (the factors upsampling would apply).
    pub fn sampling(&self) -> PlaneSampling {
        let mcu_rows = self.mcu_block_rows * self.block_rows;
        PlaneSampling {
            width: self.width,
            height: self.height,
            upsampling: self.upsampling,
            mcu_rows,
            fancy: self.fancy,
        }
    }

    /// Only samples `columns` of the plane's own rows will be read (planar reading): the blocks
    /// outside them skip their IDCT.
    pub fn need_samples(&mut self, columns: core::ops::Range<usize>) {
        let block = self.block.max(1);
        self.needed = columns.start / block..columns.end.div_ceil(block).min(self.blocks_wide);
    }

    /// The plane's rows that MCU row `mcu_row` decoded (none past the plane's height), as they lie
    /// in `samples`: a ring keeps each MCU row's block rows together.
    pub fn mcu_row_band(&self, mcu_row: usize) -> Result<PlaneBand<'_>> {
        let first_block_row = mcu_row * self.mcu_block_rows;
        let first_row = first_block_row * self.block_rows;
        let rows = (self.mcu_block_rows * self.block_rows).min(self.height.saturating_sub(first_row));
        if rows == 0 {
            return Ok(PlaneBand { samples: &[], stride: self.stride, width: self.width, first_row, rows });
        }
        let start = self
            .block_row_starts
            .get(first_block_row)
            .copied()
            .ok_or(Error::Internal("an MCU row outside its plane"))?;
        let samples = self
            .samples
            .get(start..start + (rows - 1) * self.stride + self.width)
            .ok_or(Error::Internal("an MCU row outside its plane"))?;
        Ok(PlaneBand { samples, stride: self.stride, width: self.width, first_row, rows })
    }

    /// Samples across each of its blocks becomes.
    pub fn block(&self) -> usize {
        self.block
    }

    /// Whether the plane's blocks are whole (not halved) and 8 samples a side.
    pub fn full_size_blocks(&self) -> bool {
        (self.block, self.block_rows) == (8, 8)
    }

    pub fn bytes(&self) -> usize {
        self.samples.len()
    }

    /// Only output columns `columns` of the rows will be read: the blocks they and upsampling
    /// (which reads a sample either side) need stay, the others skip their IDCT.
    pub fn need_columns(&mut self, columns: core::ops::Range<usize>) {
        let across = self.upsampling.0.max(1);
        let first = (columns.start / across).saturating_sub(1);
        let end = columns.end.div_ceil(across) + 1;
        self.needed = first / self.block.max(1)..end.div_ceil(self.block.max(1)).min(self.blocks_wide);
    }

    /// Whether block column `x` is one the rows read need.
    pub fn needs(&self, x: usize) -> bool {
        self.needed.contains(&x)
    }

    /// The block at `(x, y)` (in blocks) through the IDCT into the plane; `dc_only` says every
    /// AC coefficient is zero. Inlined: V8 pays for every call, and this one is made for every
    /// block (0.98x the decode's time).
    #[inline(always)]
    pub fn put(&mut self, x: usize, y: usize, coefficients: &[i16; 64], dc_only: bool, backend: Backend) -> Result<()> {
        let Some(&row_start) = self.block_row_starts.get(y).filter(|_| self.needs(x)) else { return Ok(()) };
        let offset = row_start + x * self.block;
        let target = self.samples.get_mut(offset..).ok_or(Error::Internal("a block outside its plane"))?;
        if dc_only && self.block > 1 {
            // What the IDCT makes of a DC alone, without it (flat blocks are common in photos).
            let (stride, dc) = (self.stride, coefficients[0].into());
            return match (self.block, self.block_rows) {
                (8, 8) => fill_block::<8, 8>(target, stride, flat_sample(dc)),
                (8, _) => fill_block::<8, 4>(target, stride, flat_sample(dc)),
                (4, _) => fill_block::<4, 4>(target, stride, flat_reduced_sample(dc)),
                _ => fill_block::<2, 2>(target, stride, flat_reduced_sample(dc)),
            };
        }
        let transformed = match (self.block, self.block_rows) {
            (8, 8) => kernels::idct_8x8(coefficients, target, self.stride, backend),
            (8, _) => kernels::idct_8x4(coefficients, target, self.stride, backend),
            (4, _) => kernels::idct_4x4(coefficients, target, self.stride, backend),
            (2, _) => kernels::idct_2x2(coefficients, target, self.stride, backend),
            _ => {
                // 1/8: the block's mean, its DC term over 8.
                let mean = (i32::from(coefficients[0]) + 4).div_euclid(8) + 128;
                if let Some(sample) = target.first_mut() {
                    *sample = mean.clamp(0, 255) as u8;
                }
                Ok(())
            }
        };
        transformed.map_err(|_| Error::Internal("the IDCT refused a block of its plane"))
    }

    /// Bytes an upsampled row takes: at least the output's width.
    pub fn upsampled_width(&self) -> usize {
        self.width * self.upsampling.0
    }

    /// Row `y` of the component as decoded (`y` past the bottom reads the last row).
    fn row(&self, y: usize) -> Result<&[u8]> {
        let y = y.min(self.height.saturating_sub(1)) % (self.held_block_rows * self.block_rows).max(1);
        self.samples
            .get(y * self.stride..y * self.stride + self.width)
            .ok_or(Error::Internal("a row outside its plane"))
    }

    /// Output row `y` (of the full-size image) of this component, `width` samples: the plane's
    /// own row, or one upsampled into `buffer` (of [`Plane::upsampled_width`] bytes).
    pub fn output_row<'s>(
        &'s self,
        y: usize,
        width: usize,
        buffer: &'s mut [u8],
        backend: Backend,
    ) -> Result<&'s [u8]> {
        let failed = |_| Error::Internal("an upsampling kernel refused its rows");
        let row = match self.upsampling {
            (1, 1) => self.row(y)?,
            (2, 1) if self.fancy => {
                kernels::upsample_h2(self.row(y)?, buffer, backend).map_err(failed)?;
                buffer
            }
            (2, 2) if self.fancy => {
                // The input row the output row lies in, and the one above it (for an upper
                // output row) or below (for a lower); at the image's edges the row itself.
                let near = y / 2;
                let far = if y.is_multiple_of(2) { near.saturating_sub(1) } else { near + 1 };
                kernels::upsample_h2v2(self.row(near)?, self.row(far)?, buffer, backend).map_err(failed)?;
                buffer
            }
            (1, 2) if self.fancy => {
                let near = y / 2;
                let below = !y.is_multiple_of(2);
                let far = if below { near + 1 } else { near.saturating_sub(1) };
                kernels::upsample_v2(self.row(near)?, self.row(far)?, below, buffer, backend).map_err(failed)?;
                buffer
            }
            (across, down) => {
                for (run, &sample) in buffer.chunks_mut(across).zip(self.row(y / down)?) {
                    run.fill(sample);
                }
                buffer
            }
        };
        row.get(..width).ok_or(Error::Internal("an upsampled row shorter than the image"))
    }
}

/// `ROWS` rows of `N` samples set to `sample`, `stride` apart: whole-array stores, where a fill
/// of a run-time length would be a `memory.fill` call per row (and a run-time count of rows a
/// loop: 1.01-1.02x the pipeline's time on photos whose flat blocks are many).
fn fill_block<const N: usize, const ROWS: usize>(target: &mut [u8], stride: usize, sample: u8) -> Result<()> {
    for row in target.chunks_mut(stride).take(ROWS) {
        *row.first_chunk_mut::<N>().ok_or(Error::Internal("a block outside its plane"))? = [sample; N];
    }
    Ok(())
}

/// Every sample of the full-size IDCT (and the 8 × 4 one) of a block whose only non-zero
/// coefficient is the dequantised DC `dc`: its columns pass `dc << 2` through, and the rows
/// descale that by 18 bits.
fn flat_sample(dc: i32) -> u8 {
    ((dc.wrapping_add(4) >> 3) + 128).clamp(0, 255) as u8
}

/// The same for the reduced IDCTs (4 × 4 and 2 × 2 share the DC's weight, 2896 / 2^13): the
/// columns pass `dc × 2896` descaled by 11 bits, the rows that × 2896 descaled by 15.
fn flat_reduced_sample(dc: i32) -> u8 {
    let column = (dc.wrapping_mul(2896).wrapping_add(1 << 10)) >> 11;
    ((column.wrapping_mul(2896).wrapping_add(1 << 14) >> 15) + 128).clamp(0, 255) as u8
}

#[cfg(test)]
mod tests {
    use super::{flat_reduced_sample, flat_sample};

    #[test]
    fn a_flat_reduced_block_is_what_the_reduced_idcts_make_of_its_dc() {
        for dc in i16::MIN..=i16::MAX {
            let mut coefficients = [0i16; 64];
            coefficients[0] = dc;
            let (mut four, mut two) = ([0u8; 16], [0u8; 4]);
            kernels::idct_4x4(&coefficients, &mut four, 4, kernels::Backend::Scalar).unwrap();
            kernels::idct_2x2(&coefficients, &mut two, 2, kernels::Backend::Scalar).unwrap();
            let expected = flat_reduced_sample(dc.into());
            assert!(four.iter().chain(&two).all(|&s| s == expected), "DC {dc}: {four:?} {two:?} against {expected}");
        }
    }

    #[test]
    fn a_flat_block_is_what_the_idct_makes_of_its_dc() {
        for dc in i16::MIN..=i16::MAX {
            let mut coefficients = [0i16; 64];
            coefficients[0] = dc;
            let (mut samples, mut halved) = ([0u8; 64], [0u8; 32]);
            kernels::idct_8x8(&coefficients, &mut samples, 8, kernels::Backend::Scalar).unwrap();
            kernels::idct_8x4(&coefficients, &mut halved, 8, kernels::Backend::Scalar).unwrap();
            let expected = flat_sample(dc.into());
            assert!(samples.iter().all(|&s| s == expected), "DC {dc}: {samples:?} against {expected}");
            assert!(halved.iter().all(|&s| s == expected), "DC {dc}, 8x4: {halved:?} against {expected}");
        }
    }
}
