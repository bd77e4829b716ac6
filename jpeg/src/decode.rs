//! Baseline (sequential) decoding: markers, then each scan's MCUs through Huffman decoding,
//! dequantisation and the IDCT into one plane per component, then upsampling and colour
//! conversion to interleaved pixels.

use crate::color::{self, ColorSpace};
use crate::error::{Error, Result};
use crate::huffman::{BitReader, HuffmanTable};
use crate::idct::{idct_8x8, idct_reduced};
use crate::markers::{self, Frame, Reader, Scan, Tables, ZIGZAG_TO_NATURAL};

/// The header: what a caller needs before deciding how to decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub progressive: bool,
    pub color_space: ColorSpace,
}

/// A decoded image: 1 byte per pixel for grey, 3 (RGB) otherwise (CMYK is converted naively;
/// colour management belongs to the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub pixels: Vec<u8>,
}

/// One component's samples, padded to whole blocks of its MCUs.
struct Plane {
    samples: Vec<u8>,
    stride: usize,
    /// Blocks across and down that the plane holds.
    blocks_wide: usize,
    blocks_high: usize,
    /// Samples a side each block becomes: 8 at full scale, fewer when scaled.
    block: usize,
    /// How many times the plane is upsampled each way to the output's size.
    upsampling: (usize, usize),
}

impl Plane {
    /// The block at `(x, y)` (in blocks) through the IDCT into the plane.
    fn put(&mut self, x: usize, y: usize, coefficients: &[i32; 64]) {
        if x >= self.blocks_wide || y >= self.blocks_high {
            return;
        }
        let offset = y * self.block * self.stride + x * self.block;
        if let Some(target) = self.samples.get_mut(offset..) {
            if self.block == 8 {
                idct_8x8(coefficients, target, self.stride);
            } else {
                idct_reduced(coefficients, self.block, target, self.stride);
            }
        }
    }
}

/// Reads the markers up to the first scan.
pub fn read_info(data: &[u8]) -> Result<Info> {
    let mut reader = Reader { data, position: 0 };
    let mut tables = Tables::default();
    let frame = read_frame(&mut reader, &mut tables)?;
    Ok(info(&frame, &tables))
}

fn info(frame: &Frame, tables: &Tables) -> Info {
    Info {
        width: frame.width,
        height: frame.height,
        components: frame.components.len() as u8,
        progressive: frame.progressive,
        color_space: color::color_space(frame, tables.adobe_transform),
    }
}

/// SOI, then the segments before the frame header, and the frame header.
fn read_frame(reader: &mut Reader<'_>, tables: &mut Tables) -> Result<Frame> {
    if reader.marker()? != 0xD8 {
        return Err(Error::Corrupt("no start-of-image marker"));
    }
    loop {
        let marker = reader.marker()?;
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                return markers::frame(marker, reader.segment()?);
            }
            0xCC => return Err(Error::Unsupported("arithmetic-coded JPEG")),
            _ => table_segment(marker, reader, tables)?,
        }
    }
}

/// A segment that may come between others: tables, restart interval, APPn and comments.
fn table_segment(marker: u8, reader: &mut Reader<'_>, tables: &mut Tables) -> Result<()> {
    match marker {
        0xDB => markers::quant_tables(reader.segment()?, tables),
        0xC4 => markers::huffman_tables(reader.segment()?, tables),
        0xDD => {
            let [high, low] = *reader.segment()? else { return Err(Error::Corrupt("a restart interval segment")) };
            tables.restart_interval = u16::from(high) << 8 | u16::from(low);
            Ok(())
        }
        0xEE => {
            markers::adobe(reader.segment()?, tables);
            Ok(())
        }
        0xE0..=0xEF | 0xFE | 0xDC | 0xDE | 0xDF | 0xF0..=0xFD => reader.segment().map(|_| ()),
        0xD8 => Err(Error::Corrupt("a second start-of-image marker")),
        0xD9 => Err(Error::Corrupt("the image ends before its first scan")),
        _ => Err(Error::Corrupt("an unexpected marker")),
    }
}

