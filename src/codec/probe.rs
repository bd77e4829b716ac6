//! `probe`: what the header says, read before any pixel buffer is allocated.

use image::{ImageDecoder, ImageError, ImageFormat};
use kernels::Orientation;

use super::container::{gif_frames, png_frames, png_icc_profile, png_interlaced, webp_chunk, webp_frames};
use super::webp::webp_features;
use super::{decode_error, jpeg_error, reader};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::format::SourceFormat;
use crate::geometry::Size;
use crate::icc;

/// What the header says, read before any pixel buffer is allocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub format: SourceFormat,
    /// As stored, before EXIF orientation.
    pub size: Size,
    /// The raw EXIF block (TIFF data), if the file has one.
    pub exif: Option<Vec<u8>>,
    /// The embedded ICC colour profile, if any (and not over `icc::MAX_ICC_PROFILE_BYTES`).
    pub icc: Option<Vec<u8>>,
    /// Frames the container declares (1 for still images).
    pub frames: u64,
    /// How the pixels are stored, as far as decoding memory goes.
    pub storage: Storage,
    /// Whether the header allows transparency (an alpha channel, a transparent colour, GIF).
    pub alpha: bool,
}

/// What decoding holds besides the pixels it yields, from the header: what the memory budget
/// reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// `samples_16ths`: samples per pixel over all components, in sixteenths (48 for 4:4:4
    /// colour, 24 for 4:2:0, 16 for grey). Progressive files keep every coefficient.
    /// `row_by_row`: sequential with every component in the first scan, so rows can stream.
    /// `coefficient_bytes`: what a progressive file's decode holds in coefficients at 1/1, 1/2,
    /// 1/4 and 1/8 (0 for sequential files).
    Jpeg {
        progressive: bool,
        row_by_row: bool,
        components: u8,
        samples_16ths: u32,
        coefficient_bytes: [u64; 4],
    },
    Png {
        interlaced: bool,
    },
    Webp {
        lossless: bool,
        animated: bool,
    },
    Gif,
}

impl Storage {
    /// A JPEG whose rows decode in order, a few MCU rows held at a time.
    pub fn is_row_by_row_jpeg(&self) -> bool {
        matches!(self, Storage::Jpeg { row_by_row: true, .. })
    }
}

impl Probe {
    /// What makes the stored pixels upright, from the EXIF orientation tag.
    pub fn orientation(&self) -> Orientation {
        Orientation::from_exif(self.exif_orientation())
    }

    /// The EXIF orientation tag, 1 (upright) when there is none or it is not one of 1..=8.
    pub fn exif_orientation(&self) -> u16 {
        let tag = self.exif.as_deref().and_then(crate::exif::Exif::parse).and_then(|exif| exif.orientation());
        tag.filter(|tag| (1..=8).contains(tag)).unwrap_or(1)
    }
}

/// Identifies the format and reads the dimensions, refusing images over the pixel limit.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe, TransformError> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => SourceFormat::Jpeg,
        Ok(ImageFormat::Png) => SourceFormat::Png,
        Ok(ImageFormat::Gif) => SourceFormat::Gif,
        Ok(ImageFormat::WebP) => SourceFormat::Webp,
        Ok(other) => {
            let name = format!("{other:?}").to_uppercase();
            return Err(TransformError::new(
                ErrorKind::UnsupportedFormat,
                format!("{name} images are not supported; send JPEG, PNG, GIF or WebP"),
            ));
        }
        Err(_) if is_heif(bytes) => {
            return Err(TransformError::new(
                ErrorKind::UnsupportedFormat,
                "HEIC/HEIF images are not supported; send JPEG, PNG, GIF or WebP",
            ))
        }
        Err(_) => {
            return Err(TransformError::new(
                ErrorKind::UnsupportedFormat,
                "the data is not an image in a supported format (JPEG, PNG, GIF, WebP)",
            ))
        }
    };
    let header_error = |error| match error {
        // The decoder's width/height limits are derived from the pixel limit: say so.
        ImageError::Limits(_) => TransformError::new(
            ErrorKind::TooLarge,
            format!(
                "the {} image is wider or taller than the pixel limit of {} allows",
                format.name(),
                limits.max_input_pixels
            ),
        ),
        other => decode_error(format, other),
    };
    let ((width, height), exif, icc, storage, alpha) = match format {
        SourceFormat::Jpeg => {
            let info = jpeg::read_info(bytes).map_err(jpeg_error)?;
            let (h_max, v_max) =
                info.sampling.iter().fold((1, 1), |(h, v), &(ch, cv)| (h.max(u32::from(ch)), v.max(u32::from(cv))));
            let storage = Storage::Jpeg {
                progressive: info.progressive,
                row_by_row: info.row_by_row,
                coefficient_bytes: info.coefficient_bytes,
                components: info.components,
                // Samples per pixel over all components, in sixteenths (24 for 4:2:0 colour).
                samples_16ths: info
                    .sampling
                    .iter()
                    .map(|&(h, v)| 16 * u32::from(h) * u32::from(v) / (h_max * v_max))
                    .sum(),
            };
            let icc = info.icc_profile(icc::MAX_ICC_PROFILE_BYTES);
            ((info.width, info.height), info.exif.map(<[u8]>::to_vec), icc, storage, false)
        }
        SourceFormat::Webp => {
            let features = webp_features(bytes)?;
            let storage = Storage::Webp { lossless: features.lossless, animated: features.animated };
            let alpha = features.has_alpha || features.animated;
            ((features.width, features.height), webp_chunk(bytes, b"EXIF"), webp_chunk(bytes, b"ICCP"), storage, alpha)
        }
        SourceFormat::Png => {
            // Before the png crate reads the header, which inflates the profile too.
            let icc = png_icc_profile(bytes)?;
            let mut decoder = reader(bytes, format, limits).into_decoder().map_err(header_error)?;
            let storage = Storage::Png { interlaced: png_interlaced(bytes) };
            let alpha = decoder.color_type().has_alpha();
            // Unreadable metadata is no reason to refuse the pixels.
            (decoder.dimensions(), decoder.exif_metadata().ok().flatten(), icc, storage, alpha)
        }
        SourceFormat::Gif => {
            let decoder = reader(bytes, format, limits).into_decoder().map_err(header_error)?;
            (decoder.dimensions(), None, None, Storage::Gif, true)
        }
    };
    let icc = icc.filter(|profile| profile.len() <= icc::MAX_ICC_PROFILE_BYTES);
    let size = Size { width, height };
    if width == 0 || height == 0 {
        return Err(TransformError::new(ErrorKind::Undecodable, format!("the {} image has no pixels", format.name())));
    }
    // Animations count every frame at the full canvas size, as a renderer of all of them would.
    let frames = frame_count(format, bytes);
    let counted = size.pixels().saturating_mul(frames);
    if counted > limits.max_input_pixels {
        let what =
            if frames > 1 { format!("{frames} frames of {width}x{height}") } else { format!("{width}x{height}") };
        return Err(TransformError::new(
            ErrorKind::TooLarge,
            format!("the image is {what} ({counted} pixels); the pixel limit is {}", limits.max_input_pixels),
        ));
    }
    Ok(Probe { format, size, exif, icc, frames, storage, alpha })
}

