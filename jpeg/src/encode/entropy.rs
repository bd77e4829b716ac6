//! Huffman coding for the encoder: symbol counts, code lengths fitted to them (ITU T.81 Annex
//! K.2, limited to 16 bits as K.3 shows), the canonical codes (Annex C), and a bit writer with
//! byte stuffing.

use crate::markers::ZIGZAG_TO_NATURAL;

/// One block's symbols (coefficients in natural order), with their extra bits, in coding order,
/// each given to `emit` with its class (0 DC, 1 AC); `nonzero` has bit `k` set where zig-zag
/// coefficient `k` is not zero.
///
/// DC: the difference from the previous block's DC, as its size category and that many bits.
/// AC: a (zero run, size) symbol per nonzero coefficient, 0xF0 per run of 16 zeros before one,
/// and 0x00 (end of block) when the block ends in zeros.
/// Table classes, as T.81 numbers them.
pub(super) const DC: usize = 0;
pub(super) const AC: usize = 1;

#[inline(always)]
pub(super) fn for_each_symbol(block: &[i16; 64], nonzero: u64, previous_dc: i16, mut emit: impl FnMut(usize, u8, u32)) {
    let (category, bits) = size_and_bits(i32::from(block[0]) - i32::from(previous_dc));
    emit(DC, category, bits);
    let mut nonzero = nonzero & !1;
    let mut last = 0;
    while nonzero != 0 {
        let k = nonzero.trailing_zeros();
        nonzero &= nonzero - 1;
        let mut run = k - last - 1;
        while run >= 16 {
            emit(AC, 0xF0, 0);
            run -= 16;
        }
        let natural = ZIGZAG_TO_NATURAL.get(k as usize).map_or(0, |&n| usize::from(n));
        let value = block.get(natural).copied().unwrap_or(0);
        let (category, bits) = size_and_bits(i32::from(value));
        emit(AC, ((run as u8) << 4) | category, bits);
        last = k;
    }
    if last != 63 {
        emit(AC, 0x00, 0);
    }
}

/// A value's size category (its magnitude's bit length) and its extra bits (ones' complement
/// for negative values, as T.81 F.1.2.1 codes them).
#[inline(always)]
fn size_and_bits(value: i32) -> (u8, u32) {
    let magnitude = value.unsigned_abs();
    let category = 32 - magnitude.leading_zeros();
    let bits = if value < 0 { (value - 1) as u32 & ((1 << category) - 1) } else { value as u32 };
    (category as u8, bits)
}

/// How often each of a table's 256 symbols occurs.
pub(super) type Counts = [u32; 256];

/// A Huffman table as a DHT segment holds it: how many codes of each length 1..=16, and the
/// symbols in code order.
pub(super) struct TableSpec {
    pub(super) lengths: [u8; 16],
    pub(super) symbols: Vec<u8>,
}