/// Decodes a baseline or progressive JPEG whole at 1/`scale` of its size (`scale` 1, 2, 4 or 8:
/// each block becomes 8/`scale` samples a side, as `djpeg -scale` does), refusing frames over
/// `max_pixels` before allocating.
pub fn decode(data: &[u8], scale: u8, max_pixels: u64) -> Result<Decoded> {
    let size = match scale {
        1 | 2 | 4 | 8 => 8 / usize::from(scale),
        _ => return Err(Error::Unsupported("a scale other than 1, 1/2, 1/4 or 1/8")),
    };
    let mut reader = Reader { data, position: 0 };
    let mut tables = Tables::default();
    let frame = read_frame(&mut reader, &mut tables)?;
    if u64::from(frame.width) * u64::from(frame.height) > max_pixels {
        return Err(Error::TooLarge { width: frame.width, height: frame.height });
    }
    let (mcus_wide, mcus_high) = frame.mcus();
    let mut planes: Vec<Plane> = frame
        .components
        .iter()
        .map(|component| {
            let blocks_wide = mcus_wide * usize::from(component.horizontal);
            let blocks_high = mcus_high * usize::from(component.vertical);
            // Subsampled components decode at a larger block where the scale leaves room, so
            // they need less upsampling (libjpeg-turbo does the same).
            let (across, down) = (
                usize::from(frame.max_horizontal / component.horizontal),
                usize::from(frame.max_vertical / component.vertical),
            );
            let mut multiple = 1;
            while size * multiple * 2 <= 8 && across % (multiple * 2) == 0 && down % (multiple * 2) == 0 {
                multiple *= 2;
            }
            let block = size * multiple;
            let stride = blocks_wide * block;
            Plane {
                samples: vec![0; stride * blocks_high * block],
                stride,
                blocks_wide,
                blocks_high,
                block,
                upsampling: (across / multiple, down / multiple),
            }
        })
        .collect();
    // Progressive files refine every coefficient over several scans, so they are kept until the
    // last scan; sequential ones go through the IDCT as they are decoded.
    let mut coefficients: Vec<Vec<[i16; 64]>> = if frame.progressive {
        planes.iter().map(|plane| vec![[0i16; 64]; plane.blocks_wide * plane.blocks_high]).collect()
    } else {
        Vec::new()
    };
    let mut scanned = vec![false; frame.components.len()];
    loop {
        let marker = reader.marker()?;
        match marker {
            0xDA => {
                let scan = markers::scan(reader.segment()?, &frame)?;
                let mut decoder = ScanDecoder::new(data, reader.position, &frame, &tables, &scan)?;
                if frame.progressive {
                    decoder.run(|bits, part, x, y| {
                        let blocks = coefficients.get_mut(part.index).ok_or(Error::Corrupt("a missing component"))?;
                        let plane = planes.get(part.index).ok_or(Error::Corrupt("a missing component"))?;
                        let block = blocks
                            .get_mut(y * plane.blocks_wide + x)
                            .filter(|_| x < plane.blocks_wide)
                            .ok_or(Error::Corrupt("a block outside its component"))?;
                        progressive_block(bits, part, &scan, block)
                    })?;
                } else {
                    let mut block = [0i32; 64];
                    decoder.run(|bits, part, x, y| {
                        sequential_block(bits, part, &mut block)?;
                        for (coefficient, quant) in block.iter_mut().zip(part.quant) {
                            *coefficient = coefficient.wrapping_mul(quant);
                        }
                        planes.get_mut(part.index).ok_or(Error::Corrupt("a missing component"))?.put(x, y, &block);
                        Ok(())
                    })?;
                }
                reader.position = decoder.end()?;
                for component in &scan.components {
                    if let Some(done) = scanned.get_mut(component.index) {
                        *done = true;
                    }
                }
            }
            0xD9 => break,
            _ => table_segment(marker, &mut reader, &mut tables)?,
        }
    }
    if scanned.contains(&false) {
        return Err(Error::Corrupt("a component no scan covers"));
    }
    for ((component, plane), blocks) in frame.components.iter().zip(&mut planes).zip(&coefficients) {
        let quant = tables
            .quant
            .get(usize::from(component.quant_table))
            .and_then(Option::as_ref)
            .ok_or(Error::Corrupt("a component's quantisation table is missing"))?;
        for (index, block) in blocks.iter().enumerate() {
            let dequantised: [i32; 64] = core::array::from_fn(|i| {
                i32::from(block.get(i).copied().unwrap_or(0)) * i32::from(quant.get(i).copied().unwrap_or(0))
            });
            plane.put(index % plane.blocks_wide, index / plane.blocks_wide, &dequantised);
        }
    }
    let color_space = color::color_space(&frame, tables.adobe_transform);
    let sampled: Vec<color::Sampled<'_>> = frame
        .components
        .iter()
        .zip(&planes)
        .map(|(component, plane)| {
            // The component's samples at this block size, rounded up as the standard rounds.
            let scaled = |length: u32, factor: u8, largest: u8| {
                (length as usize * usize::from(factor) * plane.block).div_ceil(usize::from(largest) * 8)
            };
            color::Sampled {
                samples: &plane.samples,
                stride: plane.stride,
                width: scaled(frame.width, component.horizontal, frame.max_horizontal),
                height: scaled(frame.height, component.vertical, frame.max_vertical),
                horizontal_factor: plane.upsampling.0,
                vertical_factor: plane.upsampling.1,
                fancy: size > 1,
            }
        })
        .collect();
    let width = (frame.width as usize * size).div_ceil(8);
    let height = (frame.height as usize * size).div_ceil(8);
    let (channels, pixels) = color::convert(&sampled, color_space, width, height);
    Ok(Decoded { width: width as u32, height: height as u32, channels, pixels })
}

