//! Codec quality measurements, natively (encoders give the same bytes as in wasm).
//!
//! `codec-quality sweep DIR WIDTH`: every photo in DIR resized to WIDTH (at most its own width)
//! by our pipeline, then encoded by each encoder over its quality setting; prints one CSV line
//! per encode: photo,encoder,setting,bytes,ssimulacra2,psnr. The score compares each output,
//! decoded by an independent decoder, with the resized pixels it was made from, so it measures
//! the encoder alone. scripts/calibrate.sh turns the sweep into the quality mapping.

use std::path::{Path, PathBuf};
use std::process::Command;

use image_worker::codec::{self, EncodeSettings, WebpMode};
use image_worker::config::Limits;
use image_worker::format::OutputFormat;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::{Backend, Image, PixelLayout};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sweep") if args.len() == 4 => sweep(Path::new(&args[2]), args[3].parse().expect("WIDTH is a number")),
        Some("jpeg-tables") if args.len() == 4 || args.len() == 5 => jpeg_tables(
            Path::new(&args[2]),
            args[3].parse().expect("WIDTH is a number"),
            args.get(4).map(String::as_str),
        ),
        Some("score") if args.len() >= 4 => score(Path::new(&args[2]), &args[3..]),
        Some("reference") if args.len() == 6 => reference(
            Path::new(&args[2]),
            args[3].parse().expect("WIDTH is a number"),
            args[4].parse().expect("HEIGHT is a number"),
            Path::new(&args[5]),
        ),
        Some("decode") if args.len() == 4 => {
            let bytes = std::fs::read(&args[2]).unwrap();
            let probe = image::load_from_memory(&std::fs::read(&args[2]).unwrap()).map(|i| (i.width(), i.height()));
            let pixels = decode(&bytes);
            let (width, height) = dimensions_of(&bytes, &pixels, probe.ok());
            image::save_buffer(&args[3], &pixels, width, height, image::ExtendedColorType::Rgb8).unwrap();
        }
        _ => {
            eprintln!(
                "usage: codec-quality sweep DIR WIDTH | jpeg-tables DIR WIDTH [TABLE] | score REFERENCE.png IMAGE... \\
                 | reference SOURCE WIDTH HEIGHT OUT.png | decode IMAGE OUT.png"
            );
            std::process::exit(2);
        }
    }
}

/// Encoders and the settings each is swept over.
const JPEG_QUALITIES: &[u8] = &[30, 40, 50, 60, 70, 75, 80, 85, 90, 95];
const WEBP_QUALITIES: &[u8] = &[10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100];
const AVIF_QUALITIES: &[u8] = &[40, 50, 60, 65, 70, 75, 80, 84, 86, 88, 90, 92, 94, 96];

fn sweep(dir: &Path, width: usize) {
    each_photo(dir, width, |resized, row| {
        for &q in JPEG_QUALITIES {
            let settings = EncodeSettings { quality: q, exif: None };
            row("jpeg", q, codec::encode(resized, OutputFormat::Jpeg, &settings).unwrap());
            row("jpeg-encoder-default", q, jpeg_encoder_default(resized, q));
            row("libjpeg-turbo", q, vips_jpeg(resized, q));
        }
        for &q in WEBP_QUALITIES {
            row("webp", q, codec::encode_webp(resized, WebpMode::Lossy { quality: f32::from(q) }).unwrap());
        }
        for &q in AVIF_QUALITIES {
            row("avif", q, codec::encode_avif(resized, f32::from(q)).unwrap());
        }
    });
}

/// Runs `encode` on every photo in `dir` resized to `width`, and prints the CSV header once and a
/// line for every output it hands to its `row` (encoder, setting, bytes), scored against the
/// resized pixels.
fn each_photo(dir: &Path, width: usize, mut encode: impl FnMut(&Image, &dyn Fn(&str, u8, Vec<u8>))) {
    let mut photos: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("DIR is readable").map(|e| e.unwrap().path()).collect();
    photos.sort();
    println!("photo,encoder,setting,bytes,ssimulacra2,psnr");
    for path in photos {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let resized = resized_rgb(&path, width);
        let original = rgb_of(&resized);
        let row = |encoder: &str, setting: u8, bytes: Vec<u8>| {
            let (ssim2, psnr) = scores(&original, &decode(&bytes), resized.width, resized.height);
            println!("{name},{encoder},{setting},{},{ssim2:.3},{psnr:.3}", bytes.len());
        };
        encode(&resized, &row);
    }
}