/// The code lengths for `counts` by T.81 K.2 (repeatedly merging the two rarest), with one
/// reserved symbol so that no code is all ones, then limited to 16 bits by K.3's adjustment.
pub(super) fn fit(counts: &Counts) -> TableSpec {
    const RESERVED: usize = 256;
    const NONE: usize = usize::MAX;
    let mut frequency = [0u64; 257];
    for (f, &count) in frequency.iter_mut().zip(counts) {
        *f = u64::from(count);
    }
    if let Some(reserved) = frequency.get_mut(RESERVED) {
        *reserved = 1;
    }
    let mut size = [0usize; 257];
    let mut next = [NONE; 257];
    // The rarest symbol with a nonzero count other than `except`, the highest-numbered on ties.
    let rarest = |frequency: &[u64; 257], except: usize| {
        let mut best = NONE;
        let mut best_frequency = u64::MAX;
        for (symbol, &f) in frequency.iter().enumerate() {
            if f > 0 && symbol != except && f <= best_frequency {
                (best, best_frequency) = (symbol, f);
            }
        }
        best
    };
    loop {
        let first = rarest(&frequency, NONE);
        let second = rarest(&frequency, first);
        if second == NONE {
            break;
        }
        let merged = frequency.get(second).copied().unwrap_or(0);
        if let Some(f) = frequency.get_mut(first) {
            *f += merged;
        }
        if let Some(f) = frequency.get_mut(second) {
            *f = 0;
        }
        // Every symbol in either chain is one bit longer; the chains are joined.
        for start in [first, second] {
            let mut symbol = start;
            loop {
                if let Some(s) = size.get_mut(symbol) {
                    *s += 1;
                }
                match next.get(symbol).copied() {
                    Some(after) if after != NONE => symbol = after,
                    _ => break,
                }
            }
            if start == first {
                if let Some(link) = next.get_mut(symbol) {
                    *link = second;
                }
            }
        }
    }
    // Codes per length (a merge of 257 symbols is at most 256 deep), then lengths over 16 moved
    // up the tree two at a time (K.3).
    let mut per_length = [0u32; 258];
    for &s in size.iter().filter(|&&s| s > 0) {
        if let Some(n) = per_length.get_mut(s) {
            *n += 1;
        }
    }
    let mut length = per_length.len() - 1;
    while length > 16 {
        while per_length.get(length).copied().unwrap_or(0) > 0 {
            let mut shorter = length - 2;
            while shorter > 0 && per_length.get(shorter).copied().unwrap_or(0) == 0 {
                shorter -= 1;
            }
            for (at, change) in [(length, -2i64), (length - 1, 1), (shorter + 1, 2), (shorter, -1)] {
                if let Some(n) = per_length.get_mut(at) {
                    *n = (i64::from(*n) + change).max(0) as u32;
                }
            }
        }
        length -= 1;
    }
    // The reserved symbol's code is the longest: drop one code of the greatest length.
    if let Some(longest) = (1..=16).rev().find(|&l| per_length.get(l).is_some_and(|&n| n > 0)) {
        if let Some(n) = per_length.get_mut(longest) {
            *n -= 1;
        }
    }
    let mut lengths = [0u8; 16];
    for (l, n) in lengths.iter_mut().zip(per_length.iter().skip(1)) {
        *l = *n as u8;
    }
    // Symbols by their unlimited length, then value: the order K.2 lists them in.
    let mut symbols: Vec<(usize, u8)> =
        size.iter().take(256).enumerate().filter(|(_, &s)| s > 0).map(|(symbol, &s)| (s, symbol as u8)).collect();
    symbols.sort_unstable();
    TableSpec { lengths, symbols: symbols.into_iter().map(|(_, symbol)| symbol).collect() }
}

/// Each symbol's code, left to right in the low `length` bits, as (code, length); absent
/// symbols have length 0.
pub(super) struct Codes([(u32, u32); 256]);

impl Codes {
    pub(super) fn new(spec: &TableSpec) -> Self {
        let mut codes = [(0, 0); 256];
        let mut code = 0u32;
        let mut symbols = spec.symbols.iter();
        for (length, &count) in (1..=16u32).zip(&spec.lengths) {
            for symbol in symbols.by_ref().take(usize::from(count)) {
                if let Some(slot) = codes.get_mut(usize::from(*symbol)) {
                    *slot = (code, length);
                }
                code += 1;
            }
            code <<= 1;
        }
        Codes(codes)
    }

    /// `symbol`'s code followed by `extra` bits of `bits` (the symbol's low nibble for AC and
    /// DC alike), as one (bits, length).
    #[inline(always)]
    pub(super) fn with_extra(&self, symbol: u8, bits: u32) -> (u32, u32) {
        let (code, length) = self.0.get(usize::from(symbol)).copied().unwrap_or((0, 0));
        let extra = u32::from(symbol & 15);
        ((code << extra) | bits, length + extra)
    }
}

/// Entropy-coded data: bits collected in a 64-bit word and written 32 at a time, each 0xFF byte
/// followed by a stuffed 0x00 (T.81 B.1.1.5).
pub(super) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    bits: u64,
    count: u32,
}

