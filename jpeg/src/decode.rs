//! Decoding: markers, then each scan's MCUs through Huffman decoding, dequantisation and the
//! IDCT into one plane per component, then upsampling and colour conversion to interleaved
//! rows. A sequential file whose first scan holds every component (nearly all of them) streams:
//! its planes hold three MCU rows, decoded as the caller reads rows. Progressive and multi-scan
//! files decode whole first, then hand out rows the same way.

use crate::coefficients::{Block, Coefficients};
use crate::color::{self, ColorSpace};
use crate::error::{Error, Result};
use crate::huffman::{AcCode, BitReader, HuffmanTable};
use kernels::Backend;

use crate::markers::{self, Frame, Reader, Scan, Tables};
use crate::plane::{self, Halving, Plane, PlaneBand, PlaneSampling};

/// MCU rows a streaming decode's planes hold: the one rows are read from, and the ones above and
/// below it, which fancy upsampling reads.
const STREAMING_MCU_ROWS: usize = 3;

/// The headers up to the first scan: what a caller needs before deciding how to decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info<'a> {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub progressive: bool,
    pub color_space: ColorSpace,
    /// Each component's sampling factors (horizontal, vertical).
    pub sampling: Vec<(u8, u8)>,
    /// Whether rows decode in order, a few MCU rows held at a time: a sequential file whose first
    /// scan holds every component. Others decode whole when the [`Decoder`] is made.
    pub row_by_row: bool,
    /// The bytes of coefficients a progressive file's decode holds at 1/1, 1/2, 1/4 and 1/8
    /// (only those each scale's IDCT reads); 0 for sequential files.
    pub coefficient_bytes: [u64; 4],
    /// The first Exif APP1 segment's TIFF data (after "Exif\0\0").
    pub exif: Option<&'a [u8]>,
    data: &'a [u8],
    icc_chunks: Vec<(u8, u8, core::ops::Range<usize>)>,
}

impl Info<'_> {
    /// The embedded ICC profile, its APP2 chunks joined in sequence order; none when absent,
    /// incomplete or over `max_bytes`.
    pub fn icc_profile(&self, max_bytes: usize) -> Option<Vec<u8>> {
        markers::icc_profile(self.data, &self.icc_chunks, max_bytes)
    }
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

/// Reads the markers up to the first scan (metadata may come after the frame header too).
pub fn read_info(data: &[u8]) -> Result<Info<'_>> {
    let mut reader = Reader { data, position: 0 };
    let mut tables = Tables::default();
    let frame = read_frame(&mut reader, &mut tables)?;
    let first_scan = loop {
        match reader.marker()? {
            0xDA => break markers::scan(reader.segment()?, &frame)?,
            0xD9 => return Err(Error::Corrupt("the image ends before its first scan")),
            marker => table_segment(marker, &mut reader, &mut tables)?,
        }
    };
    let coefficient_bytes = core::array::from_fn(|shrink| {
        let size = 8 >> shrink;
        let held = |component| {
            let (wide, high) = plane::blocks(&frame, component);
            Coefficients::bytes((wide * high) as u64, plane::block_size(&frame, component, size).0)
        };
        if frame.progressive {
            frame.components.iter().map(held).sum()
        } else {
            0
        }
    });
    Ok(Info {
        row_by_row: streams(&frame, &first_scan),
        coefficient_bytes,
        width: frame.width,
        height: frame.height,
        components: frame.components.len() as u8,
        progressive: frame.progressive,
        color_space: color::color_space(&frame, tables.adobe_transform),
        sampling: frame.components.iter().map(|c| (c.horizontal, c.vertical)).collect(),
        exif: tables.exif.clone().and_then(|range| data.get(range)),
        data,
        icc_chunks: tables.icc_chunks,
    })
}

/// Whether a file whose first scan is `scan` decodes row by row.
fn streams(frame: &Frame, scan: &Scan) -> bool {
    !frame.progressive && scan.components.len() == frame.components.len()
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
        0xE1 | 0xE2 => {
            let payload = reader.segment()?;
            markers::metadata(marker, payload, reader.position, tables);
            Ok(())
        }
        0xE0..=0xEF | 0xFE | 0xDC | 0xDE | 0xDF | 0xF0..=0xFD => reader.segment().map(|_| ()),
        0xD8 => Err(Error::Corrupt("a second start-of-image marker")),
        0xD9 => Err(Error::Corrupt("the image ends before its first scan")),
        _ => Err(Error::Corrupt("an unexpected marker")),
    }
}

