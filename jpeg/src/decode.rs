//! Baseline (sequential) decoding: markers, then each scan's MCUs through Huffman decoding,
//! dequantisation and the IDCT into one plane per component, then upsampling and colour
//! conversion to interleaved pixels.

use crate::color::{self, ColorSpace};
use crate::error::{Error, Result};
use crate::huffman::{BitReader, HuffmanTable};
use crate::idct::idct_8x8;
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

/// Decodes a baseline JPEG whole, refusing frames over `max_pixels` before allocating.
pub fn decode(data: &[u8], max_pixels: u64) -> Result<Decoded> {
    let mut reader = Reader { data, position: 0 };
    let mut tables = Tables::default();
    let frame = read_frame(&mut reader, &mut tables)?;
    if u64::from(frame.width) * u64::from(frame.height) > max_pixels {
        return Err(Error::TooLarge { width: frame.width, height: frame.height });
    }
    if frame.progressive {
        return Err(Error::Unsupported("progressive JPEG (not yet)"));
    }
    let (mcus_wide, mcus_high) = frame.mcus();
    let mut planes: Vec<Plane> = frame
        .components
        .iter()
        .map(|component| {
            let blocks_wide = mcus_wide * usize::from(component.horizontal);
            let blocks_high = mcus_high * usize::from(component.vertical);
            let stride = blocks_wide * 8;
            Plane { samples: vec![0; stride * blocks_high * 8], stride, blocks_wide, blocks_high }
        })
        .collect();
    let mut scanned = vec![false; frame.components.len()];
    loop {
        let marker = reader.marker()?;
        match marker {
            0xDA => {
                let scan = markers::scan(reader.segment()?, &frame)?;
                let end = decode_scan(data, reader.position, &frame, &tables, &scan, &mut planes)?;
                reader.position = end;
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
    let color_space = color::color_space(&frame, tables.adobe_transform);
    let sampled: Vec<color::Sampled<'_>> = frame
        .components
        .iter()
        .zip(&planes)
        .map(|(component, plane)| {
            let (width, height) = frame.component_size(component);
            color::Sampled {
                samples: &plane.samples,
                stride: plane.stride,
                width,
                height,
                horizontal_factor: usize::from(frame.max_horizontal / component.horizontal),
                vertical_factor: usize::from(frame.max_vertical / component.vertical),
            }
        })
        .collect();
    let (width, height) = (frame.width as usize, frame.height as usize);
    let (channels, pixels) = color::convert(&sampled, color_space, width, height);
    Ok(Decoded { width: frame.width, height: frame.height, channels, pixels })
}

/// One scan: its MCUs (interleaved) or its component's blocks (not), in restart intervals.
/// Returns where the data continues after it.
fn decode_scan(
    data: &[u8],
    start: usize,
    frame: &Frame,
    tables: &Tables,
    scan: &Scan,
    planes: &mut [Plane],
) -> Result<usize> {
    struct Part<'t> {
        index: usize,
        horizontal: usize,
        vertical: usize,
        quant: [i32; 64],
        dc: &'t HuffmanTable,
        ac: &'t HuffmanTable,
        prediction: i32,
    }
    let mut parts = Vec::with_capacity(scan.components.len());
    for scan_component in &scan.components {
        let component =
            frame.components.get(scan_component.index).ok_or(Error::Corrupt("a scan names a missing component"))?;
        let quant = tables
            .quant
            .get(usize::from(component.quant_table))
            .and_then(Option::as_ref)
            .ok_or(Error::Corrupt("a component's quantisation table is missing"))?;
        let dc = tables.dc.get(scan_component.dc_table).and_then(Option::as_ref);
        let ac = tables.ac.get(scan_component.ac_table).and_then(Option::as_ref);
        let (Some(dc), Some(ac)) = (dc, ac) else { return Err(Error::Corrupt("a scan's Huffman table is missing")) };
        parts.push(Part {
            index: scan_component.index,
            horizontal: usize::from(component.horizontal),
            vertical: usize::from(component.vertical),
            quant: core::array::from_fn(|i| i32::from(quant.get(i).copied().unwrap_or(0))),
            dc,
            ac,
            prediction: 0,
        });
    }
    // A scan of one component codes its blocks one by one, over the component's own size;
    // an interleaved scan codes MCUs.
    let (units_wide, units_high) = match parts.as_slice() {
        [single] => {
            let component = frame.components.get(single.index).ok_or(Error::Corrupt("a missing component"))?;
            let (width, height) = frame.component_size(component);
            (width.div_ceil(8), height.div_ceil(8))
        }
        _ => frame.mcus(),
    };
    let interleaved = parts.len() > 1;
    let mut bits = BitReader::new(data, start);
    let mut coefficients = [0i32; 64];
    let restart_interval = usize::from(tables.restart_interval);
    let mut next_restart = 0u8;
    for unit in 0..units_wide * units_high {
        if restart_interval > 0 && unit > 0 && unit % restart_interval == 0 {
            bits.restart(next_restart)?;
            next_restart = (next_restart + 1) % 8;
            for part in &mut parts {
                part.prediction = 0;
            }
        }
        let (unit_x, unit_y) = (unit % units_wide, unit / units_wide);
        for part in &mut parts {
            let (blocks_x, blocks_y) = if interleaved { (part.horizontal, part.vertical) } else { (1, 1) };
            for block_y in 0..blocks_y {
                for block_x in 0..blocks_x {
                    decode_block(&mut bits, part.dc, part.ac, &mut part.prediction, &mut coefficients)?;
                    for (coefficient, quant) in coefficients.iter_mut().zip(part.quant) {
                        *coefficient *= quant;
                    }
                    let plane = planes.get_mut(part.index).ok_or(Error::Corrupt("a missing component"))?;
                    let x = unit_x * blocks_x + block_x;
                    let y = unit_y * blocks_y + block_y;
                    if x < plane.blocks_wide && y < plane.blocks_high {
                        let offset = y * 8 * plane.stride + x * 8;
                        if let Some(target) = plane.samples.get_mut(offset..) {
                            idct_8x8(&coefficients, target, plane.stride);
                        }
                    }
                }
            }
        }
    }
    if bits.overrun {
        return Err(Error::Corrupt("the data ends inside a scan"));
    }
    // The scan's data runs to the next marker.
    let mut position = bits.position();
    loop {
        match data.get(position..position + 2) {
            Some([0xFF, 0x00]) | Some([0xFF, 0xD0..=0xD7]) => position += 2,
            Some([0xFF, 0xFF]) => position += 1,
            Some([0xFF, _]) => return Ok(position),
            Some(_) => position += 1,
            None => return Err(Error::Corrupt("the data ends without an end-of-image marker")),
        }
    }
}

/// One block's coefficients (quantised, natural order) from a sequential scan.
fn decode_block(
    bits: &mut BitReader<'_>,
    dc: &HuffmanTable,
    ac: &HuffmanTable,
    prediction: &mut i32,
    coefficients: &mut [i32; 64],
) -> Result<()> {
    *coefficients = [0; 64];
    let size = bits.decode(dc)?;
    if size > 11 {
        return Err(Error::Corrupt("a DC difference over 11 bits"));
    }
    *prediction += bits.signed(u32::from(size));
    coefficients[0] = *prediction;
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
