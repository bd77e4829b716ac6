//! A progressive file's coefficients, held from its first scan to its last: only those the
//! chosen scale's IDCT reads (all 64 at full size; 49 at 1/2, which skips row and column 4; 25
//! at 1/4; the DC alone at 1/8), and for every coefficient, kept or not, whether it is non-zero
//! yet, since refinement scans read a correction bit for each non-zero one. Scans address
//! coefficients by zig-zag position, so blocks do too, and their non-zero masks are in that
//! order: a band's non-zero coefficients are then a mask's bits, not a walk of the band.

use crate::markers::ZIGZAG_TO_NATURAL;

/// Which rows (and columns) of a block the IDCT of each output size reads: the reduced ones
/// weigh no others (`kernels::idct_4x4` leaves out frequency 4, `idct_2x2` every even one but 0).
fn read_by(block: usize, frequency: usize) -> bool {
    match block {
        8 => true,
        4 => frequency != 4,
        2 => frequency == 0 || frequency % 2 == 1,
        _ => frequency == 0,
    }
}

/// No slot: the coefficient is not kept.
const DROPPED: u8 = u8::MAX;

/// The coefficients of one component's blocks.
pub struct Coefficients {
    values: Vec<i16>,
    /// Per block, bit `k` set once the coefficient at zig-zag position `k` is non-zero.
    nonzero: Vec<u64>,
    /// Each natural index's place among a block's kept values, or [`DROPPED`].
    slots: [u8; 64],
    /// The same by zig-zag position.
    zigzag_slots: [u8; 64],
    kept: usize,
}

/// For blocks that become `block` samples a side: each natural index's slot among the kept
/// values (or [`DROPPED`]), and how many are kept.
fn slots(block: usize) -> ([u8; 64], usize) {
    let mut slots = [DROPPED; 64];
    let mut kept = 0;
    for (natural, slot) in slots.iter_mut().enumerate() {
        if read_by(block, natural / 8) && read_by(block, natural % 8) {
            *slot = kept as u8;
            kept += 1;
        }
    }
    (slots, kept)
}

impl Coefficients {
    /// For `blocks` blocks that become `block` samples a side.
    pub fn new(blocks: usize, block: usize) -> Self {
        let (slots, kept) = slots(block);
        let zigzag_slots = ZIGZAG_TO_NATURAL.map(|natural| slots.get(usize::from(natural)).copied().unwrap_or(DROPPED));
        Coefficients { values: vec![0; blocks * kept], nonzero: vec![0; blocks], slots, zigzag_slots, kept }
    }

    /// Bytes held for `blocks` blocks of `block` samples a side: the kept values and a
    /// non-zero mask each.
    pub fn bytes(blocks: u64, block: usize) -> u64 {
        blocks * (2 * slots(block).1 as u64 + 8)
    }

    pub fn block(&mut self, index: usize) -> Option<Block<'_>> {
        let values = self.values.get_mut(index * self.kept..(index + 1) * self.kept)?;
        Some(Block { values, nonzero: self.nonzero.get_mut(index)?, slots: &self.zigzag_slots })
    }

    /// Block `index` dequantised by `quant` (natural order) into `out`, saturated to 16 bits (as
    /// the IDCT takes them), the coefficients not kept as zero; returns whether its DC is its
    /// only non-zero coefficient.
    pub fn dequantised(&self, index: usize, quant: &[u16; 64], out: &mut [i16; 64]) -> bool {
        let values = self.values.get(index * self.kept..(index + 1) * self.kept).unwrap_or_default();
        if self.kept == 64 {
            // Full size: every coefficient kept, in natural order.
            for ((coefficient, &value), &q) in out.iter_mut().zip(values).zip(quant) {
                *coefficient = saturated(i32::from(value) * i32::from(q));
            }
        } else {
            for ((coefficient, &slot), &q) in out.iter_mut().zip(&self.slots).zip(quant) {
                *coefficient = values.get(usize::from(slot)).map_or(0, |&v| saturated(i32::from(v) * i32::from(q)));
            }
        }
        self.nonzero.get(index).is_none_or(|&bits| bits & !1 == 0)
    }
}

/// `value` saturated to 16 bits.
pub(crate) fn saturated(value: i32) -> i16 {
    value.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// One block's coefficients, by zig-zag position.
pub struct Block<'a> {
    values: &'a mut [i16],
    nonzero: &'a mut u64,
    slots: &'a [u8; 64],
}

impl Block<'_> {
    fn slot(&mut self, k: usize) -> Option<&mut i16> {
        let slot = *self.slots.get(k)?;
        self.values.get_mut(usize::from(slot))
    }

    /// Bit `k` set where the coefficient at zig-zag position `k` is non-zero.
    pub fn nonzero(&self) -> u64 {
        *self.nonzero
    }

    /// The first bits of the coefficient at zig-zag position `k` (non-zero, or the DC).
    pub fn set(&mut self, k: usize, value: i16) {
        if value != 0 {
            *self.nonzero |= 1 << (k & 63);
        }
        if let Some(coefficient) = self.slot(k) {
            *coefficient = value;
        }
    }

    /// The DC's refinement bit, `bit` (1 << the scan's low bit).
    pub fn add_dc_bit(&mut self, bit: i16) {
        if let Some(dc) = self.slot(0) {
            *dc |= bit;
        }
    }

    /// The non-zero coefficient at zig-zag position `k` had a correction bit of 1: `one`
    /// (1 << the scan's low bit) more magnitude, unless it has that bit already.
    pub fn correct(&mut self, k: usize, one: i16) {
        if let Some(coefficient) = self.slot(k) {
            if *coefficient & one == 0 {
                *coefficient = coefficient.wrapping_add(if *coefficient >= 0 { one } else { -one });
            }
        }
    }
}
