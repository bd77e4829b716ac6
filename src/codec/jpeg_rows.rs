//! JPEG through our decoder (the `jpeg` crate): whole, or a sequential file's rows in order as
//! the resize asks for them (its planes hold a few MCU rows, so the full image never exists).
//! Either way at 1/1, 1/2, 1/4 or 1/8 of the stored size (shrink-on-load), in L8 or RGB8, an
//! embedded profile applied to the rows.

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

/// The whole image at 1/`shrink` of its size (the caller applies the profile).
pub(super) fn decode_jpeg(
    bytes: &[u8],
    limits: &Limits,
    shrink: u32,
    backend: Backend,
) -> Result<Image, TransformError> {
    let decoded = jpeg::decode(bytes, scale(shrink)?, limits.max_input_pixels, backend).map_err(jpeg_error)?;
    let layout = layout(decoded.channels);
    Ok(Image { pixels: decoded.pixels, width: decoded.width as usize, height: decoded.height as usize, layout })
}

/// A JPEG being decoded row by row (progressive files decode whole inside, then hand out rows).
pub struct JpegRows<'a> {
    decoder: jpeg::Decoder<'a>,
    layout: PixelLayout,
    to_srgb: Option<ToSrgb>,
}

impl<'a> JpegRows<'a> {
    pub fn new(
        bytes: &'a [u8],
        probe: &Probe,
        limits: &Limits,
        shrink: u32,
        backend: Backend,
    ) -> Result<Self, TransformError> {
        let decoder =
            jpeg::Decoder::new(bytes, scale(shrink)?, limits.max_input_pixels, backend).map_err(jpeg_error)?;
        let layout = layout(decoder.channels());
        let to_srgb = probe.icc.as_deref().and_then(|profile| ToSrgb::new(profile, layout));
        Ok(JpegRows { decoder, layout, to_srgb })
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
        self.decoder.read_rows(band).map_err(jpeg_error)?;
        if let Some(conversion) = &self.to_srgb {
            conversion.apply(band);
        }
        Ok(())
    }

    /// Passes over `count` rows (those above a crop).
    pub fn skip_rows(&mut self, count: usize) -> Result<(), TransformError> {
        self.decoder.skip_rows(count).map_err(jpeg_error)
    }

    /// Decodes the rest of the scan: a file damaged below the rows used is refused, as a whole
    /// decode refuses it.
    pub fn finish(&mut self) -> Result<(), TransformError> {
        self.decoder.finish().map_err(jpeg_error)
    }
}