impl<'a> BitWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter { out, bits: 0, count: 0 }
    }

    /// The low `length` bits of `value` (at most 32).
    #[inline(always)]
    pub(super) fn put(&mut self, (value, length): (u32, u32)) {
        self.bits = (self.bits << length) | u64::from(value);
        self.count += length;
        if self.count >= 32 {
            self.count -= 32;
            let word = (self.bits >> self.count) as u32;
            // Whether any byte of `word` is 0xFF: a zero byte of its complement.
            let inverted = !word;
            if inverted.wrapping_sub(0x0101_0101) & word & 0x8080_8080 == 0 {
                self.out.extend_from_slice(&word.to_be_bytes());
            } else {
                self.stuffed(&word.to_be_bytes());
            }
        }
    }

    fn stuffed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
    }

    /// The last bits, padded with ones to a whole byte (T.81 F.1.2.3).
    pub(super) fn finish(mut self) {
        let padding = (8 - self.count % 8) % 8;
        let bits = (self.bits << padding) | ((1 << padding) - 1);
        let bytes: Vec<u8> = (0..(self.count + padding) / 8).rev().map(|i| (bits >> (8 * i)) as u8).collect();
        self.stuffed(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_bits_follow_the_standard() {
        assert_eq!(size_and_bits(0), (0, 0));
        assert_eq!(size_and_bits(1), (1, 1));
        assert_eq!(size_and_bits(-1), (1, 0));
        assert_eq!(size_and_bits(-3), (2, 0));
        assert_eq!(size_and_bits(5), (3, 5));
        assert_eq!(size_and_bits(-5), (3, 2));
        assert_eq!(size_and_bits(-2040), (11, 7));
    }

    #[test]
    fn fitted_codes_are_prefix_free_and_at_most_16_bits() {
        // Fibonacci counts force the deepest unlimited tree.
        let mut counts = [0u32; 256];
        let (mut a, mut b) = (1u32, 1u32);
        for count in counts.iter_mut().take(40) {
            *count = a;
            (a, b) = (b, a.saturating_add(b));
        }
        counts[200] = 7;
        let spec = fit(&counts);
        assert_eq!(spec.symbols.len(), 41);
        assert_eq!(spec.lengths.iter().map(|&n| usize::from(n)).sum::<usize>(), 41);
        // Kraft: the codes fill less than the whole tree (the all-ones code stays free).
        let kraft: f64 = spec.lengths.iter().enumerate().map(|(l, &n)| f64::from(n) / 2f64.powi(l as i32 + 1)).sum();
        assert!(kraft < 1.0, "{kraft}");
        let codes = Codes::new(&spec);
        let used: Vec<(u32, u32)> = codes.0.iter().copied().filter(|&(_, l)| l > 0).collect();
        for (i, &(code, length)) in used.iter().enumerate() {
            assert!(length <= 16 && code != (1 << length) - 1);
            for &(other, other_length) in &used[i + 1..] {
                let shorter = length.min(other_length);
                assert_ne!(code >> (length - shorter), other >> (other_length - shorter), "prefix");
            }
        }
        // The commonest symbol has the shortest code.
        assert!(codes.0[39].1 <= codes.0[0].1);
    }

    #[test]
    fn a_single_symbol_gets_a_code() {
        let mut counts = [0u32; 256];
        counts[0] = 1000;
        let spec = fit(&counts);
        assert_eq!((spec.lengths[0], spec.symbols.as_slice()), (1, &[0u8][..]));
    }

    #[test]
    fn the_writer_stuffs_and_pads() {
        let mut out = Vec::new();
        let mut writer = BitWriter::new(&mut out);
        writer.put((0xFF, 8));
        writer.put((0x1_2345, 20));
        writer.put((0b101, 3));
        writer.put((0xFFFF, 16));
        writer.finish();
        // 0xFF 0x12 0x34 0x5 then 101 then 16 ones then 5 padding ones.
        assert_eq!(out, [0xFF, 0x00, 0x12, 0x34, 0x5B, 0xFF, 0x00, 0xFF, 0x00]);
    }
}