/// Prints `file,bytes,ssimulacra2,psnr` for each image against the reference.
fn score(reference: &Path, images: &[String]) {
    let reference = image::open(reference).unwrap().to_rgb8();
    let (width, height) = (reference.width() as usize, reference.height() as usize);
    for file in images {
        let bytes = std::fs::read(file).unwrap();
        let (ssim2, psnr) = scores(reference.as_raw(), &decode(&bytes), width, height);
        println!("{file},{},{ssim2:.3},{psnr:.3}", bytes.len());
    }
}

/// Every quantization table set jpeg-encoder offers, with our other JPEG settings, against
/// libjpeg-turbo: the evidence for `quality::JPEG_TABLES`.
fn jpeg_tables(dir: &Path, width: usize, only: Option<&str>) {
    use jpeg_encoder::QuantizationTableType as Table;
    let tables = [
        ("annex-k", Table::Default),
        ("imagemagick", Table::ImageMagick),
        ("ms-ssim", Table::CustomMsSsim),
        ("psnr-hvs", Table::CustomPsnrHvs),
        ("klein", Table::KleinSilversteinCarney),
        ("watson", Table::DentalXRays),
        ("ahumada", Table::VisualDetectionModel),
        ("peterson", Table::ImprovedDetectionModel),
        ("flat", Table::Flat),
    ];
    each_photo(dir, width, |resized, row| {
        for &q in &[30u8, 40, 50, 60, 70, 75, 80, 85, 88, 90, 95] {
            row("libjpeg-turbo", q, vips_jpeg(resized, q));
            for (table_name, table) in tables.iter().filter(|(name, _)| only.is_none_or(|only| only == *name)) {
                let mut out = Vec::new();
                let mut encoder = jpeg_encoder::Encoder::new(&mut out, q);
                encoder.set_optimized_huffman_tables(true);
                encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
                encoder.set_quantization_tables(table.clone(), table.clone());
                encoder
                    .encode(&resized.pixels, resized.width as u16, resized.height as u16, jpeg_encoder::ColorType::Rgb)
                    .unwrap();
                row(table_name, q, out);
            }
        }
    });
}

/// The float reference: `source` decoded by the image crate, resized to `width`×`height` with
/// Lanczos3 in f32 (the image crate's resampler, independent of our fixed-point kernels).
fn reference(source: &Path, width: u32, height: u32, out: &Path) {
    let decoded = image::open(source).unwrap().to_rgb32f();
    let resized = image::imageops::resize(&decoded, width, height, image::imageops::FilterType::Lanczos3);
    image::DynamicImage::ImageRgb32F(resized).to_rgb8().save(out).unwrap();
}

/// The size of an encoded image whose pixels `decode` returned (AVIF is not read by the image
/// crate: its size comes from the `ispe` property).
fn dimensions_of(bytes: &[u8], pixels: &[u8], known: Option<(u32, u32)>) -> (u32, u32) {
    if let Some(size) = known {
        return size;
    }
    let at = bytes.windows(4).position(|window| window == b"ispe").expect("an AVIF ispe property") + 8;
    let number = |offset: usize| u32::from_be_bytes(bytes[offset..offset + 4].try_into().unwrap());
    let (width, height) = (number(at), number(at + 4));
    assert_eq!(pixels.len(), (width * height * 3) as usize);
    (width, height)
}

