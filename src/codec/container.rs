//! Our own bounded walks over container structure: frame counts, WebP metadata chunks and a
//! PNG's ICC profile, read where the decoders would allocate what a file merely declares.

use crate::error::{ErrorKind, TransformError};
use crate::icc;

/// Counts GIF image descriptors, skipping colour tables, extensions and image data by their
/// declared lengths.
pub(super) fn gif_frames(bytes: &[u8]) -> u64 {
    let colour_table = |flags: u8| if flags & 0x80 != 0 { 3usize << ((flags & 7) + 1) } else { 0 };
    let skip_sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let len = *bytes.get(at)? as usize;
            at += 1 + len;
            if len == 0 {
                return Some(at);
            }
        }
    };
    let mut frames = 0;
    let Some(&screen_flags) = bytes.get(10) else { return frames };
    let mut at = 13 + colour_table(screen_flags);
    loop {
        let next = match bytes.get(at) {
            // Image descriptor: 10 bytes, a local colour table, the LZW code size, data blocks.
            Some(0x2C) => {
                frames += 1;
                let Some(&flags) = bytes.get(at + 9) else { return frames };
                skip_sub_blocks(at + 10 + colour_table(flags) + 1)
            }
            // Extension: introducer, label, data blocks.
            Some(0x21) => skip_sub_blocks(at + 2),
            // Trailer, garbage or the end: the decoder judges the rest.
            _ => None,
        };
        match next {
            Some(position) => at = position,
            None => return frames,
        }
    }
}

/// Counts the `ANMF` (animation frame) chunks of a RIFF WebP file.
pub(super) fn webp_frames(bytes: &[u8]) -> u64 {
    riff_chunks(bytes).filter(|(fourcc, _)| fourcc == b"ANMF").count() as u64
}

/// The payload of the first top-level `fourcc` chunk of a WebP file, if it lies wholly inside
/// `bytes`. We read metadata chunks ourselves because image-webp allocates a chunk's declared size
/// before reading it: a 100-byte file declaring a 2.7 GB EXIF chunk asked for 2.7 GB (a fuzzing
/// find, kept in fixtures/fuzz/).
pub(super) fn webp_chunk(bytes: &[u8], wanted: &[u8; 4]) -> Option<Vec<u8>> {
    riff_chunks(bytes).find(|(fourcc, _)| fourcc == wanted).and_then(|(_, payload)| payload).map(<[u8]>::to_vec)
}

/// The top-level chunks of a RIFF WebP file, each with its payload when the file holds all of
/// it. Stops at the first header that does not fit.
fn riff_chunks(bytes: &[u8]) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
    let mut at: usize = 12; // "RIFF", size, "WEBP"
    core::iter::from_fn(move || {
        let header = bytes.get(at..at.checked_add(8)?)?;
        let (fourcc, size) = header.split_at(4);
        let size = size.iter().rev().fold(0usize, |value, &byte| value << 8 | byte as usize);
        let start = at + 8;
        let payload = start.checked_add(size).and_then(|end| bytes.get(start..end));
        // Chunks are padded to an even length.
        at = start.saturating_add(size).saturating_add(size & 1);
        Some((fourcc, payload))
    })
}

/// The ICC profile of a PNG, inflated by us within `icc::MAX_ICC_PROFILE_BYTES`. The png crate
/// inflates `iCCP` while reading the header, bounded only by the decoding limit: a 300 KB file
/// made it allocate 300 MB. A profile that does not inflate within our bound refuses the image
/// (413) before the png crate sees it; one that fits inflates the same within it there too.
pub(super) fn png_icc_profile(bytes: &[u8]) -> Result<Option<Vec<u8>>, TransformError> {
    // `iCCP` must come before the image data.
    for (kind, data) in png_chunks(bytes) {
        match (kind, data) {
            (b"IDAT", _) | (_, None) => return Ok(None),
            (b"iCCP", Some(data)) => {
                // A name of 1 to 79 bytes, a NUL, the compression method, the zlib stream.
                let Some(stream) = data.iter().position(|&byte| byte == 0).and_then(|name| data.get(name + 2..)) else {
                    return Ok(None);
                };
                return match fdeflate::decompress_to_vec_bounded(stream, icc::MAX_ICC_PROFILE_BYTES) {
                    Ok(profile) => Ok(Some(profile)),
                    Err(fdeflate::BoundedDecompressionError::OutputTooLarge { .. }) => Err(TransformError::new(
                        ErrorKind::TooLarge,
                        format!("the PNG's ICC profile inflates past {} bytes", icc::MAX_ICC_PROFILE_BYTES),
                    )),
                    // The png crate stops at the same error, having inflated no more than we did.
                    Err(_) => Ok(None),
                };
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The frames of an animated PNG (APNG): its `fcTL` (frame control) chunks, when an `acTL`
/// (animation control) chunk comes before the image data; 1 for a still PNG.
pub(super) fn png_frames(bytes: &[u8]) -> u64 {
    let mut animated = false;
    let mut frames = 0;
    for (kind, _) in png_chunks(bytes) {
        match kind {
            b"acTL" => animated = true,
            b"IDAT" if !animated => return 1,
            b"fcTL" => frames += 1,
            _ => {}
        }
    }
    if animated {
        frames
    } else {
        1
    }
}

/// The chunks of a PNG file (after its signature): type, and data when the file holds all of it.
/// Stops after the first chunk that does not fit.
fn png_chunks(bytes: &[u8]) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
    let mut at: Option<usize> = Some(8); // the signature
    core::iter::from_fn(move || {
        // Chunks: length, type, data, CRC.
        let start = at?;
        let header = bytes.get(start..start.checked_add(8)?)?;
        let (length, kind) = header.split_at(4);
        let length = length.iter().fold(0usize, |value, &byte| value << 8 | byte as usize);
        let data = (start + 8).checked_add(length).and_then(|end| bytes.get(start + 8..end));
        at = data.and_then(|_| start.checked_add(12)?.checked_add(length));
        Some((kind, data))
    })
}

/// Whether a PNG stores its rows interlaced (Adam7), from its header.
pub(super) fn png_interlaced(bytes: &[u8]) -> bool {
    // Signature (8), IHDR length and type (8), width, height, depth, colour, compression, filter,
    // then the interlace method.
    bytes.get(12..16) == Some(b"IHDR") && bytes.get(28) == Some(&1)
}
