//! A baseline JPEG encoder (ITU T.81, sequential Huffman, 8-bit): grey, or YCbCr from RGB with
//! chroma at full size (4:4:4) or averaged over 2 × 2 pixels (4:2:0), in one interleaved scan
//! with Huffman tables fitted to the image. The colour conversion and the forward DCT with
//! quantization are `kernels` with bit-identical simd128 twins.
//!
//! Two passes over the image's quantized blocks: the first transforms each MCU row as it is
//! converted and counts the symbols the blocks will need, the second writes them with codes
//! fitted to those counts. The blocks are kept between the passes (2 bytes a coefficient: 3 a
//! pixel at 4:2:0, 6 at 4:4:4).

mod entropy;
mod tables;

use kernels::{fdct_quantize, rgb_to_ycbcr, rgb_to_ycbcr_h2v2, Backend, Quantizer};

use crate::markers::ZIGZAG_TO_NATURAL;
use entropy::{fit, for_each_symbol, BitWriter, Codes, Counts, DC};
pub use tables::{scaled as scaled_table, KLEIN_SILVERSTEIN_CARNEY, MS_SSIM_LUMA};

/// How to encode, beyond the pixels.
#[derive(Clone, Copy, Debug)]
pub struct EncodeSettings<'a> {
    /// Quantization steps for luma (or grey), natural order, each within 1..=255.
    pub luma_table: &'a [u16; 64],
    /// Quantization steps for Cb and Cr.
    pub chroma_table: &'a [u16; 64],
    /// Chroma at half the width and height (4:2:0), else full size (4:4:4).
    pub subsample_chroma: bool,
    /// TIFF data for an Exif APP1 segment (at most [`MAX_EXIF_LEN`] bytes).
    pub exif: Option<&'a [u8]>,
}

/// The most TIFF data an APP1 segment holds after its length and "Exif\0\0".
pub const MAX_EXIF_LEN: usize = u16::MAX as usize - 2 - 6;