/// One component of a scan, with the state its blocks carry from one to the next.
struct Part<'t> {
    index: usize,
    horizontal: usize,
    vertical: usize,
    quant: [i32; 64],
    dc: Option<&'t HuffmanTable>,
    ac: Option<&'t HuffmanTable>,
    /// The DC prediction.
    prediction: i32,
    /// Progressive AC scans: blocks left in the current end-of-band run.
    eob_run: u32,
}

/// A scan's walk over its blocks: MCUs for an interleaved scan, the component's own blocks for a
/// scan of one, in restart intervals.
struct ScanDecoder<'a, 't> {
    bits: BitReader<'a>,
    data: &'a [u8],
    parts: Vec<Part<'t>>,
    units: (usize, usize),
    restart_interval: usize,
}

impl<'a, 't> ScanDecoder<'a, 't> {
    fn new(data: &'a [u8], start: usize, frame: &Frame, tables: &'t Tables, scan: &Scan) -> Result<Self> {
        let mut parts = Vec::with_capacity(scan.components.len());
        for scan_component in &scan.components {
            let component =
                frame.components.get(scan_component.index).ok_or(Error::Corrupt("a scan names a missing component"))?;
            let quant = tables
                .quant
                .get(usize::from(component.quant_table))
                .and_then(Option::as_ref)
                .ok_or(Error::Corrupt("a component's quantisation table is missing"))?;
            parts.push(Part {
                index: scan_component.index,
                horizontal: usize::from(component.horizontal),
                vertical: usize::from(component.vertical),
                quant: core::array::from_fn(|i| i32::from(quant.get(i).copied().unwrap_or(0))),
                dc: tables.dc.get(scan_component.dc_table).and_then(Option::as_ref),
                ac: tables.ac.get(scan_component.ac_table).and_then(Option::as_ref),
                prediction: 0,
                eob_run: 0,
            });
        }
        let units = match parts.as_slice() {
            [single] => {
                let component = frame.components.get(single.index).ok_or(Error::Corrupt("a missing component"))?;
                let (width, height) = frame.component_size(component);
                (width.div_ceil(8), height.div_ceil(8))
            }
            _ => frame.mcus(),
        };
        Ok(ScanDecoder {
            bits: BitReader::new(data, start),
            data,
            parts,
            units,
            restart_interval: usize::from(tables.restart_interval),
        })
    }