/// How many frames the container declares, from its structure alone (1 for still formats, and
/// at least 1). A truncated file counts the frames seen before the end.
fn frame_count(format: SourceFormat, bytes: &[u8]) -> u64 {
    let frames = match format {
        SourceFormat::Gif => gif_frames(bytes),
        SourceFormat::Webp => webp_frames(bytes),
        SourceFormat::Png => png_frames(bytes),
        SourceFormat::Jpeg => 1,
    };
    frames.max(1)
}

/// Whether `bytes` start an ISO base media file of a HEIF brand (HEIC photos from phones).
fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 7] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1"];
    bytes.get(4..8) == Some(b"ftyp") && bytes.get(8..12).is_some_and(|brand| BRANDS.iter().any(|known| brand == *known))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// A JPEG whose frame header is `marker` with sample `precision`, 16x16 grey.
    fn jpeg_frame(marker: u8, precision: u8) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, marker, 0, 11, precision, 0, 16, 0, 16, 1, 1, 0x11, 0];
        bytes.extend_from_slice(&[0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn jpeg_variants_we_do_not_decode_are_415s_that_name_them() {
        for (marker, precision, named) in [
            (0xC9, 8, "arithmetic-coded"),
            (0xC3, 8, "lossless"),
            (0xC5, 8, "hierarchical"),
            (0xC0, 12, "12-bit"),
            (0xC1, 12, "12-bit"),
        ] {
            let error = probe(&jpeg_frame(marker, precision), &Limits::default()).unwrap_err();
            assert_eq!(error.kind, ErrorKind::UnsupportedFormat, "{marker:#x}: {}", error.message);
            assert!(error.message.contains(named), "{marker:#x}: {}", error.message);
        }
    }

    #[test]
    fn frames_are_counted_from_the_container() {
        let fire = fixture("fire.gif");
        let frames = frame_count(SourceFormat::Gif, &fire);
        assert!(frames > 1, "fire.gif is animated, counted {frames}");
        assert_eq!(frame_count(SourceFormat::Gif, &fixture("porsche.gif")), 1);
        assert_eq!(frame_count(SourceFormat::Webp, &fixture("flower.webp")), 1);
        let truncated = frame_count(SourceFormat::Gif, &fire[..fire.len() / 2]);
        assert!((1..frames).contains(&truncated), "{truncated} of {frames}");
        assert_eq!(frame_count(SourceFormat::Gif, b"GIF89a"), 1);
    }

    #[test]
    fn animations_count_every_frame_against_the_pixel_limit() {
        let fire = fixture("fire.gif");
        let still = probe(&fire, &Limits::default()).unwrap();
        let frames = frame_count(SourceFormat::Gif, &fire);
        let limits = Limits { max_input_pixels: still.size.pixels() * frames - 1, ..Limits::default() };
        let error = probe(&fire, &limits).unwrap_err();
        assert_eq!(error.kind, ErrorKind::TooLarge);
        assert!(error.message.contains(&format!("{frames} frames")), "{}", error.message);
    }

    #[test]
    fn unsupported_formats_are_named_in_words() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let error = probe(heic, &Limits::default()).unwrap_err();
        assert_eq!(error.kind, ErrorKind::UnsupportedFormat);
        assert!(error.message.starts_with("HEIC"), "{}", error.message);
        let bmp = [b"BM".as_slice(), &[0; 64]].concat();
        assert!(probe(&bmp, &Limits::default()).unwrap_err().message.starts_with("BMP images"));
    }
}