/// Decodes a baseline or progressive JPEG whole at 1/`scale` of its size; see [`Decoder`].
pub fn decode(data: &[u8], scale: u8, max_pixels: u64, backend: Backend) -> Result<Decoded> {
    let mut decoder = Decoder::new(data, scale, max_pixels, backend)?;
    let (height, row_bytes) = (decoder.height(), decoder.width() * usize::from(decoder.channels()));
    // Rows go through a band that stays in cache, then onto the end of the pixels: zeroing the
    // whole buffer first, then writing it again, cost more (the 13 MP photo's decode 0.98x).
    let mut pixels = Vec::with_capacity(height * row_bytes);
    let mut band = vec![0; row_bytes * DECODE_BAND_ROWS.min(height)];
    let mut rows_left = height;
    while rows_left > 0 {
        let rows = rows_left.min(DECODE_BAND_ROWS);
        let band = band.get_mut(..rows * row_bytes).ok_or(Error::Internal("a band shorter than its rows"))?;
        decoder.read_rows(band)?;
        pixels.extend_from_slice(band);
        rows_left -= rows;
    }
    Ok(Decoded { width: decoder.width() as u32, height: decoder.height() as u32, channels: decoder.channels(), pixels })
}

/// Rows [`decode`] reads at a time.
const DECODE_BAND_ROWS: usize = 4;

/// How the rows come: from a sequential scan as it is decoded, or from planes decoded whole.
enum Source<'a> {
    Streaming {
        bits: BitReader<'a>,
        walker: Walker,
        /// MCU rows decoded so far.
        decoded_rows: usize,
    },
    Whole,
}

/// A JPEG read row by row at 1/`scale` of its size (`scale` 1, 2, 4 or 8: each block becomes
/// 8/`scale` samples a side, as `djpeg -scale` does): 1 byte per pixel for grey, 3 (RGB) for
/// everything else, or 4 for CMYK kept as ink ([`Decoder::keep_cmyk`]).
pub struct Decoder<'a> {
    data: &'a [u8],
    reader_position: usize,
    frame: Frame,
    tables: Tables,
    planes: Vec<Plane>,
    source: Source<'a>,
    color_space: ColorSpace,
    /// Samples a side of the largest component's blocks.
    size: usize,
    width: usize,
    height: usize,
    /// Output rows handed out so far.
    next_row: usize,
    /// One upsampled row per component (unused for components at full size).
    rows: Vec<Vec<u8>>,
    /// The kernels the IDCT runs on.
    backend: Backend,
    /// CMYK and YCCK rows as ink amounts (see [`Decoder::keep_cmyk`]).
    ink: bool,
    /// Planar reading: the next MCU row [`Decoder::next_planes`] hands out.
    next_mcu_row: usize,
    /// Streaming: MCU rows before this one are decoded without their IDCTs, as no row read
    /// needs them (those wholly above the rows skipped, less the one just above the first row
    /// read, which fancy upsampling reads).
    unplaced_before: usize,
    /// Streaming: whether decoded blocks go into the planes; not once [`Decoder::finish`] only
    /// checks the rest of the scan.
    placing: bool,
}

