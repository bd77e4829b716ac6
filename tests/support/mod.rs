//! What every test suite shares: the paths of the bundled fixtures and of the optional corpus,
//! fixtures as bytes or decoded, and the pipeline run on a fixture with an options string.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod noise;

use std::path::{Path, PathBuf};

use image::DynamicImage;
use image_worker::config::Limits;
use image_worker::options::TransformOptions;
use image_worker::pipeline::{transform, Transformed};
use kernels::Backend;

/// `fixtures/`, the images committed with the tests.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `../shared/corpus/`, third-party images that may be present (tests must pass without them).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The bytes of `fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// `fixtures/<name>`, decoded by the image crate (independently of our decoders).
pub fn fixture_image(name: &str) -> DynamicImage {
    image::load_from_memory(&fixture(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The pipeline's output for `source` with `options` in the URL grammar, default limits, scalar
/// kernels (the specification).
pub fn transformed(source: &[u8], options: &str) -> Transformed {
    let limits = Limits::default();
    let options = TransformOptions::from_path_segment(options, &limits).unwrap();
    transform(source, &options, None, &limits, Backend::Scalar).unwrap()
}

/// As [`transformed`], decoded.
pub fn run(source: &[u8], options: &str) -> DynamicImage {
    image::load_from_memory(&transformed(source, options).bytes).unwrap()
}
