//! Huffman decoding: canonical tables with a lookup of the first `LOOKUP_BITS` bits (which most
//! codes fit in, so one load decodes them), the standard's code-length walk for longer codes, and
//! a bit reader over the entropy-coded data that refills 64 bits at a time.

use crate::coefficients::saturated;
use crate::error::{Error, Result};
use crate::markers::ZIGZAG_TO_NATURAL;

/// Codes up to this many bits decode in one table lookup.
const LOOKUP_BITS: u32 = 11;

/// Flags of a `coefficients` entry (beside the bits it takes in the low byte).
const END_OF_BLOCK: u32 = 1 << 12;
const SIXTEEN_ZEROS: u32 = 1 << 13;

/// Whether a table decodes DC differences (symbols are sizes) or AC coefficients (symbols are
/// a zero run and a size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableClass {
    Dc,
    Ac,
}

#[derive(Clone, Debug)]
pub struct HuffmanTable {
    /// Indexed by the next LOOKUP_BITS bits: code length << 8 | symbol, or 0 for longer codes.
    lookup: Box<[u16; 1 << LOOKUP_BITS]>,
    /// For each length 1..=16: the largest code of that length (-1 when none), and the offset
    /// from a code of that length to its symbol's index.
    max_code: [i32; 17],
    value_offset: [i32; 17],
    symbols: Vec<u8>,
    /// Indexed like `lookup`: where a code and its extra bits both fit in the LOOKUP_BITS bits,
    /// the whole coefficient (AC) or difference (DC), as `value << 16 | run << 8 | bits taken`;
    /// AC's end-of-block and sixteen-zeros codes flagged (`END_OF_BLOCK`, `SIXTEEN_ZEROS`);
    /// else 0. One lookup then decodes nearly every code of a photo.
    coefficients: Box<[u32; 1 << LOOKUP_BITS]>,
}

impl HuffmanTable {
    /// From DHT's 16 counts of codes per length and its symbols, in code order.
    pub fn new(class: TableClass, counts: &[u8; 16], symbols: &[u8]) -> Result<Self> {
        let corrupt = Error::Corrupt("a Huffman table with more codes than its lengths allow");
        let mut lookup = Box::new([0u16; 1 << LOOKUP_BITS]);
        let mut max_code = [-1i32; 17];
        let mut value_offset = [0i32; 17];
        let mut code: u32 = 0;
        let mut index: usize = 0;
        for (length, &count) in (1u32..=16).zip(counts) {
            let first = index;
            for _ in 0..count {
                if code >= 1 << length {
                    return Err(corrupt);
                }
                let symbol = *symbols.get(index).ok_or(Error::Corrupt("a Huffman table is cut short"))?;
                if length <= LOOKUP_BITS {
                    // Every lookup index that starts with this code.
                    let shift = LOOKUP_BITS - length;
                    let start = (code << shift) as usize;
                    let entry = (length as u16) << 8 | u16::from(symbol);
                    for slot in lookup.iter_mut().skip(start).take(1 << shift) {
                        *slot = entry;
                    }
                }
                code += 1;
                index += 1;
            }
            if count > 0 {
                let slot = length as usize;
                if let (Some(max), Some(offset)) = (max_code.get_mut(slot), value_offset.get_mut(slot)) {
                    *max = code as i32 - 1;
                    *offset = first as i32 - (code as i32 - i32::from(count));
                }
            }
            code <<= 1;
        }
        let mut coefficients = Box::new([0u32; 1 << LOOKUP_BITS]);
        for (peek, (slot, &entry)) in coefficients.iter_mut().zip(lookup.iter()).enumerate() {
            let (length, symbol) = (u32::from(entry >> 8), entry as u8);
            let (run, size) = match class {
                // Larger sizes are corrupt: the symbol-then-bits path refuses them.
                TableClass::Dc if symbol <= 11 => (0, u32::from(symbol)),
                TableClass::Ac => (u32::from(symbol >> 4), u32::from(symbol & 15)),
                TableClass::Dc => continue,
            };
            if entry == 0 || length + size > LOOKUP_BITS {
                continue;
            }
            *slot = match (class, symbol) {
                (TableClass::Ac, 0x00) => END_OF_BLOCK | length,
                (TableClass::Ac, 0xF0) => SIXTEEN_ZEROS | length,
                // Other AC symbols of size 0 (end-of-band runs) take the symbol path.
                (TableClass::Ac, _) if size == 0 => continue,
                _ => {
                    let extra = (peek as u32 >> (LOOKUP_BITS - length - size)) & ((1 << size) - 1);
                    let value = if size == 0 { 0 } else { extend(extra, size) };
                    (value as u16 as u32) << 16 | run << 8 | (length + size)
                }
            };
        }
        Ok(HuffmanTable { lookup, max_code, value_offset, symbols: symbols.to_vec(), coefficients })
    }
}