/// Why an image cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// JPEG sides are 1 to 65535 pixels.
    Size { width: usize, height: usize },
    /// Exif data over [`MAX_EXIF_LEN`].
    ExifTooLong { len: usize },
    /// Fewer pixel (or plane) bytes than the size needs.
    Pixels { len: usize, needed: usize },
    /// Our own bug: a kernel refused the arguments we gave it.
    Internal(&'static str),
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::Size { width, height } => {
                write!(f, "{width}x{height}: JPEG images are 1 to 65535 pixels a side")
            }
            EncodeError::ExifTooLong { len } => write!(f, "{len} bytes of Exif data, over JPEG's {MAX_EXIF_LEN}"),
            EncodeError::Pixels { len, needed } => write!(f, "{len} bytes of pixels where {needed} are needed"),
            EncodeError::Internal(what) => write!(f, "internal error in the JPEG encoder (a bug on our side): {what}"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// A component of the frame: its sampling factors and quantization table (0 luma, 1 chroma).
#[derive(Clone, Copy)]
struct Component {
    horizontal: usize,
    vertical: usize,
    table: usize,
}

/// What to encode: `width` × `height` rows of grey or RGB bytes, or the Y, Cb and Cr planes a
/// caller converted itself, Cb and Cr at half the width and height (rounded up) when the settings
/// subsample chroma.
#[derive(Clone, Copy, Debug)]
pub enum Pixels<'a> {
    Grey(&'a [u8]),
    Rgb(&'a [u8]),
    Planes { y: &'a [u8], cb: &'a [u8], cr: &'a [u8] },
}

impl Pixels<'_> {
    fn channels(&self) -> usize {
        match self {
            Pixels::Grey(_) => 1,
            _ => 3,
        }
    }
}

/// `pixels`, `width` × `height`, as a JPEG file.
pub fn encode(pixels: Pixels, width: usize, height: usize, settings: &EncodeSettings) -> Result<Vec<u8>, EncodeError> {
    // Within JPEG's sides, and with its RGB bytes countable (a 32-bit `usize` holds 65535² but
    // not three times it).
    let pixel_count = width.checked_mul(height).filter(|count| count.checked_mul(3).is_some());
    if width == 0 || height == 0 || width > 65535 || height > 65535 || pixel_count.is_none() {
        return Err(EncodeError::Size { width, height });
    }
    let chroma_size = if settings.subsample_chroma { (width.div_ceil(2), height.div_ceil(2)) } else { (width, height) };
    let short = [
        match pixels {
            Pixels::Grey(grey) => (grey.len(), width * height),
            Pixels::Rgb(rgb) => (rgb.len(), 3 * width * height),
            Pixels::Planes { y, .. } => (y.len(), width * height),
        },
        match pixels {
            Pixels::Planes { cb, cr, .. } => (cb.len().min(cr.len()), chroma_size.0 * chroma_size.1),
            _ => (0, 0),
        },
    ];
    if let Some(&(len, needed)) = short.iter().find(|(len, needed)| len < needed) {
        return Err(EncodeError::Pixels { len, needed });
    }
    if let Some(exif) = settings.exif.filter(|exif| exif.len() > MAX_EXIF_LEN) {
        return Err(EncodeError::ExifTooLong { len: exif.len() });
    }
    let channels = pixels.channels();
    let luma = Component { horizontal: 1, vertical: 1, table: 0 };
    let chroma = Component { horizontal: 1, vertical: 1, table: 1 };
    let components: &[Component] = match (channels, settings.subsample_chroma) {
        (1, _) => &[luma],
        (_, false) => &[luma, chroma, chroma],
        (_, true) => &[Component { horizontal: 2, vertical: 2, ..luma }, chroma, chroma],
    };
    let quantizers = [Quantizer::new(settings.luma_table), Quantizer::new(settings.chroma_table)];
    let frame = Frame::new(width, height, components);
    let (blocks, counts) = frame.transform(pixels, chroma_size, &quantizers)?;

    let tables = counts.each_ref().map(|[dc, ac]| [fit(dc), fit(ac)]);
    let mut out = Vec::with_capacity(blocks.len() * 16 + 1024);
    write_headers(&mut out, &frame, settings, &quantizers, &tables);
    let codes = tables.each_ref().map(|[dc, ac]| [Codes::new(dc), Codes::new(ac)]);
    frame.write_scan(&blocks, &codes, &mut out);
    out.extend_from_slice(&[0xFF, 0xD9]);
    Ok(out)
}

/// The frame's geometry: its components and MCUs.
struct Frame<'a> {
    width: usize,
    height: usize,
    components: &'a [Component],
    /// MCU size in pixels, and MCUs across and down.
    mcu_width: usize,
    mcu_height: usize,
    mcus_across: usize,
    mcus_down: usize,
}

/// A quantized block in natural order, and which of its coefficients are nonzero (bit `k` for
/// zig-zag position `k`).
struct Block {
    coefficients: [i16; 64],
    nonzero: u64,
}

/// Symbol counts per table (luma, chroma), each as DC and AC.
type TableCounts = [[Counts; 2]; 2];

impl<'a> Frame<'a> {
    fn new(width: usize, height: usize, components: &'a [Component]) -> Self {
        let max_h = components.iter().map(|c| c.horizontal).max().unwrap_or(1);
        let max_v = components.iter().map(|c| c.vertical).max().unwrap_or(1);
        let (mcu_width, mcu_height) = (8 * max_h, 8 * max_v);
        Frame {
            width,
            height,
            components,
            mcu_width,
            mcu_height,
            mcus_across: width.div_ceil(mcu_width),
            mcus_down: height.div_ceil(mcu_height),
        }
    }

    fn blocks_per_mcu(&self) -> usize {
        self.components.iter().map(|c| c.horizontal * c.vertical).sum()
    }

    /// Every block, quantized, with its nonzero mask, in the scan's order
    /// (MCU by MCU, each component's blocks row by row), and the symbols they need per table.
    fn transform(
        &self,
        pixels: Pixels,
        chroma_size: (usize, usize),
        quantizers: &[Quantizer; 2],
    ) -> Result<(Vec<Block>, Box<TableCounts>), EncodeError> {
        let backend = Backend::best();
        let mut blocks = Vec::with_capacity(self.mcus_across * self.mcus_down * self.blocks_per_mcu());
        let mut counts = Box::new([[[0u32; 256]; 2]; 2]);
        // Each component's samples for one MCU row, padded to whole MCUs.
        let plane_widths: Vec<usize> = self.components.iter().map(|c| self.mcus_across * 8 * c.horizontal).collect();
        let mut planes: Vec<Vec<u8>> =
            self.components.iter().zip(&plane_widths).map(|(c, &w)| vec![0; w * 8 * c.vertical]).collect();
        let padded_width = self.mcus_across * self.mcu_width;
        let channels = pixels.channels();
        let row_bytes = padded_width * channels;
        let mut padded_rows = [vec![0u8; row_bytes], vec![0u8; row_bytes]];
        let mut previous_dc = vec![0i16; self.components.len()];
        let failed = |_| EncodeError::Internal("a kernel refused the encoder's arguments");
        for band in 0..self.mcus_down {
            match pixels {
                Pixels::Planes { y, cb, cr } => {
                    let sizes = [(self.width, self.height), chroma_size, chroma_size];
                    let sources = [y, cb, cr].into_iter().zip(sizes);
                    for ((source, size), (plane, &width)) in sources.zip(planes.iter_mut().zip(&plane_widths)) {
                        copy_band(source, size, band, plane, width);
                    }
                }
                Pixels::Grey(pixels) | Pixels::Rgb(pixels) => {
                    self.convert_band(pixels, channels, band, &mut padded_rows, &mut planes, &plane_widths)
                        .map_err(failed)?;
                }
            }
            for mcu in 0..self.mcus_across {
                for (index, component) in self.components.iter().enumerate() {
                    let (Some(plane), Some(&stride)) = (planes.get(index), plane_widths.get(index)) else { continue };
                    let quantizer = quantizers.get(component.table).unwrap_or(&quantizers[0]);
                    let table_counts = counts.get_mut(component.table).ok_or(EncodeError::Internal("table"))?;
                    for y in 0..component.vertical {
                        for x in 0..component.horizontal {
                            let at = 8 * y * stride + 8 * (mcu * component.horizontal + x);
                            let mut block = Block { coefficients: [0; 64], nonzero: 0 };
                            let samples = plane.get(at..).unwrap_or(&[]);
                            block.nonzero = fdct_quantize(samples, stride, quantizer, &mut block.coefficients, backend)
                                .map_err(failed)?;
                            let dc = previous_dc.get_mut(index).ok_or(EncodeError::Internal("component"))?;
                            for_each_symbol(&block.coefficients, block.nonzero, *dc, |class, symbol, _| {
                                if let Some(n) =
                                    table_counts.get_mut(class).and_then(|c| c.get_mut(usize::from(symbol)))
                                {
                                    *n += 1;
                                }
                            });
                            *dc = block.coefficients[0];
                            blocks.push(block);
                        }
                    }
                }
            }
        }
        Ok((blocks, counts))
    }

    /// MCU row `band` of the image into the components' planes: rows past the bottom repeat the
    /// last, columns past the right edge the last pixel.
    fn convert_band(
        &self,
        pixels: &[u8],
        channels: usize,
        band: usize,
        padded_rows: &mut [Vec<u8>; 2],
        planes: &mut [Vec<u8>],
        plane_widths: &[usize],
    ) -> Result<(), kernels::KernelError> {
        let row_bytes = self.width * channels;
        let padded_width = self.mcus_across * self.mcu_width;
        // Image row `y` (clamped to the last), padded on the right.
        let padded = |y: usize, target: &mut [u8]| {
            let y = y.min(self.height - 1);
            copy_padded(pixels.get(y * row_bytes..(y + 1) * row_bytes).unwrap_or(&[]), target, channels);
        };
        let first_row = band * self.mcu_height;
        let backend = Backend::best();
        let [top, bottom] = padded_rows;
        match planes {
            [grey] => {
                for (y, plane_row) in grey.chunks_exact_mut(padded_width).enumerate() {
                    padded(first_row + y, plane_row);
                }
            }
            [luma, cb, cr] if self.mcu_width == 16 => {
                let chroma_width = plane_widths.get(1).copied().unwrap_or(0);
                let luma_pairs = luma.chunks_exact_mut(2 * padded_width);
                let chroma_rows = cb.chunks_exact_mut(chroma_width).zip(cr.chunks_exact_mut(chroma_width));
                for (y, (luma_pair, (cb_row, cr_row))) in luma_pairs.zip(chroma_rows).enumerate() {
                    padded(first_row + 2 * y, top);
                    padded(first_row + 2 * y + 1, bottom);
                    let (luma_top, luma_bottom) = luma_pair.split_at_mut(padded_width);
                    rgb_to_ycbcr_h2v2([top, bottom], [luma_top, luma_bottom], cb_row, cr_row, backend)?;
                }
            }
            [luma, cb, cr] => {
                let rows = luma.chunks_exact_mut(padded_width).zip(cb.chunks_exact_mut(padded_width));
                for (y, ((luma_row, cb_row), cr_row)) in rows.zip(cr.chunks_exact_mut(padded_width)).enumerate() {
                    padded(first_row + y, top);
                    rgb_to_ycbcr(top, luma_row, cb_row, cr_row, backend)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The entropy-coded scan of `blocks` (as [`Frame::transform`] left them).
    fn write_scan(&self, blocks: &[Block], codes: &[[Codes; 2]; 2], out: &mut Vec<u8>) {
        // The component of each block of an MCU, in order.
        let order: Vec<usize> = self
            .components
            .iter()
            .enumerate()
            .flat_map(|(index, c)| core::iter::repeat_n(index, c.horizontal * c.vertical))
            .collect();
        let mut previous_dc = vec![0i16; self.components.len()];
        let mut writer = BitWriter::new(out);
        for mcu in blocks.chunks_exact(order.len()) {
            for (block, &index) in mcu.iter().zip(&order) {
                let table = self.components.get(index).map_or(0, |c| c.table);
                let (Some([dc_codes, ac_codes]), Some(dc)) = (codes.get(table), previous_dc.get_mut(index)) else {
                    continue;
                };
                for_each_symbol(&block.coefficients, block.nonzero, *dc, |class, symbol, bits| {
                    let codes = if class == DC { dc_codes } else { ac_codes };
                    writer.put(codes.with_extra(symbol, bits));
                });
                *dc = block.coefficients[0];
            }
        }
        writer.finish();
    }
}

/// MCU row `band` of a `size` plane into `plane` (rows `width` apart, as many as it holds), the
/// rows past the bottom repeating the last and the columns past the right edge the last sample.
fn copy_band(source: &[u8], (width, height): (usize, usize), band: usize, plane: &mut [u8], plane_width: usize) {
    let rows = plane.len() / plane_width.max(1);
    for (y, target) in plane.chunks_exact_mut(plane_width).enumerate() {
        let y = (band * rows + y).min(height.saturating_sub(1));
        copy_padded(source.get(y * width..(y + 1) * width).unwrap_or(&[]), target, 1);
    }
}

/// `row` into the start of `target`, the rest of `target` filled with copies of the row's last
/// `unit` bytes (its last pixel, or sample).
fn copy_padded(row: &[u8], target: &mut [u8], unit: usize) {
    let copied = row.len().min(target.len());
    let (start, end) = target.split_at_mut(copied);
    start.copy_from_slice(row.get(..copied).unwrap_or(&[]));
    if let Some(last) = row.get(row.len().saturating_sub(unit)..).filter(|last| last.len() == unit) {
        for repeat in end.chunks_exact_mut(unit) {
            repeat.copy_from_slice(last);
        }
    }
}

/// A marker segment: the marker, the body's length (counting its own two bytes), the body.
fn segment(out: &mut Vec<u8>, marker: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|part| part.len()).sum();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((len + 2) as u16).to_be_bytes());
    for part in parts {
        out.extend_from_slice(part);
    }
}

/// SOI, JFIF, Exif, the quantization tables, the frame, the Huffman tables and the scan header.
fn write_headers(
    out: &mut Vec<u8>,
    frame: &Frame,
    settings: &EncodeSettings,
    quantizers: &[Quantizer; 2],
    tables: &[[entropy::TableSpec; 2]; 2],
) {
    out.extend_from_slice(&[0xFF, 0xD8]);
    // JFIF 1.01, no units, 1:1 pixels, no thumbnail.
    segment(out, 0xE0, &[b"JFIF\0", &[1, 1, 0, 0, 1, 0, 1, 0, 0]]);
    if let Some(exif) = settings.exif {
        segment(out, 0xE1, &[b"Exif\0\0", exif]);
    }
    let used_tables = if frame.components.len() == 1 { 1 } else { 2 };
    for (id, quantizer) in quantizers.iter().enumerate().take(used_tables) {
        let steps = quantizer.steps();
        let zigzag = ZIGZAG_TO_NATURAL.map(|n| steps.get(usize::from(n)).map_or(1, |&step| step.min(255) as u8));
        segment(out, 0xDB, &[&[id as u8], &zigzag]);
    }
    let [height, width] = [frame.height, frame.width].map(|side| (side as u16).to_be_bytes());
    let mut sof = vec![8, height[0], height[1], width[0], width[1], frame.components.len() as u8];
    for (index, c) in frame.components.iter().enumerate() {
        sof.extend_from_slice(&[index as u8 + 1, ((c.horizontal as u8) << 4) | c.vertical as u8, c.table as u8]);
    }
    segment(out, 0xC0, &[&sof]);
    for (id, [dc, ac]) in tables.iter().enumerate().take(used_tables) {
        for (class, spec) in [(0u8, dc), (1, ac)] {
            segment(out, 0xC4, &[&[(class << 4) | id as u8], &spec.lengths, &spec.symbols]);
        }
    }
    let mut sos = vec![frame.components.len() as u8];
    for (index, c) in frame.components.iter().enumerate() {
        sos.extend_from_slice(&[index as u8 + 1, ((c.table as u8) << 4) | c.table as u8]);
    }
    sos.extend_from_slice(&[0, 63, 0]);
    segment(out, 0xDA, &[&sos]);
}
