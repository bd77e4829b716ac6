//! JPEG through our decoder (the `jpeg` crate): whole, or a sequential file's rows in order as
//! the resize asks for them (its planes hold a few MCU rows, so the full image never exists).
//! Either way at 1/1, 1/2, 1/4 or 1/8 of the stored size (shrink-on-load), in L8 or RGB8, an
//! embedded profile applied to the rows. A CMYK file with a usable CMYK profile decodes to ink
//! amounts a few rows at a time, which the profile turns into RGB. A YCbCr file without a
//! profile can also be read as its planes, an MCU row at a time (for the planar resize).

use kernels::{Backend, Image, PixelLayout};

use super::{jpeg_error, Probe};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::icc::ToSrgb;

/// The decoder's scale for a shrink of 1, 2, 4 or 8.
fn scale(shrink: u32) -> Result<u8, TransformError> {
    u8::try_from(shrink)
        .ok()
        .filter(|scale| matches!(scale, 1 | 2 | 4 | 8))
        .ok_or_else(|| TransformError::new(ErrorKind::Internal, format!("a JPEG decode at 1/{shrink} was asked for")))
}

fn layout(channels: u8) -> PixelLayout {
    if channels == 1 {
        PixelLayout::L8
    } else {
        PixelLayout::Rgb8
    }
}

/// The whole image at 1/`shrink` of its size, its embedded profile applied.
pub(super) fn decode_jpeg(
    bytes: &[u8],
    probe: &Probe,
    limits: &Limits,
    shrink: u32,
    backend: Backend,
) -> Result<Image, TransformError> {
    let mut rows = JpegRows::new(bytes, probe, limits, shrink, backend)?;
    let mut image = Image::new(rows.width(), rows.height(), rows.layout())?;
    rows.read_rows(&mut image.pixels)?;
    Ok(image)
}

/// Rows of ink amounts converted to RGB per call: the scratch holds 4 bytes a pixel of them.
pub const CMYK_ROWS: usize = 8;

/// How decoded rows become sRGB.
enum Colour {
    /// They are already.
    Srgb,
    /// Through the embedded RGB profile, in place.
    Profile(ToSrgb),
    /// CMYK ink amounts through the embedded CMYK profile, `CMYK_ROWS` rows at a time.
    Cmyk { to_srgb: ToSrgb, ink: Vec<u8> },
}

/// A JPEG being decoded row by row (progressive files decode whole inside, then hand out rows).
pub struct JpegRows<'a> {
    decoder: jpeg::Decoder<'a>,
    layout: PixelLayout,
    colour: Colour,
}

impl<'a> JpegRows<'a> {
    pub fn new(
        bytes: &'a [u8],
        probe: &Probe,
        limits: &Limits,
        shrink: u32,
        backend: Backend,
    ) -> Result<Self, TransformError> {
        let mut decoder =
            jpeg::Decoder::new(bytes, scale(shrink)?, limits.max_input_pixels, backend).map_err(jpeg_error)?;
        let layout = layout(decoder.channels());
        let profile = probe.icc.as_deref();
        let colour = if decoder.is_cmyk() {
            match profile.and_then(ToSrgb::from_cmyk) {
                Some(to_srgb) => {
                    decoder.keep_cmyk();
                    Colour::Cmyk { to_srgb, ink: vec![0; decoder.width() * 4 * CMYK_ROWS] }
                }
                None => Colour::Srgb,
            }
        } else {
            profile.and_then(|profile| ToSrgb::new(profile, layout)).map_or(Colour::Srgb, Colour::Profile)
        };
        Ok(JpegRows { decoder, layout, colour })
    }

    pub fn layout(&self) -> PixelLayout {
        self.layout
    }

    pub fn width(&self) -> usize {
        self.decoder.width()
    }

    pub fn height(&self) -> usize {
        self.decoder.height()
    }

    /// Decodes the next rows into `band`, a whole number of rows of `width × channels` bytes.
    pub fn read_rows(&mut self, band: &mut [u8]) -> Result<(), TransformError> {
        match &mut self.colour {
            Colour::Srgb => self.decoder.read_rows(band).map_err(jpeg_error),
            Colour::Profile(to_srgb) => {
                self.decoder.read_rows(band).map_err(jpeg_error)?;
                to_srgb.apply(band);
                Ok(())
            }
            Colour::Cmyk { to_srgb, ink } => {
                let width = self.decoder.width();
                for rgb in band.chunks_mut(width * 3 * CMYK_ROWS) {
                    let ink_rows = ink.get_mut(..rgb.len() / 3 * 4).unwrap_or_default();
                    self.decoder.read_rows(ink_rows).map_err(jpeg_error)?;
                    if !to_srgb.convert_cmyk(ink_rows, rgb) {
                        return Err(TransformError::new(ErrorKind::Internal, "the CMYK profile's transform failed"));
                    }
                }
                Ok(())
            }
        }
    }

    /// Only `columns` of the rows will be used (a crop): the decoder skips the IDCT of blocks
    /// outside them, and the rest of each row is left unspecified.
    pub fn need_columns(&mut self, columns: core::ops::Range<usize>) {
        self.decoder.need_columns(columns);
    }

    /// Passes over `count` rows (those above a crop).
    pub fn skip_rows(&mut self, count: usize) -> Result<(), TransformError> {
        self.decoder.skip_rows(count).map_err(jpeg_error)
    }

    /// The Y, Cb and Cr planes' sizes (and the output pixels a sample spans) when the rows can
    /// be read as planes instead ([`JpegRows::next_planes`]): a YCbCr file with no profile to
    /// apply (which works on whole pixels).
    pub fn ycbcr_planes(&self) -> Option<[jpeg::PlaneSampling; 3]> {
        let planes = <[jpeg::PlaneSampling; 3]>::try_from(self.decoder.plane_sampling()).ok()?;
        (matches!(self.colour, Colour::Srgb) && self.decoder.is_ycbcr()).then_some(planes)
    }

    /// Planar reading: `component`'s plane decoded at half its height (and width, with
    /// `columns`), each sample the mean of those it covers, where the decoder can (see
    /// [`jpeg::Decoder::halve_plane`]); the halved plane's sampling, or `None` if it is not.
    pub fn halve_plane(&mut self, component: usize, columns: bool) -> Option<jpeg::PlaneSampling> {
        if !self.decoder.halve_plane(component, columns) {
            return None;
        }
        self.decoder.plane_sampling().get(component).copied()
    }

    /// Planar reading: only samples `columns` of `component`'s plane will be used.
    pub fn need_plane_columns(&mut self, component: usize, columns: core::ops::Range<usize>) {
        self.decoder.need_plane_columns(component, columns);
    }

    /// Planar reading: the MCU rows before `mcu_row` are passed over.
    pub fn skip_mcu_rows(&mut self, mcu_row: usize) {
        self.decoder.skip_mcu_rows(mcu_row);
    }

    /// Planar reading: the next MCU row of every component plane, or `None` after the last.
    pub fn next_planes(&mut self) -> Result<Option<Vec<jpeg::PlaneBand<'_>>>, TransformError> {
        self.decoder.next_planes().map_err(jpeg_error)
    }

    /// Decodes the rest of the scan: a file damaged below the rows used is refused, as a whole
    /// decode refuses it.
    pub fn finish(&mut self) -> Result<(), TransformError> {
        self.decoder.finish().map_err(jpeg_error)
    }
}
