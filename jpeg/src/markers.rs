//! The marker segments around the entropy-coded data: frame (SOF), tables (DQT, DHT), restart
//! interval (DRI), the Adobe colour transform (APP14) and scan headers (SOS). Every length is
//! checked against the data before it is read.

use crate::error::{Error, Result};
use crate::huffman::{HuffmanTable, TableClass};

pub(crate) use kernels::ZIGZAG_TO_NATURAL;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub id: u8,
    pub horizontal: u8,
    pub vertical: u8,
    pub quant_table: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub progressive: bool,
    pub components: Vec<Component>,
    pub max_horizontal: u8,
    pub max_vertical: u8,
}

impl Frame {
    /// MCUs across and down an interleaved scan.
    pub fn mcus(&self) -> (usize, usize) {
        let mcu_width = 8 * self.max_horizontal as usize;
        let mcu_height = 8 * self.max_vertical as usize;
        ((self.width as usize).div_ceil(mcu_width), (self.height as usize).div_ceil(mcu_height))
    }

    /// A component's size in samples before upsampling, when each of its blocks becomes `block`
    /// samples a side (8 at full scale; rounded up, as the standard says).
    pub fn component_size(&self, component: &Component, block: usize) -> (usize, usize) {
        let scaled = |length: u32, factor: u8, largest: u8| {
            (length as usize * usize::from(factor) * block).div_ceil(usize::from(largest) * 8)
        };
        (
            scaled(self.width, component.horizontal, self.max_horizontal),
            scaled(self.height, component.vertical, self.max_vertical),
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanComponent {
    /// Index into the frame's components.
    pub index: usize,
    pub dc_table: usize,
    pub ac_table: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub components: Vec<ScanComponent>,
    pub spectral_start: u8,
    pub spectral_end: u8,
    pub approximation_high: u8,
    pub approximation_low: u8,
}

/// What the markers before a scan set up.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// Quantisation tables in natural order.
    pub quant: [Option<[u16; 64]>; 4],
    pub dc: [Option<HuffmanTable>; 4],
    pub ac: [Option<HuffmanTable>; 4],
    pub restart_interval: u16,
    /// The Adobe APP14 colour transform flag (0: none, 1: YCbCr, 2: YCCK), when present.
    pub adobe_transform: Option<u8>,
    /// Where the first Exif APP1 segment's TIFF data is (after "Exif\0\0").
    pub exif: Option<core::ops::Range<usize>>,
    /// The ICC profile's APP2 chunks as they came: sequence number (from 1), chunk count, data.
    pub icc_chunks: Vec<(u8, u8, core::ops::Range<usize>)>,
}

/// A cursor over the file's bytes.
pub(crate) struct Reader<'a> {
    pub data: &'a [u8],
    pub position: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let byte = *self.data.get(self.position).ok_or(Error::Corrupt("the data ends inside a marker segment"))?;
        self.position += 1;
        Ok(byte)
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from(self.byte()?) << 8 | u16::from(self.byte()?))
    }

    /// The next marker, skipping the fill bytes (0xFF runs) the standard allows before it.
    pub fn marker(&mut self) -> Result<u8> {
        if self.byte()? != 0xFF {
            return Err(Error::Corrupt("a marker was expected"));
        }
        loop {
            match self.byte()? {
                0xFF => continue,
                0x00 => return Err(Error::Corrupt("a marker was expected")),
                marker => return Ok(marker),
            }
        }
    }

    /// A marker segment's payload (after its two length bytes).
    pub fn segment(&mut self) -> Result<&'a [u8]> {
        let length = usize::from(self.u16()?);
        let payload_length =
            length.checked_sub(2).ok_or(Error::Corrupt("a marker segment is shorter than its length field"))?;
        let end = self.position + payload_length;
        let payload =
            self.data.get(self.position..end).ok_or(Error::Corrupt("the data ends inside a marker segment"))?;
        self.position = end;
        Ok(payload)
    }
}