    /// Calls `block` for every block of the scan with its position in the component's blocks.
    fn run(
        &mut self,
        mut block: impl FnMut(&mut BitReader<'a>, &mut Part<'t>, usize, usize) -> Result<()>,
    ) -> Result<()> {
        let (units_wide, units_high) = self.units;
        let interleaved = self.parts.len() > 1;
        let mut next_restart = 0u8;
        for unit in 0..units_wide * units_high {
            if self.restart_interval > 0 && unit > 0 && unit % self.restart_interval == 0 {
                self.bits.restart(next_restart)?;
                next_restart = (next_restart + 1) % 8;
                for part in &mut self.parts {
                    part.prediction = 0;
                    part.eob_run = 0;
                }
            }
            let (unit_x, unit_y) = (unit % units_wide, unit / units_wide);
            for part in &mut self.parts {
                let (blocks_x, blocks_y) = if interleaved { (part.horizontal, part.vertical) } else { (1, 1) };
                for block_y in 0..blocks_y {
                    for block_x in 0..blocks_x {
                        block(&mut self.bits, part, unit_x * blocks_x + block_x, unit_y * blocks_y + block_y)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Where the data continues after the scan: at the next marker.
    fn end(&self) -> Result<usize> {
        if self.bits.overrun {
            return Err(Error::Corrupt("the data ends inside a scan"));
        }
        let mut position = self.bits.position();
        loop {
            match self.data.get(position..position + 2) {
                Some([0xFF, 0x00]) | Some([0xFF, 0xD0..=0xD7]) => position += 2,
                Some([0xFF, 0xFF]) => position += 1,
                Some([0xFF, _]) => return Ok(position),
                Some(_) => position += 1,
                None => return Err(Error::Corrupt("the data ends without an end-of-image marker")),
            }
        }
    }
}

fn dc_table<'t>(part: &Part<'t>) -> Result<&'t HuffmanTable> {
    part.dc.ok_or(Error::Corrupt("a scan's DC Huffman table is missing"))
}

fn ac_table<'t>(part: &Part<'t>) -> Result<&'t HuffmanTable> {
    part.ac.ok_or(Error::Corrupt("a scan's AC Huffman table is missing"))
}

/// The DC difference's size, then the difference.
fn dc_difference(bits: &mut BitReader<'_>, part: &Part<'_>) -> Result<i32> {
    let size = bits.decode(dc_table(part)?)?;
    if size > 11 {
        return Err(Error::Corrupt("a DC difference over 11 bits"));
    }
    Ok(bits.signed(u32::from(size)))
}

/// One block's coefficients (quantised, natural order) from a sequential scan.
fn sequential_block(bits: &mut BitReader<'_>, part: &mut Part<'_>, coefficients: &mut [i32; 64]) -> Result<()> {
    *coefficients = [0; 64];
    part.prediction = part.prediction.wrapping_add(dc_difference(bits, part)?);
    coefficients[0] = part.prediction;
    let ac = ac_table(part)?;
    let mut k = 1usize;
    while k < 64 {
        let symbol = bits.decode(ac)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run != 15 {
                break;
            }
            k += 16;
            continue;
        }
        k += run;
        let natural = ZIGZAG_TO_NATURAL.get(k).ok_or(Error::Corrupt("a coefficient past the end of a block"))?;
        if let Some(coefficient) = coefficients.get_mut(usize::from(*natural)) {
            *coefficient = bits.signed(size);
        }
        k += 1;
    }
    if k > 64 {
        return Err(Error::Corrupt("a zero run past the end of a block"));
    }
    Ok(())
}

