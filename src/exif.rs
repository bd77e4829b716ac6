//! The little of EXIF the pipeline needs: the orientation tag, and the metadata `metadata=keep`
//! and `metadata=copyright` carry into JPEG output. Only IFD0 (the main image's directory) is
//! read; every offset is bounds-checked, so a malformed block reads as absent tags.

/// EXIF tag numbers.
const ORIENTATION: u16 = 0x0112;
const COPYRIGHT: u16 = 0x8298;
/// TIFF field types.
const ASCII: u16 = 2;
const SHORT: u16 = 3;
/// Bytes of one IFD entry: tag, type, count, value or offset.
const ENTRY_LEN: usize = 12;
/// The APP1 marker's payload limit, less its length field and the "Exif\0\0" header.
pub const MAX_JPEG_EXIF_LEN: usize = jpeg::encode::MAX_EXIF_LEN;

/// A TIFF-structured EXIF block.
pub struct Exif<'a> {
    data: &'a [u8],
    big_endian: bool,
}

/// One IFD0 entry: its tag, type, count, and where its 4-byte value field is.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value_at: usize,
}

impl<'a> Exif<'a> {
    /// Reads the TIFF header of `data`, with or without the "Exif\0\0" prefix some containers keep.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let data = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
        let big_endian = match data.get(..4)? {
            b"II*\0" => false,
            b"MM\0*" => true,
            _ => return None,
        };
        Some(Exif { data, big_endian })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let bytes: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian { u16::from_be_bytes(bytes) } else { u16::from_le_bytes(bytes) })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let bytes: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) })
    }

    fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        let ifd = self.u32_at(4).map_or(usize::MAX, |offset| offset as usize);
        let count = self.u16_at(ifd).unwrap_or(0) as usize;
        (0..count).map_while(move |i| {
            let at = ifd.checked_add(2 + i * ENTRY_LEN)?;
            Some(Entry {
                tag: self.u16_at(at)?,
                kind: self.u16_at(at + 2)?,
                count: self.u32_at(at + 4)?,
                value_at: at + 8,
            })
        })
    }

    fn entry(&self, tag: u16) -> Option<Entry> {
        self.entries().find(|entry| entry.tag == tag)
    }

    /// The orientation tag (1..=8 when valid).
    pub fn orientation(&self) -> Option<u16> {
        let entry = self.entry(ORIENTATION).filter(|entry| entry.kind == SHORT)?;
        self.u16_at(entry.value_at)
    }

    /// The copyright notice's bytes, without the terminating NULs.
    pub fn copyright(&self) -> Option<&'a [u8]> {
        let entry = self.entry(COPYRIGHT).filter(|entry| entry.kind == ASCII)?;
        let len = entry.count as usize;
        let start = if len <= 4 { entry.value_at } else { self.u32_at(entry.value_at)? as usize };
        let text = self.data.get(start..start.checked_add(len)?)?;
        let text = text.split(|&byte| byte == 0).next().unwrap_or_default();
        (!text.is_empty()).then_some(text)
    }

    /// A copy with the orientation tag set to 1: the pixels were turned upright.
    pub fn upright(&self) -> Vec<u8> {
        let mut out = self.data.to_vec();
        if let Some(entry) = self.entry(ORIENTATION).filter(|entry| entry.kind == SHORT) {
            let one = if self.big_endian { 1u16.to_be_bytes() } else { 1u16.to_le_bytes() };
            if let Some(value) = out.get_mut(entry.value_at..entry.value_at + 2) {
                value.copy_from_slice(&one);
            }
        }
        out
    }
}

/// A minimal big-endian EXIF block holding only a copyright notice.
pub fn copyright_only(notice: &[u8]) -> Vec<u8> {
    let mut text = notice.to_vec();
    text.push(0);
    let count = u32::try_from(text.len()).unwrap_or(u32::MAX);
    // Header (8) + entry count (2) + one entry + next-IFD offset (4), then the text.
    let text_at: u32 = 8 + 2 + ENTRY_LEN as u32 + 4;
    let mut out = Vec::with_capacity(text_at as usize + text.len());
    out.extend_from_slice(b"MM\0*");
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&COPYRIGHT.to_be_bytes());
    out.extend_from_slice(&ASCII.to_be_bytes());
    out.extend_from_slice(&count.to_be_bytes());
    if text.len() <= 4 {
        text.resize(4, 0);
        out.extend_from_slice(&text);
        out.extend_from_slice(&0u32.to_be_bytes());
    } else {
        out.extend_from_slice(&text_at.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian block with an orientation and a copyright entry.
    fn sample(orientation: u16, copyright: &[u8]) -> Vec<u8> {
        let mut out = b"II*\0".to_vec();
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&ORIENTATION.to_le_bytes());
        out.extend_from_slice(&SHORT.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&[orientation as u8, 0, 0, 0]);
        out.extend_from_slice(&COPYRIGHT.to_le_bytes());
        out.extend_from_slice(&ASCII.to_le_bytes());
        out.extend_from_slice(&(copyright.len() as u32 + 1).to_le_bytes());
        out.extend_from_slice(&38u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(copyright);
        out.push(0);
        out
    }

    #[test]
    fn orientation_and_copyright_are_read() {
        let data = sample(6, b"(c) Someone");
        let exif = Exif::parse(&data).unwrap();
        assert_eq!(exif.orientation(), Some(6));
        assert_eq!(exif.copyright(), Some(&b"(c) Someone"[..]));
        let prefixed = [b"Exif\0\0".as_slice(), &data].concat();
        assert_eq!(Exif::parse(&prefixed).unwrap().orientation(), Some(6));
    }

    #[test]
    fn upright_copies_reset_the_orientation_only() {
        let data = sample(8, b"(c) Someone");
        let upright = Exif::parse(&data).unwrap().upright();
        let exif = Exif::parse(&upright).unwrap();
        assert_eq!(exif.orientation(), Some(1));
        assert_eq!(exif.copyright(), Some(&b"(c) Someone"[..]));
    }

    #[test]
    fn copyright_blocks_round_trip() {
        for notice in [&b"(c) A photographer, 2026"[..], b"ab"] {
            let block = copyright_only(notice);
            let exif = Exif::parse(&block).unwrap();
            assert_eq!(exif.copyright(), Some(notice));
            assert_eq!(exif.orientation(), None);
        }
    }

    #[test]
    fn malformed_blocks_read_as_absent_tags() {
        let data = sample(6, b"(c) Someone");
        for len in 0..data.len() {
            if let Some(exif) = Exif::parse(&data[..len]) {
                let _ = (exif.orientation(), exif.copyright(), exif.upright());
            }
        }
        let mut bad_offset = data.clone();
        bad_offset[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Exif::parse(&bad_offset).unwrap().orientation(), None);
        assert!(Exif::parse(b"JUNK").is_none());
    }
}