/// The frame header of a start-of-frame marker, refusing the variants we do not decode.
pub(crate) fn frame(marker: u8, payload: &[u8]) -> Result<Frame> {
    let progressive = match marker {
        0xC0 | 0xC1 => false,
        0xC2 => true,
        0xC3 => return Err(Error::Unsupported("lossless JPEG (SOF3)")),
        0xC5..=0xC7 => return Err(Error::Unsupported("hierarchical JPEG")),
        0xC9..=0xCB | 0xCD..=0xCF => return Err(Error::Unsupported("arithmetic-coded JPEG")),
        _ => return Err(Error::Corrupt("an unknown start-of-frame marker")),
    };
    let [precision, h0, h1, w0, w1, count, rest @ ..] = payload else {
        return Err(Error::Corrupt("a frame header is too short"));
    };
    match precision {
        8 => {}
        12 => return Err(Error::Unsupported("12-bit samples")),
        _ => return Err(Error::Corrupt("a sample precision other than 8 or 12 bits")),
    }
    let height = u32::from(*h0) << 8 | u32::from(*h1);
    let width = u32::from(*w0) << 8 | u32::from(*w1);
    if width == 0 || height == 0 {
        return Err(Error::Unsupported("an image whose height is given later (DNL) or is zero"));
    }
    let count = usize::from(*count);
    if !matches!(count, 1 | 3 | 4) || rest.len() < count * 3 {
        return Err(Error::Corrupt("a frame header's components"));
    }
    let mut components = Vec::with_capacity(count);
    for spec in rest.chunks_exact(3).take(count) {
        let [id, sampling, quant_table] = *spec else { continue };
        let (horizontal, vertical) = (sampling >> 4, sampling & 15);
        if !(1..=4).contains(&horizontal) || !(1..=4).contains(&vertical) || quant_table > 3 {
            return Err(Error::Corrupt("a component's sampling factors or table"));
        }
        if components.iter().any(|c: &Component| c.id == id) {
            return Err(Error::Corrupt("two components with the same id"));
        }
        components.push(Component { id, horizontal, vertical, quant_table });
    }
    let max_horizontal = components.iter().map(|c| c.horizontal).max().unwrap_or(1);
    let max_vertical = components.iter().map(|c| c.vertical).max().unwrap_or(1);
    if components.iter().any(|c| max_horizontal % c.horizontal != 0 || max_vertical % c.vertical != 0) {
        return Err(Error::Unsupported("sampling factors that do not divide the largest ones"));
    }
    Ok(Frame { width, height, progressive, components, max_horizontal, max_vertical })
}

/// DQT: one or more tables, 8- or 16-bit entries, stored in zig-zag order.
pub(crate) fn quant_tables(payload: &[u8], tables: &mut Tables) -> Result<()> {
    let corrupt = Error::Corrupt("a quantisation table");
    let mut rest = payload;
    while let [spec, tail @ ..] = rest {
        let (wide, id) = (spec >> 4, usize::from(spec & 15));
        let entry_size = usize::from(wide) + 1;
        let entries = tail.get(..64 * entry_size).filter(|_| wide <= 1).ok_or(corrupt.clone())?;
        let mut table = [0u16; 64];
        for (entry, natural) in entries.chunks_exact(entry_size).zip(ZIGZAG_TO_NATURAL) {
            let value = entry.iter().fold(0u16, |value, &byte| value << 8 | u16::from(byte));
            *table.get_mut(usize::from(natural)).ok_or(corrupt.clone())? = value;
        }
        *tables.quant.get_mut(id).ok_or(corrupt.clone())? = Some(table);
        rest = tail.get(64 * entry_size..).unwrap_or_default();
    }
    Ok(())
}

/// DHT: one or more Huffman tables.
pub(crate) fn huffman_tables(payload: &[u8], tables: &mut Tables) -> Result<()> {
    let mut rest = payload;
    while let [spec, tail @ ..] = rest {
        let (class, id) = (spec >> 4, usize::from(spec & 15));
        let counts: [u8; 16] = tail
            .get(..16)
            .and_then(|counts| counts.try_into().ok())
            .filter(|_| class <= 1)
            .ok_or(Error::Corrupt("a Huffman table header"))?;
        let total: usize = counts.iter().map(|&count| usize::from(count)).sum();
        let symbols = tail.get(16..16 + total).ok_or(Error::Corrupt("a Huffman table is cut short"))?;
        let class = if class == 0 { TableClass::Dc } else { TableClass::Ac };
        let table = Some(HuffmanTable::new(class, &counts, symbols)?);
        let slot = if class == TableClass::Dc { tables.dc.get_mut(id) } else { tables.ac.get_mut(id) };
        *slot.ok_or(Error::Corrupt("a Huffman table id over 3"))? = table;
        rest = tail.get(16 + total..).unwrap_or_default();
    }
    Ok(())
}