/// The photo resized by our pipeline (lossless PNG out), as RGB8.
fn resized_rgb(path: &Path, width: usize) -> Image {
    let source = std::fs::read(path).unwrap();
    let limits = Limits::default();
    let options =
        TransformOptions::from_path_segment(&format!("width={width},fit=scale-down,format=png"), &limits).unwrap();
    let png = transform(&source, &options, None, &limits, Backend::best()).unwrap().bytes;
    let rgb = image::load_from_memory(&png).unwrap().to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    Image { pixels: rgb.into_raw(), width: w, height: h, layout: PixelLayout::Rgb8 }
}

/// jpeg-encoder as the Worker used it before: Annex K tables, fixed Huffman tables, baseline,
/// point-sampled chroma.
fn jpeg_encoder_default(image: &Image, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// libjpeg-turbo through `vips jpegsave` at its defaults (Annex K tables, 4:2:0 below Q 90,
/// standard Huffman tables): what most CDNs send.
fn vips_jpeg(image: &Image, quality: u8) -> Vec<u8> {
    let dir = std::env::temp_dir();
    let (input, output) = (
        dir.join(format!("codec-quality-{}.png", std::process::id())),
        dir.join(format!("codec-quality-{}.jpg", std::process::id())),
    );
    image::save_buffer(&input, &image.pixels, image.width as u32, image.height as u32, image::ExtendedColorType::Rgb8)
        .unwrap();
    let run =
        Command::new("vips").arg("jpegsave").arg(&input).arg(&output).arg(format!("--Q={quality}")).output().unwrap();
    assert!(run.status.success(), "vips failed: {}", String::from_utf8_lossy(&run.stderr));
    std::fs::read(&output).unwrap()
}

/// Decodes JPEG with jpeg-decoder (zune-jpeg 0.5.15, the image crate's, misreads baseline files
/// with optimised Huffman tables that libjpeg-turbo and jpeg-decoder read alike), WebP with
/// image-webp, AVIF with libavif's `avifdec`.
fn decode(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut decoder = jpeg_decoder::Decoder::new(bytes);
        let pixels = decoder.decode().unwrap();
        return match decoder.info().unwrap().pixel_format {
            jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
            jpeg_decoder::PixelFormat::RGB24 => pixels,
            other => panic!("unexpected JPEG pixel format {other:?}"),
        };
    }
    if bytes.get(4..12) == Some(b"ftypavif") {
        let dir = std::env::temp_dir();
        let (input, output) = (
            dir.join(format!("codec-quality-{}.avif", std::process::id())),
            dir.join(format!("codec-quality-{}.png", std::process::id())),
        );
        std::fs::write(&input, bytes).unwrap();
        let status = Command::new("avifdec").arg(&input).arg(&output).output().unwrap();
        assert!(status.status.success(), "avifdec failed: {}", String::from_utf8_lossy(&status.stderr));
        return image::open(&output).unwrap().to_rgb8().into_raw();
    }
    image::load_from_memory(bytes).unwrap().to_rgb8().into_raw()
}

fn rgb_of(image: &Image) -> Vec<u8> {
    assert_eq!(image.layout, PixelLayout::Rgb8);
    image.pixels.clone()
}

/// SSIMULACRA2 and PSNR (dB, over all channels) of `distorted` against `reference`.
fn scores(reference: &[u8], distorted: &[u8], width: usize, height: usize) -> (f64, f64) {
    assert_eq!(reference.len(), distorted.len());
    let frame = |pixels: &[u8]| {
        let data = pixels.chunks_exact(3).map(|p| [p[0], p[1], p[2]].map(|c| f32::from(c) / 255.0)).collect();
        ssimulacra2::Rgb::new(
            data,
            width,
            height,
            ssimulacra2::TransferCharacteristic::SRGB,
            ssimulacra2::ColorPrimaries::BT709,
        )
        .unwrap()
    };
    let ssim2 = ssimulacra2::compute_frame_ssimulacra2(frame(reference), frame(distorted)).unwrap();
    let mse = reference.iter().zip(distorted).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum::<f64>()
        / reference.len() as f64;
    let psnr = if mse == 0.0 { 99.0 } else { 10.0 * (255.0 * 255.0 / mse).log10() };
    (ssim2, psnr)
}