/// One block's share of a progressive scan: the DC's first bits or a refinement bit, or a band
/// of AC coefficients' first bits or refinement bits (T.81 G.1.2).
fn progressive_block(bits: &mut BitReader<'_>, part: &mut Part<'_>, scan: &Scan, block: &mut [i16; 64]) -> Result<()> {
    let low = u32::from(scan.approximation_low);
    let (start, end) = (usize::from(scan.spectral_start), usize::from(scan.spectral_end));
    if start == 0 {
        if scan.approximation_high == 0 {
            part.prediction = part.prediction.wrapping_add(dc_difference(bits, part)?);
            block[0] = (part.prediction << low) as i16;
        } else if bits.bits(1) == 1 {
            block[0] |= 1 << low;
        }
        return Ok(());
    }
    let ac = ac_table(part)?;
    let band = ZIGZAG_TO_NATURAL.get(start..=end).ok_or(Error::Corrupt("a spectral band past 63"))?;
    if scan.approximation_high == 0 {
        // First bits of the band.
        if part.eob_run > 0 {
            part.eob_run -= 1;
            return Ok(());
        }
        let mut k = 0usize;
        while k < band.len() {
            let symbol = bits.decode(ac)?;
            let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
            if size == 0 {
                if run < 15 {
                    part.eob_run = (1 << run) - 1 + bits.bits(run);
                    break;
                }
                k += 16;
                continue;
            }
            k += run as usize;
            let natural = band.get(k).ok_or(Error::Corrupt("a coefficient past its band"))?;
            if let Some(coefficient) = block.get_mut(usize::from(*natural)) {
                *coefficient = (bits.signed(size) << low) as i16;
            }
            k += 1;
        }
        return Ok(());
    }
    // Refinement: a correction bit for every coefficient already non-zero, and new coefficients
    // of ±1 (at this bit) placed after their runs of still-zero ones.
    let one = 1i16 << low;
    let refine = |bits: &mut BitReader<'_>, coefficient: &mut i16| {
        if bits.bits(1) == 1 && *coefficient & one == 0 {
            *coefficient = coefficient.wrapping_add(if *coefficient >= 0 { one } else { -one });
        }
    };
    let mut k = 0usize;
    if part.eob_run == 0 {
        while k < band.len() {
            let symbol = bits.decode(ac)?;
            let (mut run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
            let mut value = 0i16;
            if size == 0 {
                if run < 15 {
                    part.eob_run = (1 << run) + bits.bits(run);
                    break;
                }
                // ZRL: 16 zero coefficients (refining the non-zero ones on the way).
            } else {
                if size != 1 {
                    return Err(Error::Corrupt("a refinement coefficient over one bit"));
                }
                value = if bits.bits(1) == 1 { one } else { -one };
            }
            while k < band.len() {
                let natural = usize::from(band.get(k).copied().unwrap_or(0));
                let Some(coefficient) = block.get_mut(natural) else { break };
                k += 1;
                if *coefficient != 0 {
                    refine(bits, coefficient);
                } else if run == 0 {
                    if value != 0 {
                        *coefficient = value;
                    }
                    break;
                } else {
                    run -= 1;
                }
            }
        }
    }
    if part.eob_run > 0 {
        // The rest of the band is in an end-of-band run: only refinement bits.
        for natural in band.get(k..).unwrap_or_default() {
            if let Some(coefficient) = block.get_mut(usize::from(*natural)).filter(|c| **c != 0) {
                refine(bits, coefficient);
            }
        }
        part.eob_run -= 1;
    }
    Ok(())
}