/// One AC code: a coefficient after a run of zeros, sixteen zeros (ZRL), or the end of the
/// block's band (with, in progressive scans, `run` bits to read for how many more bands end).
pub enum AcCode {
    Coefficient { run: usize, value: i32 },
    SixteenZeros,
    EndOfBand { run: u32 },
}

/// The bits of one scan's entropy-coded data. Stuffed zero bytes are removed; a marker ends the
/// data, after which zeros are fed and counted, so that a scan which reads into them is known to
/// be cut short.
pub struct BitReader<'a> {
    data: &'a [u8],
    position: usize,
    /// Bits not yet consumed, at the top.
    bits: u64,
    count: u32,
    /// Zero bits fed after the end of the data. Once more bits were consumed than real ones
    /// came in, `count` stays below it (it only grows with more padding).
    padding: u32,
    /// The marker that ended the data, once reached.
    pub marker: Option<u8>,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8], position: usize) -> Self {
        BitReader { data, position, bits: 0, count: 0, padding: 0, marker: None }
    }

    /// Where the data continues after this scan's bits (at the marker that ended them).
    pub fn position(&self) -> usize {
        self.position
    }

    /// Tops the buffer up to at least 57 bits.
    #[inline(always)]
    fn refill(&mut self) {
        // Fast path: the next 8 bytes hold no 0xFF (no stuffing, no marker), so whole bytes go
        // in at once.
        if self.marker.is_none() {
            if let Some(chunk) = self.data.get(self.position..self.position + 8) {
                let word = u64::from_be_bytes(chunk.try_into().unwrap_or([0xFF; 8]));
                let inverted = !word;
                // A byte of `word` is 0xFF exactly where `inverted` has a zero byte.
                let has_ff = inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080;
                if has_ff == 0 {
                    let bytes = (64 - self.count) / 8;
                    if bytes > 0 {
                        self.bits |= (word >> (64 - 8 * bytes)) << (64 - self.count - 8 * bytes);
                        self.count += 8 * bytes;
                        self.position += bytes as usize;
                    }
                    return;
                }
            }
        }
        self.refill_bytewise();
    }

    /// The sequential block loop's refill, on its locals: the next four bytes go in when the
    /// buffer has room for them (`count` at most 32) and they hold no 0xFF, with no branch on
    /// the room; else, where fewer than 33 bits are left, the slow way. Four bytes, not eight:
    /// wasm has no byte swap, and four swap in a third of the instructions. No check for a
    /// marker already reached, as [`BitReader::refill`] makes: the reader stops on the marker's
    /// 0xFF, so the bytes read here hold it and every refill after it goes the slow way.
    #[inline(always)]
    fn refill_if_room(&mut self, bits: &mut u64, count: &mut u32) {
        if let Some(&chunk) = self.data.get(self.position..).and_then(|rest| rest.first_chunk::<4>()) {
            let word = u32::from_be_bytes(chunk);
            let inverted = !word;
            if inverted.wrapping_sub(0x0101_0101) & !inverted & 0x8080_8080 == 0 {
                // All ones if there is room, else zero.
                let room = u32::from(*count <= 32).wrapping_neg();
                *bits |= (u64::from(word & room)) << (32u32.wrapping_sub(*count) & 63);
                *count += 32 & room;
                self.position += (4 & room) as usize;
                return;
            }
        }
        if *count < 33 {
            (self.bits, self.count) = (*bits, *count);
            self.refill_bytewise();
            (*bits, *count) = (self.bits, self.count);
        }
    }

    /// Byte by byte: unstuffing, stopping at a marker, padding past the end.
    #[cold]
    #[inline(never)]
    fn refill_bytewise(&mut self) {
        while self.count <= 56 {
            let byte = if self.marker.is_some() {
                None
            } else {
                match self.data.get(self.position..self.position + 2) {
                    Some([0xFF, 0x00]) => {
                        self.position += 2;
                        Some(0xFF)
                    }
                    Some([0xFF, 0xFF]) => {
                        // Fill bytes before a marker.
                        self.position += 1;
                        continue;
                    }
                    Some([0xFF, marker]) => {
                        self.marker = Some(*marker);
                        None
                    }
                    _ => match self.data.get(self.position) {
                        Some(&byte) => {
                            self.position += 1;
                            Some(byte)
                        }
                        None => {
                            // The data ends without a marker.
                            self.marker = Some(0);
                            None
                        }
                    },
                }
            };
            let byte = byte.unwrap_or_else(|| {
                self.padding += 8;
                0
            });
            self.bits |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// Whether decoding consumed bits past the end of the data: the scan was cut short.
    pub fn overrun(&self) -> bool {
        self.count < self.padding
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.bits <<= n;
        self.count -= n;
    }

    /// The next `n` bits (0..=16) as a number.
    pub fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.count < n {
            self.refill();
        }
        let value = (self.bits >> (64 - n)) as u32;
        self.consume(n);
        value
    }

    /// `n` bits as a signed coefficient, by the standard's EXTEND.
    pub fn signed(&mut self, n: u32) -> i32 {
        if n == 0 {
            return 0;
        }
        extend(self.bits(n), n)
    }

    /// The next AC code of a progressive scan's first bits: most in one lookup, the rest as a
    /// symbol then its bits.
    #[inline(always)]
    pub fn ac_code(&mut self, table: &HuffmanTable) -> Result<AcCode> {
        if self.count < 16 {
            self.refill();
        }
        let entry = table.coefficients.get(self.peek()).copied().unwrap_or(0);
        if entry != 0 {
            self.consume(entry & 0xFF);
            return Ok(if entry & END_OF_BLOCK != 0 {
                AcCode::EndOfBand { run: 0 }
            } else if entry & SIXTEEN_ZEROS != 0 {
                AcCode::SixteenZeros
            } else {
                AcCode::Coefficient { run: (entry >> 8 & 15) as usize, value: i32::from((entry >> 16) as u16 as i16) }
            });
        }
        let symbol = self.decode(table)?;
        Ok(match (symbol >> 4, symbol & 15) {
            (15, 0) => AcCode::SixteenZeros,
            (run, 0) => AcCode::EndOfBand { run: u32::from(run) },
            (run, size) => AcCode::Coefficient { run: usize::from(run), value: self.signed(u32::from(size)) },
        })
    }

    /// A DC difference: its size's code, then that many bits.
    #[inline(always)]
    pub fn dc_difference(&mut self, table: &HuffmanTable) -> Result<i32> {
        if self.count < 16 {
            self.refill();
        }
        let entry = table.coefficients.get(self.peek()).copied().unwrap_or(0);
        if entry != 0 {
            self.consume(entry & 0xFF);
            return Ok(i32::from((entry >> 16) as u16 as i16));
        }
        let size = self.decode(table)?;
        if size > 11 {
            return Err(Error::Corrupt("a DC difference over 11 bits"));
        }
        Ok(self.signed(u32::from(size)))
    }

    /// One block of a sequential scan: the DC difference (added to `prediction`) and, with
    /// `AC`, the AC coefficients, dequantised by `quant` into `block` (natural order), which
    /// must be all zero (without `AC`, as a 1/8 decode needs the DC alone, they are read past).
    /// Returns whether an AC coefficient was written (else the block is its DC alone). The
    /// entropy decoder's hot loop: the bit buffer lives in locals while it runs.
    pub fn sequential_block<const AC: bool>(
        &mut self,
        (dc, ac): (&HuffmanTable, &HuffmanTable),
        quant: &[i32; 64],
        prediction: &mut i32,
        block: &mut [i16; 64],
    ) -> Result<bool> {
        *prediction = prediction.wrapping_add(self.dc_difference(dc)?);
        block[0] = saturated(prediction.wrapping_mul(quant[0]));
        let mut ac_written = false;
        let (mut bits, mut count) = (self.bits, self.count);
        let mut k = 1usize;
        let lookup = |bits: u64| ac.coefficients.get((bits >> (64 - LOOKUP_BITS)) as usize).copied().unwrap_or(0);
        while k < 64 {
            // Bits for three lookups: up to three coefficients a turn of the loop, while their
            // codes are short (each turn costs V8's interrupt check and the refill; 0.97-0.99x
            // the time of one a turn). The refill runs every turn, adding bytes only where
            // there is room: a branch on the bits left went either way from turn to turn (its
            // mispredictions cost 1.02-1.05x the decode's time).
            self.refill_if_room(&mut bits, &mut count);
            if count < 3 * LOOKUP_BITS {
                // Only from an empty buffer.
                self.refill_if_room(&mut bits, &mut count);
            }
            let mut entry = lookup(bits);
            if is_coefficient(entry) {
                take_coefficient::<AC>(entry, (&mut bits, &mut count, &mut k), (quant, block, &mut ac_written));
                if k >= 64 {
                    break;
                }
                entry = lookup(bits);
                if is_coefficient(entry) {
                    take_coefficient::<AC>(entry, (&mut bits, &mut count, &mut k), (quant, block, &mut ac_written));
                    if k >= 64 {
                        break;
                    }
                    entry = lookup(bits);
                    if is_coefficient(entry) {
                        take_coefficient::<AC>(entry, (&mut bits, &mut count, &mut k), (quant, block, &mut ac_written));
                        continue;
                    }
                }
            }
            // The end of the block, sixteen zeros, or a code too long for the lookup.
            let length = entry & 0xFF;
            if length != 0 {
                bits <<= length;
                count -= length;
                if entry & END_OF_BLOCK != 0 {
                    break;
                }
                k += 16;
                continue;
            }
            // A code or value too long for the lookup.
            (self.bits, self.count) = (bits, count);
            let symbol = self.decode(ac)?;
            let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
            match (run, size) {
                (15, 0) => k += 16,
                (_, 0) => {
                    (bits, count) = (self.bits, self.count);
                    break;
                }
                _ => {
                    k += run;
                    let value = self.signed(size);
                    if AC {
                        place(k, value, quant, block, &mut ac_written);
                    }
                    k += 1;
                }
            }
            (bits, count) = (self.bits, self.count);
        }
        (self.bits, self.count) = (bits, count);
        if k > 64 {
            return Err(Error::Corrupt("a zero run past the end of a block"));
        }
        Ok(ac_written)
    }

    #[inline(always)]
    fn peek(&self) -> usize {
        (self.bits >> (64 - LOOKUP_BITS)) as usize
    }

    /// One Huffman symbol.
    #[inline(always)]
    pub fn decode(&mut self, table: &HuffmanTable) -> Result<u8> {
        if self.count < 16 {
            self.refill();
        }
        let entry = table.lookup.get(self.peek()).copied().unwrap_or(0);
        if entry != 0 {
            self.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        self.decode_long(table)
    }

    /// A code longer than the lookup's bits: the lengths walked, as the standard's DECODE does.
    #[cold]
    #[inline(never)]
    fn decode_long(&mut self, table: &HuffmanTable) -> Result<u8> {
        let bits = (self.bits >> 48) as i32;
        for length in LOOKUP_BITS as usize + 1..=16 {
            let code = bits >> (16 - length);
            let max = table.max_code.get(length).copied().unwrap_or(-1);
            if code <= max {
                self.consume(length as u32);
                let index = code + table.value_offset.get(length).copied().unwrap_or(0);
                return usize::try_from(index)
                    .ok()
                    .and_then(|index| table.symbols.get(index).copied())
                    .ok_or(Error::Corrupt("a Huffman code outside its table"));
            }
        }
        Err(Error::Corrupt("a bad Huffman code"))
    }

    /// After a restart interval: the rest of the current byte is padding, then RSTn must follow.
    pub fn restart(&mut self, expected: u8) -> Result<()> {
        if self.overrun() {
            return Err(Error::Corrupt("the data ends inside a scan"));
        }
        self.bits = 0;
        self.count = 0;
        self.padding = 0;
        match self.marker.take() {
            Some(marker) if marker == 0xD0 + expected => {
                self.position += 2;
                Ok(())
            }
            Some(_) => Err(Error::Corrupt("a restart marker is missing or out of order")),
            None => {
                // The reader stopped short of the marker: skip to it.
                match self.data.get(self.position..self.position + 2) {
                    Some([0xFF, marker]) if *marker == 0xD0 + expected => {
                        self.position += 2;
                        Ok(())
                    }
                    _ => Err(Error::Corrupt("a restart marker is missing or out of order")),
                }
            }
        }
    }
}

/// Whether a `coefficients` entry decodes a whole coefficient (not the end of the block, sixteen
/// zeros, or a code too long for the lookup).
#[inline(always)]
fn is_coefficient(entry: u32) -> bool {
    entry & (END_OF_BLOCK | SIXTEEN_ZEROS) == 0 && entry & 0xFF != 0
}

/// A coefficient's entry taken: its bits consumed, `k` past its zero run and itself, and (with
/// `AC`) the coefficient dequantised into place.
#[inline(always)]
fn take_coefficient<const AC: bool>(
    entry: u32,
    (bits, count, k): (&mut u64, &mut u32, &mut usize),
    (quant, block, ac_written): (&[i32; 64], &mut [i16; 64], &mut bool),
) {
    let (length, run) = (entry & 0xFF, (entry >> 8 & 15) as usize);
    *bits <<= length;
    *count -= length;
    *k += run;
    if AC {
        let value = i32::from((entry >> 16) as u16 as i16);
        place(*k, value, quant, block, ac_written);
    }
    *k += 1;
}

/// `ZIGZAG_TO_NATURAL` padded to 128 entries: a corrupt run takes a sequential block's index
/// up to 78, where the padding puts the coefficient at 63 (the block is refused after its loop),
/// so the hot loop places coefficients without a check.
const PADDED_ZIGZAG_TO_NATURAL: [u8; 128] = {
    let mut padded = [63; 128];
    if let Some(head) = padded.first_chunk_mut::<64>() {
        *head = ZIGZAG_TO_NATURAL;
    }
    padded
};

/// Coefficient `k` (zigzag order) of a sequential block, dequantised into place. Kept to its low
/// 16 bits, not saturated: an AC coefficient (at most 10 bits) times its quantiser leaves 16 bits
/// only in a file no encoder made from 8-bit samples, whose picture is wrong either way (the
/// IDCTs take any `i16`), and the clamp cost the block loop 1-4% of the decode's time.
#[inline(always)]
fn place(k: usize, value: i32, quant: &[i32; 64], block: &mut [i16; 64], ac_written: &mut bool) {
    let natural = usize::from(PADDED_ZIGZAG_TO_NATURAL.get(k & 127).copied().unwrap_or(63)) & 63;
    if let (Some(coefficient), Some(quant)) = (block.get_mut(natural), quant.get(natural)) {
        *coefficient = value.wrapping_mul(*quant) as i16;
    }
    *ac_written = true;
}

/// The standard's EXTEND: `size` bits as a signed value (a leading 0 bit means negative).
fn extend(value: u32, size: u32) -> i32 {
    let value = value as i32;
    if value < 1 << (size - 1) {
        value - (1 << size) + 1
    } else {
        value
    }
}