impl<'a> Decoder<'a> {
    /// Reads the header up to the first scan, refusing frames over `max_pixels` before any
    /// buffer exists; a file that does not stream is decoded whole here.
    pub fn new(data: &'a [u8], scale: u8, max_pixels: u64, backend: Backend) -> Result<Self> {
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
        // Up to the first scan.
        let scan = loop {
            match reader.marker()? {
                0xDA => break markers::scan(reader.segment()?, &frame)?,
                0xD9 => return Err(Error::Corrupt("the image ends before its first scan")),
                marker => table_segment(marker, &mut reader, &mut tables)?,
            }
        };
        let streams = streams(&frame, &scan);
        let ring = if streams { Some(STREAMING_MCU_ROWS) } else { None };
        let planes = frame
            .components
            .iter()
            .map(|component| Plane::new(&frame, component, size, ring, Halving::None))
            .collect::<Result<Vec<_>>>()?;
        let color_space = color::color_space(&frame, tables.adobe_transform);
        let width = (frame.width as usize * size).div_ceil(8);
        let height = (frame.height as usize * size).div_ceil(8);
        let rows = planes.iter().map(|plane| vec![0; plane.upsampled_width()]).collect();
        let mut decoder = Decoder {
            data,
            reader_position: reader.position,
            frame,
            tables,
            planes,
            source: Source::Whole,
            color_space,
            size,
            width,
            height,
            next_row: 0,
            rows,
            backend,
            ink: false,
            next_mcu_row: 0,
            unplaced_before: 0,
            placing: true,
        };
        if streams {
            let walker = Walker::new(&decoder.frame, &decoder.tables, &scan)?;
            let bits = BitReader::new(data, decoder.reader_position);
            decoder.source = Source::Streaming { bits, walker, decoded_rows: 0 };
        } else {
            decoder.decode_whole(scan)?;
        }
        Ok(decoder)
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn channels(&self) -> u8 {
        match self.color_space {
            ColorSpace::Grey => 1,
            _ if self.ink => 4,
            _ => 3,
        }
    }

    /// Whether the file holds CMYK (or YCCK) rather than grey or RGB.
    pub fn is_cmyk(&self) -> bool {
        matches!(self.color_space, ColorSpace::Cmyk { .. } | ColorSpace::Ycck { .. })
    }

    /// From now on a CMYK or YCCK file's rows are C, M, Y, K ink amounts, 4 bytes a pixel, 255
    /// for full ink (as ICC profiles read CMYK, Adobe-inverted or not), for the caller to convert
    /// with the file's profile, rather than RGB converted without one. Call it before the first
    /// row; it changes nothing for other files.
    pub fn keep_cmyk(&mut self) {
        self.ink = self.is_cmyk();
    }

    /// The bytes of sample planes the decoder holds: three MCU rows per component while
    /// streaming, every row otherwise (progressive files also hold their coefficients while
    /// decoding, at 2 bytes per sample).
    pub fn buffer_bytes(&self) -> usize {
        self.planes.iter().map(Plane::bytes).sum()
    }

    /// The next rows into `band` (a whole number of rows of `width × channels` bytes).
    pub fn read_rows(&mut self, band: &mut [u8]) -> Result<()> {
        let row_bytes = self.width * usize::from(self.channels());
        if row_bytes == 0
            || !band.len().is_multiple_of(row_bytes)
            || self.next_row + band.len() / row_bytes > self.height
        {
            return Err(Error::Corrupt("more rows asked for than the image has"));
        }
        for out in band.chunks_exact_mut(row_bytes) {
            let y = self.next_row;
            // The row's MCU row, and the next one: fancy upsampling reads a source row below.
            let mcu_rows_needed = y / (self.size * usize::from(self.frame.max_vertical)) + 2;
            self.decode_mcu_rows(mcu_rows_needed)?;
            let mut component_rows: [&[u8]; 4] = [&[]; 4];
            for ((row, plane), buffer) in component_rows.iter_mut().zip(&self.planes).zip(&mut self.rows) {
                *row = plane.output_row(y, self.width, buffer, self.backend)?;
            }
            let count = self.planes.len().min(4);
            let component_rows = component_rows.get(..count).unwrap_or_default();
            if self.ink {
                color::ink_row(self.color_space, component_rows, out, self.backend)?;
            } else {
                color::convert_row(self.color_space, component_rows, out, self.backend)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// Only columns `columns` of the rows read from now on are needed (a crop): blocks no needed
    /// column reaches skip their IDCT, and the other columns of each row hold whatever the
    /// decoder's planes held there. Call it before reading rows.
    pub fn need_columns(&mut self, columns: core::ops::Range<usize>) {
        for plane in &mut self.planes {
            plane.need_columns(columns.clone());
        }
    }

    /// Skips the next `count` rows: their MCU rows are decoded when later rows need them (the
    /// scan is sequential), but never upsampled or converted, and those no row read reaches go
    /// without their IDCTs (a crop's top rows cost only their entropy decoding).
    pub fn skip_rows(&mut self, count: usize) -> Result<()> {
        if self.next_row + count > self.height {
            return Err(Error::Corrupt("more rows skipped than the image has"));
        }
        self.next_row += count;
        let mcu_height = self.size * usize::from(self.frame.max_vertical);
        self.unplaced_before = self.unplaced_before.max((self.next_row / mcu_height.max(1)).saturating_sub(1));
        Ok(())
    }

    /// Decodes what of the scan the rows read so far did not need, to its end-of-image marker
    /// (entropy decoding only: nothing more is read), so that a file damaged below the rows used
    /// is refused as a whole decode refuses it.
    pub fn finish(&mut self) -> Result<()> {
        self.placing = false;
        self.decode_mcu_rows(usize::MAX)
    }

    /// Whether the file is YCbCr, so that a caller reading its planes ([`Decoder::next_planes`])
    /// knows how to convert them.
    pub fn is_ycbcr(&self) -> bool {
        self.color_space == ColorSpace::YCbCr
    }

    /// Each component plane's size, and the output pixels each of its samples spans.
    pub fn plane_sampling(&self) -> Vec<PlaneSampling> {
        self.planes.iter().map(Plane::sampling).collect()
    }

    /// Planar reading: only samples `columns` of `component`'s plane will be read (a crop).
    pub fn need_plane_columns(&mut self, component: usize, columns: core::ops::Range<usize>) {
        if let Some(plane) = self.planes.get_mut(component) {
            plane.need_samples(columns);
        }
    }

    /// Planar reading, for a caller that would average `component`'s samples in pairs of rows
    /// (with `columns`, over 2 × 2) before resizing them: its plane decoded at half its height
    /// (and width) instead, each sample the mean of those it covers, computed in the DCT domain
    /// by a reduced IDCT (as scaled decoding computes every plane), for a quarter or half of
    /// the IDCT's work. Only for a file that streams, before its first row, where the plane's
    /// blocks are 8 samples a side (at full scale); returns whether the plane is halved (if
    /// not, nothing changed). Call it before [`Decoder::need_plane_columns`], whose columns are
    /// then the halved plane's.
    pub fn halve_plane(&mut self, component: usize, columns: bool) -> bool {
        let Source::Streaming { decoded_rows: 0, .. } = self.source else { return false };
        let (Some(info), Some(plane)) = (self.frame.components.get(component), self.planes.get_mut(component)) else {
            return false;
        };
        if !plane.full_size_blocks() {
            return false;
        }
        let halving = if columns { Halving::RowsAndColumns } else { Halving::Rows };
        let Ok(halved) = Plane::new(&self.frame, info, self.size, Some(STREAMING_MCU_ROWS), halving) else {
            return false;
        };
        *plane = halved;
        if let Some(row) = self.rows.get_mut(component) {
            row.resize(plane.upsampled_width(), 0);
        }
        true
    }

    /// Planar reading: MCU rows before `mcu_row` go without their IDCTs and are never handed out
    /// (a crop's top rows cost only their entropy decoding). Call it before the first
    /// [`Decoder::next_planes`].
    pub fn skip_mcu_rows(&mut self, mcu_row: usize) {
        self.next_mcu_row = self.next_mcu_row.max(mcu_row);
        self.unplaced_before = self.unplaced_before.max(mcu_row);
    }

    /// Planar reading, for a caller that resizes each component at its own size and converts
    /// the resized rows itself (so chroma is never upsampled, and colour conversion runs on the
    /// output's pixels): the next MCU row of every component, as decoded, or `None` after the
    /// last.
    pub fn next_planes(&mut self) -> Result<Option<Vec<PlaneBand<'_>>>> {
        let mcu_row = self.next_mcu_row;
        if mcu_row >= self.frame.mcus().1 {
            return Ok(None);
        }
        self.decode_mcu_rows(mcu_row + 1)?;
        self.next_mcu_row += 1;
        self.planes.iter().map(|plane| plane.mcu_row_band(mcu_row)).collect::<Result<Vec<_>>>().map(Some)
    }

    /// Streaming: decodes MCU rows until `count` are (or all are).
    fn decode_mcu_rows(&mut self, count: usize) -> Result<()> {
        let Source::Streaming { bits, walker, decoded_rows } = &mut self.source else { return Ok(()) };
        let (mcus_wide, mcus_high) = walker.units;
        let count = count.min(mcus_high);
        let mut block = [0i16; 64];
        let backend = self.backend;
        while *decoded_rows < count {
            let first = *decoded_rows * mcus_wide;
            let planes = &mut self.planes;
            let place = self.placing && *decoded_rows >= self.unplaced_before;
            walker.run(bits, &self.tables, first..first + mcus_wide, |bits, part, tables, x, y| {
                sequential_into_plane(bits, part, tables, &mut block, planes, (x, y), (backend, place))
            })?;
            if bits.overrun() {
                return Err(Error::Corrupt("the data ends inside a scan"));
            }
            *decoded_rows += 1;
            if *decoded_rows == mcus_high {
                // The scan is done: only tables, comments and the end-of-image may follow.
                let mut reader = Reader { data: self.data, position: scan_end(self.data, bits)? };
                loop {
                    match reader.marker()? {
                        0xD9 => break,
                        0xDA => return Err(Error::Corrupt("a scan after one that held every component")),
                        marker => table_segment(marker, &mut reader, &mut self.tables)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Progressive and multi-scan files: every scan into kept coefficients (progressive) or
    /// straight into the planes (sequential), then the IDCT.
    fn decode_whole(&mut self, first: Scan) -> Result<()> {
        let progressive = self.frame.progressive;
        let mut coefficients: Vec<Coefficients> = if progressive {
            self.planes
                .iter()
                .map(|plane| Coefficients::new(plane.blocks_wide * plane.blocks_high, plane.block()))
                .collect()
        } else {
            Vec::new()
        };
        let mut scanned = vec![false; self.frame.components.len()];
        let mut reader = Reader { data: self.data, position: self.reader_position };
        let backend = self.backend;
        let mut next = Some(first);
        while let Some(scan) = next.take() {
            let mut walker = Walker::new(&self.frame, &self.tables, &scan)?;
            let mut bits = BitReader::new(self.data, reader.position);
            let units = walker.units.0 * walker.units.1;
            let planes = &mut self.planes;
            if progressive {
                walker.run(&mut bits, &self.tables, 0..units, |bits, part, tables, x, y| {
                    let blocks = coefficients.get_mut(part.index).ok_or(Error::Corrupt("a missing component"))?;
                    let plane = planes.get(part.index).ok_or(Error::Corrupt("a missing component"))?;
                    let mut block = blocks
                        .block(y * plane.blocks_wide + x)
                        .filter(|_| x < plane.blocks_wide)
                        .ok_or(Error::Corrupt("a block outside its component"))?;
                    progressive_block(bits, part, tables, &scan, &mut block)
                })?;
            } else {
                let mut block = [0i16; 64];
                walker.run(&mut bits, &self.tables, 0..units, |bits, part, tables, x, y| {
                    sequential_into_plane(bits, part, tables, &mut block, planes, (x, y), (backend, true))
                })?;
            }
            if bits.overrun() {
                return Err(Error::Corrupt("the data ends inside a scan"));
            }
            reader.position = scan_end(self.data, &bits)?;
            for component in &scan.components {
                if let Some(done) = scanned.get_mut(component.index) {
                    *done = true;
                }
            }
            loop {
                match reader.marker()? {
                    0xDA => {
                        next = Some(markers::scan(reader.segment()?, &self.frame)?);
                        break;
                    }
                    0xD9 => break,
                    marker => table_segment(marker, &mut reader, &mut self.tables)?,
                }
            }
        }
        if scanned.contains(&false) {
            return Err(Error::Corrupt("a component no scan covers"));
        }
        for ((component, plane), blocks) in self.frame.components.iter().zip(&mut self.planes).zip(&coefficients) {
            let quant = self
                .tables
                .quant
                .get(usize::from(component.quant_table))
                .and_then(Option::as_ref)
                .ok_or(Error::Corrupt("a component's quantisation table is missing"))?;
            let mut dequantised = [0i16; 64];
            for index in 0..plane.blocks_wide * plane.blocks_high {
                let dc_only = blocks.dequantised(index, quant, &mut dequantised);
                plane.put(index % plane.blocks_wide, index / plane.blocks_wide, &dequantised, dc_only, self.backend)?;
            }
        }
        Ok(())
    }
}

/// Where the data continues after a scan whose bits `bits` read: at the next marker.
fn scan_end(data: &[u8], bits: &BitReader<'_>) -> Result<usize> {
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

/// One component of a scan, with the state its blocks carry from one to the next.
struct Part {
    index: usize,
    horizontal: usize,
    vertical: usize,
    quant: [i32; 64],
    dc_table: usize,
    ac_table: usize,
    /// The DC prediction.
    prediction: i32,
    /// Progressive AC scans: blocks left in the current end-of-band run.
    eob_run: u32,
}

/// A scan's walk over its blocks: MCUs for an interleaved scan, the component's own blocks for a
/// scan of one, in restart intervals; it can stop and resume between units.
struct Walker {
    parts: Vec<Part>,
    units: (usize, usize),
    restart_interval: usize,
    next_restart: u8,
}

impl Walker {
    fn new(frame: &Frame, tables: &Tables, scan: &Scan) -> Result<Self> {
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
                dc_table: scan_component.dc_table,
                ac_table: scan_component.ac_table,
                prediction: 0,
                eob_run: 0,
            });
        }
        let units = match parts.as_slice() {
            [single] => {
                let component = frame.components.get(single.index).ok_or(Error::Corrupt("a missing component"))?;
                let (width, height) = frame.component_size(component, 8);
                (width.div_ceil(8), height.div_ceil(8))
            }
            _ => frame.mcus(),
        };
        Ok(Walker { parts, units, restart_interval: usize::from(tables.restart_interval), next_restart: 0 })
    }

    /// Calls `block` for every block of the units in `range`, with its position in the
    /// component's blocks.
    fn run<'a>(
        &mut self,
        bits: &mut BitReader<'a>,
        tables: &Tables,
        range: core::ops::Range<usize>,
        mut block: impl FnMut(&mut BitReader<'a>, &mut Part, &Tables, usize, usize) -> Result<()>,
    ) -> Result<()> {
        let units_wide = self.units.0.max(1);
        let interleaved = self.parts.len() > 1;
        for unit in range {
            if self.restart_interval > 0 && unit > 0 && unit % self.restart_interval == 0 {
                bits.restart(self.next_restart)?;
                self.next_restart = (self.next_restart + 1) % 8;
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
                        block(bits, part, tables, unit_x * blocks_x + block_x, unit_y * blocks_y + block_y)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn dc_table<'t>(part: &Part, tables: &'t Tables) -> Result<&'t HuffmanTable> {
    tables.dc.get(part.dc_table).and_then(Option::as_ref).ok_or(Error::Corrupt("a scan's DC Huffman table is missing"))
}

fn ac_table<'t>(part: &Part, tables: &'t Tables) -> Result<&'t HuffmanTable> {
    tables.ac.get(part.ac_table).and_then(Option::as_ref).ok_or(Error::Corrupt("a scan's AC Huffman table is missing"))
}

/// One block of a sequential scan, dequantised and through the IDCT into its plane at `(x, y)`
/// (in blocks) if `place`; `block` is all zero before and after. Inlined into the walk over the
/// blocks, as [`Plane::put`] is into it (0.96-0.98x the decode's time).
#[inline(always)]
fn sequential_into_plane(
    bits: &mut BitReader<'_>,
    part: &mut Part,
    tables: &Tables,
    block: &mut [i16; 64],
    planes: &mut [Plane],
    (x, y): (usize, usize),
    (backend, place): (Backend, bool),
) -> Result<()> {
    let plane = planes.get_mut(part.index).ok_or(Error::Corrupt("a missing component"))?;
    let tables = (dc_table(part, tables)?, ac_table(part, tables)?);
    // A block no row read needs is decoded (the scan is sequential) but never placed.
    let place = place && plane.needs(x);
    let ac_written = if !place || plane.block() == 1 {
        bits.sequential_block::<false>(tables, &part.quant, &mut part.prediction, block)?
    } else {
        bits.sequential_block::<true>(tables, &part.quant, &mut part.prediction, block)?
    };
    if place {
        plane.put(x, y, block, !ac_written, backend)?;
    }
    // Back to zero: a DC alone (every block when the AC coefficients are read past) in one
    // store, others whole, which eight vector stores do faster than a loop over those written.
    // The zeros are hidden from LLVM, which would make the stores one `memory.fill`: V8 runs
    // that as a call into C, for every block (decodes 0.96-0.98x the time without it).
    if ac_written {
        let zeros = core::hint::black_box([0i16; 8]);
        for eight in block.as_chunks_mut::<8>().0 {
            *eight = zeros;
        }
    } else {
        block[0] = 0;
    }
    Ok(())
}

/// One block's share of a progressive scan: the DC's first bits or a refinement bit, or a band
/// of AC coefficients' first bits or refinement bits (T.81 G.1.2). Positions are zig-zag ones.
fn progressive_block(
    bits: &mut BitReader<'_>,
    part: &mut Part,
    tables: &Tables,
    scan: &Scan,
    block: &mut Block<'_>,
) -> Result<()> {
    let low = u32::from(scan.approximation_low);
    let (start, end) = (usize::from(scan.spectral_start), usize::from(scan.spectral_end));
    if start == 0 {
        if scan.approximation_high == 0 {
            part.prediction = part.prediction.wrapping_add(bits.dc_difference(dc_table(part, tables)?)?);
            block.set(0, (part.prediction << low) as i16);
        } else if bits.bits(1) == 1 {
            block.add_dc_bit(1 << low);
        }
        return Ok(());
    }
    let ac = ac_table(part, tables)?;
    if end > 63 {
        return Err(Error::Corrupt("a spectral band past 63"));
    }
    if scan.approximation_high == 0 {
        // First bits of the band.
        if part.eob_run > 0 {
            part.eob_run -= 1;
            return Ok(());
        }
        let mut k = start;
        while k <= end {
            let (run, value) = match bits.ac_code(ac)? {
                AcCode::Coefficient { run, value } => (run, value),
                AcCode::SixteenZeros => {
                    k += 16;
                    continue;
                }
                AcCode::EndOfBand { run } => {
                    part.eob_run = (1 << run) - 1 + bits.bits(run);
                    break;
                }
            };
            k += run;
            if k > end {
                return Err(Error::Corrupt("a coefficient past its band"));
            }
            block.set(k, (value << low) as i16);
            k += 1;
        }
        return Ok(());
    }
    // Refinement: a correction bit for every coefficient already non-zero, and new coefficients
    // of ±1 (at this bit) placed after their runs of still-zero ones. Masks of positions find
    // both without walking the band.
    let one = 1i16 << low;
    let band = from_position(start) & !from_position(end + 1);
    let mut k = start;
    if part.eob_run == 0 {
        while k <= end {
            // Each new coefficient's code and sign bit in one lookup, as a first scan's ±1.
            let (run, value) = match bits.ac_code(ac)? {
                AcCode::Coefficient { run, value: 1 } => (run, one),
                AcCode::Coefficient { run, value: -1 } => (run, -one),
                AcCode::Coefficient { .. } => return Err(Error::Corrupt("a refinement coefficient over one bit")),
                // ZRL: 16 still-zero coefficients passed (refining the non-zero ones on the way).
                AcCode::SixteenZeros => (15, 0),
                AcCode::EndOfBand { run } => {
                    part.eob_run = (1 << run) + bits.bits(run);
                    break;
                }
            };
            // The still-zero position `run` zero ones on (past the band when it has fewer), and
            // the non-zero ones before it.
            let (ahead, nonzero) = (band & from_position(k), block.nonzero());
            let mut zeros = ahead & !nonzero;
            for _ in 0..run {
                zeros &= zeros.wrapping_sub(1);
            }
            let target = if zeros == 0 { end + 1 } else { zeros.trailing_zeros() as usize };
            refine(bits, block, ahead & nonzero & !from_position(target), one);
            if target <= end && value != 0 {
                block.set(target, value);
            }
            k = target + 1;
        }
    }
    if part.eob_run > 0 {
        // The rest of the band is in an end-of-band run: only refinement bits.
        let rest = block.nonzero() & band & from_position(k);
        refine(bits, block, rest, one);
        part.eob_run -= 1;
    }
    Ok(())
}

/// Zig-zag positions `k` and on, as a mask.
fn from_position(k: usize) -> u64 {
    u64::MAX.checked_shl(k as u32).unwrap_or(0)
}

/// A correction bit for each non-zero coefficient in `positions`, in zig-zag order, read up to
/// 16 at a time.
fn refine(bits: &mut BitReader<'_>, block: &mut Block<'_>, mut positions: u64, one: i16) {
    while positions != 0 {
        let count = positions.count_ones().min(16);
        let mut corrections = bits.bits(count) << (32 - count);
        for _ in 0..count {
            if corrections & 1 << 31 != 0 {
                block.correct(positions.trailing_zeros() as usize, one);
            }
            corrections <<= 1;
            positions &= positions - 1;
        }
    }
}
