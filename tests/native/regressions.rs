//! Inputs fuzzing once found a problem with, kept in `fixtures/fuzz/`, run through the pipeline
//! under the fuzz target's limits with a spread of options: each must give an image or an error,
//! within the decoding limits.

#[path = "../support/mod.rs"]
mod support;

use image_worker::config::Limits;
use image_worker::error::ErrorKind;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::Backend;

#[test]
fn fuzz_findings_are_refused_or_transformed() {
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_input_pixels: 4_000_000,
        max_output_dimension: 512,
        max_output_pixels: 65_536,
        max_avif_dimension: 64,
        max_working_bytes: 64 << 20,
    };
    let directory = support::fixtures_dir().join("fuzz");
    let mut files = 0;
    for entry in std::fs::read_dir(&directory).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for options in ["width=32", "width=20,rotate=90,blur=3", "format=json"] {
            let options = TransformOptions::from_path_segment(options, &limits).unwrap();
            if let Err(error) = transform(&bytes, &options, None, &limits, Backend::Scalar) {
                assert_ne!(error.kind, ErrorKind::Misconfigured, "{}: {}", path.display(), error.message);
            }
        }
        files += 1;
    }
    assert!(files > 0);
}

#[test]
fn a_gif_frame_far_beyond_its_canvas_is_refused_before_allocating() {
    // 30x60 canvas, a frame declared 57700x34273: 7.9 GB as RGBA, over the decoding limit.
    let bytes = support::fixture("fuzz/gif-frame-beyond-canvas.gif");
    let limits = Limits::default();
    let options = TransformOptions::from_path_segment("width=20", &limits).unwrap();
    let error = transform(&bytes, &options, None, &limits, Backend::Scalar).unwrap_err();
    assert_eq!(error.kind, ErrorKind::TooLarge, "{}", error.message);
}

#[test]
fn a_webp_metadata_chunk_declared_beyond_the_file_is_ignored() {
    // The EXIF chunk declares 2.7 GB; image-webp allocated that much before reading it.
    let bytes = support::fixture("fuzz/webp-exif-chunk-beyond-file.webp");
    let limits = Limits::default();
    let probe = image_worker::codec::probe(&bytes, &limits).unwrap();
    assert_eq!((probe.exif, probe.icc), (None, None));
    let options = TransformOptions::from_path_segment("width=20", &limits).unwrap();
    let out = transform(&bytes, &options, None, &limits, Backend::Scalar).unwrap();
    assert_eq!(out.size.width, 20);
}

#[test]
fn a_png_icc_profile_that_inflates_past_the_limit_is_refused_before_inflating() {
    // 2 KB of zlib inflating to 2 MiB; at 300 KB the same shape made the png crate allocate 300 MB.
    let bytes = support::fixture("fuzz/png-iccp-inflates-past-limit.png");
    let limits = Limits::default();
    let options = TransformOptions::from_path_segment("width=1", &limits).unwrap();
    let error = transform(&bytes, &options, None, &limits, Backend::Scalar).unwrap_err();
    assert_eq!((error.kind, error.status()), (ErrorKind::TooLarge, 413), "{}", error.message);
}
