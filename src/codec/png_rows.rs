//! PNG stills through the png crate's row interface: rows decode one at a time, in order, into
//! our layouts (grey, RGB, RGBA at 8 bits, an embedded profile applied), so that a resize can take
//! them as they come and the whole image never needs to exist. Interlaced files store their rows
//! in seven passes, so they only decode whole.
//!
//! Conversions are those the image crate made when it decoded PNG for us: 16-bit samples round
//! to the nearest 8-bit level, grey with alpha becomes RGBA, palettes and `tRNS` expand.

use std::io::Cursor;

use kernels::{Image, PixelLayout};
use png::{BitDepth, ColorType, Transformations};

use super::{corrupt, max_decoding_bytes, Probe};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::icc::ToSrgb;

/// A PNG still being decoded row by row.
pub struct PngRows<'a> {
    reader: png::Reader<Cursor<&'a [u8]>>,
    /// The decoder's rows: colour type and depth after expansion.
    stored: (ColorType, BitDepth),
    layout: PixelLayout,
    width: usize,
    height: usize,
    to_srgb: Option<ToSrgb>,
    /// Rows handed out so far.
    next_row: usize,
}

impl<'a> PngRows<'a> {
    pub fn new(bytes: &'a [u8], probe: &Probe, limits: &Limits) -> Result<Self, TransformError> {
        let mut decoder =
            png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: max_decoding_bytes(limits) });
        decoder.set_transformations(Transformations::EXPAND);
        let reader = decoder.read_info().map_err(png_error)?;
        let stored = reader.output_color_type();
        let layout = match stored.0 {
            ColorType::Grayscale => PixelLayout::L8,
            ColorType::Rgb => PixelLayout::Rgb8,
            ColorType::GrayscaleAlpha | ColorType::Rgba => PixelLayout::Rgba8,
            ColorType::Indexed => {
                return Err(TransformError::new(ErrorKind::Internal, "the PNG palette was not expanded"))
            }
        };
        let info = reader.info();
        let (width, height) = (info.width as usize, info.height as usize);
        let to_srgb = probe.icc.as_deref().and_then(|profile| ToSrgb::new(profile, layout));
        Ok(PngRows { reader, stored, layout, width, height, to_srgb, next_row: 0 })
    }

    pub fn layout(&self) -> PixelLayout {
        self.layout
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the rows must be decoded whole ([`Self::into_image`]) rather than in order.
    pub fn is_interlaced(&self) -> bool {
        self.reader.info().interlaced
    }

    /// Decodes the next rows into `band`, which holds a whole number of rows of
    /// `width × channels` bytes. Not for interlaced files.
    pub fn read_rows(&mut self, band: &mut [u8]) -> Result<(), TransformError> {
        let row_len = self.width * self.layout.channels();
        for out in band.chunks_exact_mut(row_len) {
            let row = self.reader.next_row().map_err(png_error)?;
            let row = row.ok_or_else(|| TransformError::new(ErrorKind::Undecodable, "the PNG image is truncated"))?;
            convert_row(self.stored, row.data(), out);
            self.next_row += 1;
        }
        if let Some(conversion) = &self.to_srgb {
            conversion.apply(band);
        }
        Ok(())
    }

    /// Decodes and drops `count` rows (those above a crop).
    pub fn skip_rows(&mut self, count: usize) -> Result<(), TransformError> {
        for _ in 0..count {
            self.reader.next_row().map_err(png_error)?;
            self.next_row += 1;
        }
        Ok(())
    }

    /// Decodes the rows not read yet and checks the image data's checksums, as decoding the
    /// whole image would: corrupt files are refused even where their damage lies outside the
    /// rows used.
    pub fn finish(&mut self) -> Result<(), TransformError> {
        self.skip_rows(self.height.saturating_sub(self.next_row))?;
        // Past the last row, the decoder reads to the end of the image data.
        match self.reader.next_row().map_err(png_error)? {
            None => Ok(()),
            Some(_) => Err(TransformError::new(ErrorKind::Undecodable, "the PNG image has more rows than it declares")),
        }
    }

    /// The whole image (any rows not read yet; all of them for interlaced files).
    pub fn into_image(mut self) -> Result<Image, TransformError> {
        let row_len = self.width * self.layout.channels();
        let mut image = Image::new(self.width, self.height, self.layout)?;
        if !self.is_interlaced() {
            let rest = image.pixels.get_mut(self.next_row * row_len..).unwrap_or_default();
            self.read_rows(rest)?;
            self.finish()?;
            return Ok(image);
        }
        // The png crate puts the passes together in its own layout (16 bits stay 16 bits).
        let size = self.reader.output_buffer_size().ok_or_else(too_large)?;
        let mut stored = Vec::new();
        stored.try_reserve_exact(size).map_err(|_| too_large())?;
        stored.resize(size, 0);
        let frame = self.reader.next_frame(&mut stored).map_err(png_error)?;
        for (row, out) in stored.chunks_exact(frame.line_size).zip(image.pixels.chunks_exact_mut(row_len)) {
            convert_row(self.stored, row, out);
        }
        if let Some(conversion) = &self.to_srgb {
            conversion.apply(&mut image.pixels);
        }
        Ok(image)
    }
}

fn too_large() -> TransformError {
    TransformError::new(ErrorKind::TooLarge, "the PNG image exceeds the decoding limits")
}

/// One decoded row (`stored` colour type and depth, after expansion) into our layout.
fn convert_row((colour, depth): (ColorType, BitDepth), row: &[u8], out: &mut [u8]) {
    // 16-bit samples are big-endian; the nearest 8-bit level is round(v × 255 / 65535).
    let eight = |pair: &[u8; 2]| ((u32::from(u16::from_be_bytes(*pair)) + 128) / 257) as u8;
    match (colour, depth) {
        (ColorType::GrayscaleAlpha, BitDepth::Sixteen) => {
            for (pixel, out) in row.as_chunks::<4>().0.iter().zip(out.as_chunks_mut::<4>().0) {
                let (grey, alpha) = (eight(&[pixel[0], pixel[1]]), eight(&[pixel[2], pixel[3]]));
                *out = [grey, grey, grey, alpha];
            }
        }
        (ColorType::GrayscaleAlpha, _) => {
            for (&[grey, alpha], out) in row.as_chunks::<2>().0.iter().zip(out.as_chunks_mut::<4>().0) {
                *out = [grey, grey, grey, alpha];
            }
        }
        (_, BitDepth::Sixteen) => {
            for (pair, out) in row.as_chunks::<2>().0.iter().zip(out.iter_mut()) {
                *out = eight(pair);
            }
        }
        _ => {
            if let Some(row) = row.get(..out.len()) {
                out.copy_from_slice(row);
            }
        }
    }
}

fn png_error(error: png::DecodingError) -> TransformError {
    match error {
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            TransformError::new(ErrorKind::Undecodable, "the PNG image is truncated")
        }
        png::DecodingError::LimitsExceeded => too_large(),
        png::DecodingError::Parameter(error) => {
            TransformError::new(ErrorKind::Internal, format!("PNG decoder misused: {error}"))
        }
        other => corrupt("PNG", &other.to_string()),
    }
}
