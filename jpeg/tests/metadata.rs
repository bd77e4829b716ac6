//! Metadata from the headers: the Exif segment and the ICC profile's APP2 chunks (joined in
//! sequence order, whatever order they come in), on a fixture with such segments inserted.

use std::path::Path;

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).unwrap();
    [&[0xFF, marker][..], &length.to_be_bytes(), payload].concat()
}

fn icc_chunk(sequence: u8, count: u8, data: &[u8]) -> Vec<u8> {
    segment(0xE2, &[&b"ICC_PROFILE\0"[..], &[sequence, count], data].concat())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name)).unwrap()
}

/// `fixtures/retina.jpg` (which has neither) with `segments` after its SOI marker.
fn with_segments(segments: &[Vec<u8>]) -> Vec<u8> {
    let original = fixture("retina.jpg");
    [&original[..2], &segments.concat(), &original[2..]].concat()
}

#[test]
fn a_one_chunk_profile_is_read() {
    // rocket.jpg holds a 560-byte profile in one chunk; a profile starts with its own size.
    let profile = jpeg::read_info(&fixture("rocket.jpg")).unwrap().icc_profile(1 << 20).unwrap();
    assert_eq!(profile.len(), 560);
    assert_eq!(u32::from_be_bytes(profile[..4].try_into().unwrap()), 560);
}

#[test]
fn exif_and_icc_chunks_are_found() {
    let tiff = b"MM\0*\0\0\0\x08 exif data";
    let data = with_segments(&[
        segment(0xE1, &[&b"Exif\0\0"[..], tiff].concat()),
        icc_chunk(2, 2, b" second"),
        segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<xmp/>"),
        icc_chunk(1, 2, b"first"),
    ]);
    let info = jpeg::read_info(&data).unwrap();
    assert_eq!(info.exif, Some(&tiff[..]));
    assert_eq!(info.icc_profile(1 << 20).as_deref(), Some(&b"first second"[..]));
    assert_eq!(info.icc_profile(11), None, "over the size allowed");
    // The segments change nothing else.
    let plain = fixture("retina.jpg");
    let backend = kernels::Backend::best();
    assert!(jpeg::decode(&data, 1, u64::MAX, backend).unwrap() == jpeg::decode(&plain, 1, u64::MAX, backend).unwrap());
}

#[test]
fn broken_icc_chunk_sequences_give_no_profile() {
    for chunks in [
        vec![icc_chunk(1, 2, b"a")],                        // one missing
        vec![icc_chunk(1, 2, b"a"), icc_chunk(1, 2, b"b")], // repeated
        vec![icc_chunk(0, 1, b"a")],                        // numbered from 0
        vec![icc_chunk(1, 1, b"a"), icc_chunk(2, 2, b"b")], // counts disagree
    ] {
        let data = with_segments(&chunks);
        assert_eq!(jpeg::read_info(&data).unwrap().icc_profile(1 << 20), None);
    }
    assert_eq!(jpeg::read_info(&with_segments(&[])).unwrap().exif, None);
}