/// SOS: which components, which tables, and for progressive scans which coefficients and bits.
pub(crate) fn scan(payload: &[u8], frame: &Frame) -> Result<Scan> {
    let [count, rest @ ..] = payload else { return Err(Error::Corrupt("a scan header is too short")) };
    let count = usize::from(*count);
    if !(1..=4).contains(&count) || rest.len() != count * 2 + 3 {
        return Err(Error::Corrupt("a scan header's length"));
    }
    let mut components = Vec::with_capacity(count);
    for spec in rest.chunks_exact(2).take(count) {
        let [id, tables] = *spec else { continue };
        let index = frame
            .components
            .iter()
            .position(|c| c.id == id)
            .ok_or(Error::Corrupt("a scan names a component the frame does not have"))?;
        let (dc_table, ac_table) = (usize::from(tables >> 4), usize::from(tables & 15));
        if dc_table > 3 || ac_table > 3 || components.iter().any(|c: &ScanComponent| c.index == index) {
            return Err(Error::Corrupt("a scan's component tables"));
        }
        components.push(ScanComponent { index, dc_table, ac_table });
    }
    let [spectral_start, spectral_end, approximation] = *rest.get(count * 2..).unwrap_or_default() else {
        return Err(Error::Corrupt("a scan header's length"));
    };
    let scan = Scan {
        components,
        spectral_start,
        spectral_end,
        approximation_high: approximation >> 4,
        approximation_low: approximation & 15,
    };
    let blocks_per_mcu: usize = scan
        .components
        .iter()
        .map(|c| frame.components.get(c.index).map_or(0, |f| usize::from(f.horizontal * f.vertical)))
        .sum();
    if scan.components.len() > 1 && blocks_per_mcu > 10 {
        return Err(Error::Corrupt("an interleaved scan with more than 10 blocks per MCU"));
    }
    if !frame.progressive && (scan.spectral_start != 0 || scan.spectral_end != 63 || approximation != 0) {
        // Baseline encoders write 0, 63, 0; libjpeg ignores other values, and so do we.
        return Ok(Scan { spectral_start: 0, spectral_end: 63, approximation_high: 0, approximation_low: 0, ..scan });
    }
    if frame.progressive {
        let dc = scan.spectral_start == 0;
        if scan.spectral_end > 63
            || scan.spectral_start > scan.spectral_end
            || (dc && scan.spectral_end != 0)
            || (!dc && scan.components.len() != 1)
            || scan.approximation_low > 13
            || (scan.approximation_high != 0 && scan.approximation_high != scan.approximation_low + 1)
        {
            return Err(Error::Corrupt("a progressive scan's parameters"));
        }
    }
    Ok(scan)
}

/// APP14 "Adobe": its colour transform flag.
pub(crate) fn adobe(payload: &[u8], tables: &mut Tables) {
    if let [b'A', b'd', b'o', b'b', b'e', _, _, _, _, _, _, transform, ..] = *payload {
        tables.adobe_transform = Some(transform);
    }
}

/// APP1 and APP2: where the Exif data and the ICC profile's chunks are. `payload` ends at
/// `end` in the file.
pub(crate) fn metadata(marker: u8, payload: &[u8], end: usize, tables: &mut Tables) {
    let start = end - payload.len();
    match marker {
        0xE1 if payload.starts_with(b"Exif\0\0") && tables.exif.is_none() => tables.exif = Some(start + 6..end),
        0xE2 => {
            if let Some([sequence, count]) = payload.strip_prefix(b"ICC_PROFILE\0").and_then(|rest| rest.first_chunk())
            {
                // At most 255 chunks exist; more means a broken or hostile file.
                if tables.icc_chunks.len() < 255 {
                    tables.icc_chunks.push((*sequence, *count, start + 14..end));
                }
            }
        }
        _ => {}
    }
}

/// The ICC profile from its chunks in `data`, in sequence order: none when a chunk is missing,
/// repeated or miscounted, or when the profile would be over `max_bytes`.
pub(crate) fn icc_profile(
    data: &[u8],
    chunks: &[(u8, u8, core::ops::Range<usize>)],
    max_bytes: usize,
) -> Option<Vec<u8>> {
    let count = chunks.len();
    if count == 0 || chunks.iter().any(|(_, total, _)| usize::from(*total) != count) {
        return None;
    }
    let mut ordered: Vec<&(u8, u8, core::ops::Range<usize>)> = chunks.iter().collect();
    ordered.sort_by_key(|(sequence, _, _)| *sequence);
    if ordered.iter().enumerate().any(|(index, (sequence, _, _))| usize::from(*sequence) != index + 1) {
        return None;
    }
    let size: usize = ordered.iter().map(|(_, _, range)| range.len()).sum();
    if size > max_bytes {
        return None;
    }
    let mut profile = Vec::with_capacity(size);
    for (_, _, range) in ordered {
        profile.extend_from_slice(data.get(range.clone())?);
    }
    Some(profile)
}
