//! Each operation on real fixtures against an independent reference: moves of pixels (rotate,
//! flip, trim, EXIF orientation) exactly, or within a stated tolerance where lossy coding sits
//! between the two.

use image::{imageops, DynamicImage, RgbImage};
use image_worker::config::Limits;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::Backend;

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn run(source: &[u8], options: &str) -> DynamicImage {
    let limits = Limits::default();
    let options = TransformOptions::from_path_segment(options, &limits).unwrap();
    let out = transform(source, &options, None, &limits, Backend::Scalar).unwrap();
    image::load_from_memory(&out.bytes).unwrap()
}

fn mean_abs_difference(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| x.abs_diff(y) as u64).sum();
    total as f64 / a.as_raw().len() as f64
}

#[test]
fn every_exif_orientation_gives_the_same_upright_image() {
    // Pillow's hopper test images: one picture stored with orientations 2..=8, in JPEG and WebP.
    // Each was encoded separately after its transformation, so they agree only up to coding noise.
    let reference = run(&fixture_bytes("orientation/hopper_orientation_2.jpg"), "format=png").to_rgb8();
    // Orientation 2 is stored mirrored; the image crate (another JPEG decoder) does not turn it.
    let stored = image::load_from_memory(&fixture_bytes("orientation/hopper_orientation_2.jpg")).unwrap().to_rgb8();
    let difference = mean_abs_difference(&reference, &imageops::flip_horizontal(&stored));
    assert!(difference < 1.0, "orientation 2 is a mirror: mean difference {difference:.2}");
    for extension in ["jpg", "webp"] {
        for orientation in 2..=8 {
            let name = format!("orientation/hopper_orientation_{orientation}.{extension}");
            let upright = run(&fixture_bytes(&name), "format=png").to_rgb8();
            let difference = mean_abs_difference(&upright, &reference);
            // Measured: 0-3.9 for the JPEGs, 5.7 for the lossy WebPs; a wrong turn scores about 80.
            assert!(difference < 8.0, "{name}: mean difference {difference:.2} from the upright reference");
        }
    }
}

#[test]
fn rotations_and_flips_match_the_image_crate_exactly() {
    let source = fixture_bytes("chelsea.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let cases: [(&str, RgbImage); 6] = [
        ("rotate=90", imageops::rotate90(&original)),
        ("rotate=180", imageops::rotate180(&original)),
        ("rotate=270", imageops::rotate270(&original)),
        ("flip=h", imageops::flip_horizontal(&original)),
        ("flip=v", imageops::flip_vertical(&original)),
        // Flip first, then rotate, as Cloudflare orders them.
        ("flip=h,rotate=90", imageops::rotate90(&imageops::flip_horizontal(&original))),
    ];
    for (options, expected) in cases {
        let out = run(&source, &format!("{options},format=png")).to_rgb8();
        assert!(out == expected, "{options}");
    }
}

#[test]
fn trims_cut_exactly_before_rotation() {
    let source = fixture_bytes("chelsea.png");
    let original = image::load_from_memory(&source).unwrap().to_rgb8();
    let (width, height) = original.dimensions();
    let out = run(&source, "trim=10;20;30;40,rotate=90,format=png").to_rgb8();
    let cut = imageops::crop_imm(&original, 40, 10, width - 60, height - 40).to_image();
    assert!(out == imageops::rotate90(&cut));
    let corner = run(&source, "trim.left=5,trim.top=6,trim.width=100,trim.height=50,format=png").to_rgb8();
    assert!(corner == imageops::crop_imm(&original, 5, 6, 100, 50).to_image());
}
