//! Codec quality measurements, natively (encoders give the same bytes as in wasm).
//!
//! `codec-quality sweep DIR WIDTH`: every photo in DIR resized to WIDTH (at most its own width)
//! by our pipeline, then encoded by each encoder over its quality setting; prints one CSV line
//! per encode: photo,encoder,setting,bytes,ssimulacra2,psnr. The score compares each output,
//! decoded by an independent decoder, with the resized pixels it was made from, so it measures
//! the encoder alone. ENCODERS (comma-separated, e.g. `libjpeg-turbo,avif-420,avif-444`) limits
//! the sweep to those.
//!
//! `codec-quality calibrate SWEEP.csv`: the quality mapping from a sweep: for each of our quality
//! points, each encoder's setting at which its mean SSIMULACRA2 over the photos equals
//! libjpeg-turbo's at that quality (linear between the swept settings), and the encoder's bytes
//! there against libjpeg-turbo's (geometric means over the photos).
//!
//! `codec-quality avif-settings DIR WIDTH`: our AVIF settings against the alternatives to each
//! choice: per alternative, the bytes at libjpeg-turbo q85's SSIMULACRA2 (photo by photo, between
//! swept quantizers), as a geometric mean of the ratio to libjpeg-turbo's, and the mean encode time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use image_worker::codec::{self, AvifSettings, EncodeSettings, WebpMode};
use image_worker::config::Limits;
use image_worker::format::OutputFormat;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::{Backend, Image, PixelLayout};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sweep") if args.len() == 4 || args.len() == 5 => sweep(
            Path::new(&args[2]),
            args[3].parse().expect("WIDTH is a number"),
            args.get(4).map(|only| only.split(',').collect()),
        ),
        Some("calibrate") if args.len() == 3 => calibrate(Path::new(&args[2])),
        Some("avif-settings") if args.len() == 4 => {
            avif_settings(Path::new(&args[2]), args[3].parse().expect("WIDTH is a number"))
        }
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
                "usage: codec-quality sweep DIR WIDTH [ENCODERS] | calibrate SWEEP.csv | avif-settings DIR WIDTH \\
                 | jpeg-tables DIR WIDTH [TABLE] | score REFERENCE.png IMAGE... \\
                 | reference SOURCE WIDTH HEIGHT OUT.png | decode IMAGE OUT.png"
            );
            std::process::exit(2);
        }
    }
}

/// Encoders and the settings each is swept over.
const JPEG_QUALITIES: &[u8] = &[30, 40, 50, 60, 70, 75, 80, 85, 90, 95];
const WEBP_QUALITIES: &[u8] = &[10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100];
const AVIF_QUANTIZERS: &[u8] = &[20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 140, 160, 180, 200, 220];

fn sweep(dir: &Path, width: usize, only: Option<Vec<&str>>) {
    let wanted = |encoder: &str| only.as_ref().is_none_or(|only| only.contains(&encoder));
    each_photo(dir, width, |resized, row| {
        for &q in JPEG_QUALITIES {
            let settings = EncodeSettings { quality: q, exif: None, avif_allowance: u64::MAX };
            if wanted("jpeg") {
                row("jpeg", q, codec::encode(resized, OutputFormat::Jpeg, &settings).unwrap());
            }
            if wanted("jpeg-encoder-default") {
                row("jpeg-encoder-default", q, jpeg_encoder_default(resized, q));
            }
            if wanted("libjpeg-turbo") {
                row("libjpeg-turbo", q, vips_jpeg(resized, q));
            }
        }
        if wanted("webp") {
            for &q in WEBP_QUALITIES {
                row("webp", q, codec::encode_webp(resized, WebpMode::Lossy { quality: f32::from(q) }).unwrap());
            }
        }
        for (encoder, chroma_420) in [("avif-420", true), ("avif-444", false)] {
            if wanted(encoder) {
                for &quantizer in AVIF_QUANTIZERS {
                    row(
                        encoder,
                        quantizer,
                        codec::encode_avif(resized, AvifSettings { quantizer, chroma_420 }, u64::MAX).unwrap(),
                    );
                }
            }
        }
    });
}

/// Our quality points that the mapping in `src/codec/quality.rs` is read at.
const CALIBRATION_POINTS: &[u8] = &[30, 40, 50, 60, 70, 75, 80, 85, 90];

fn calibrate(csv: &Path) {
    // (encoder, setting) -> each photo's (score, ln bytes).
    let mut results: BTreeMap<(String, u8), Vec<(f64, f64)>> = BTreeMap::new();
    for line in std::fs::read_to_string(csv).expect("SWEEP.csv is readable").lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (encoder, setting) = (fields[1].to_owned(), fields[2].parse().unwrap());
        let (bytes, ssim2): (f64, f64) = (fields[3].parse().unwrap(), fields[4].parse().unwrap());
        results.entry((encoder, setting)).or_default().push((ssim2, bytes.ln()));
    }
    // Per encoder, per setting: the photos' mean score and mean ln bytes.
    let mut curves: BTreeMap<&str, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for ((encoder, setting), photos) in &results {
        let count = photos.len() as f64;
        let (score, log_bytes) = photos.iter().fold((0.0, 0.0), |(s, b), (score, bytes)| (s + score, b + bytes));
        curves.entry(encoder).or_default().push((f64::from(*setting), score / count, log_bytes / count));
    }
    let reference = curves.remove("libjpeg-turbo").expect("the sweep has libjpeg-turbo");
    println!(
        "quality,libjpeg-turbo ssimulacra2,{}",
        curves.keys().map(|e| format!("{e},bytes")).collect::<Vec<_>>().join(",")
    );
    for &quality in CALIBRATION_POINTS {
        let Some(&(_, target, reference_bytes)) = reference.iter().find(|(setting, ..)| *setting == f64::from(quality))
        else {
            continue;
        };
        let columns: Vec<String> = curves
            .values()
            .map(|curve| {
                let settings: Vec<(f64, f64)> = curve.iter().map(|&(setting, score, _)| (setting, score)).collect();
                let bytes: Vec<(f64, f64)> = curve.iter().map(|&(_, score, bytes)| (bytes, score)).collect();
                match (setting_at(&settings, target), setting_at(&bytes, target)) {
                    (Some(setting), Some(bytes)) => format!("{setting:.1},{:.3}x", (bytes - reference_bytes).exp()),
                    _ => "-,-".to_owned(),
                }
            })
            .collect();
        println!("{quality},{target:.2},{}", columns.join(","));
    }
}

/// The setting at which `curve` (setting, mean score) reaches `target`, linear between points;
/// the score may rise or fall with the setting.
fn setting_at(curve: &[(f64, f64)], target: f64) -> Option<f64> {
    curve.windows(2).find_map(|pair| {
        let [(s0, v0), (s1, v1)] = [pair[0], pair[1]];
        ((v0 - target) * (v1 - target) <= 0.0 && v0 != v1).then(|| s0 + (s1 - s0) * (target - v0) / (v1 - v0))
    })
}

/// An AVIF setting to measure: its name, whether chroma is 4:2:0, and the change to our rav1e
/// configuration.
type AvifAlternative = (&'static str, bool, fn(&mut rav1e::prelude::EncoderConfig));

/// Our AVIF settings at the default quality (85: 4:2:0) and one alternative to each choice in
/// `src/codec/avif.rs`, and ravif's settings as the Worker used them before.
fn avif_alternatives() -> Vec<AvifAlternative> {
    use rav1e::prelude::{BlockSize, PartitionRange, Tune};
    vec![
        ("ours (4:2:0)", true, |_| {}),
        ("4:4:4", false, |_| {}),
        ("PSNR tuning (no activity masking)", true, |config| config.tune = Tune::Psnr),
        ("fine intra angles", true, |config| config.speed_settings.prediction.fine_directional_intra = true),
        ("estimated coefficient rates", true, |config| config.speed_settings.transform.tx_domain_rate = true),
        ("16x16 blocks", true, |config| {
            config.speed_settings.partition.partition_range =
                PartitionRange::new(BlockSize::BLOCK_16X16, BlockSize::BLOCK_16X16)
        }),
        ("8x8 and 16x16 blocks", true, |config| {
            config.speed_settings.partition.partition_range =
                PartitionRange::new(BlockSize::BLOCK_8X8, BlockSize::BLOCK_16X16)
        }),
        ("CDEF", true, |config| config.speed_settings.cdef = true),
        ("ravif 0.13 at speed 10, 4:4:4 (before 2026-12-01)", false, |config| {
            config.speed_settings.partition.partition_range =
                PartitionRange::new(BlockSize::BLOCK_16X16, BlockSize::BLOCK_16X16);
            config.speed_settings.transform.tx_domain_rate = true;
        }),
    ]
}

const PROBE_QUANTIZERS: &[u8] = &[50, 75, 100, 125, 150];

fn avif_settings(dir: &Path, width: usize) {
    let alternatives = avif_alternatives();
    // Per alternative: per photo, ln(bytes / libjpeg-turbo's) at its SSIMULACRA2; encode times.
    let mut log_ratios = vec![Vec::new(); alternatives.len()];
    let mut times = vec![Vec::new(); alternatives.len()];
    for path in photos(dir) {
        let resized = resized_rgb(&path, width);
        let original = rgb_of(&resized);
        let score = |bytes: &[u8]| scores(&original, &decode(bytes), resized.width, resized.height).0;
        let reference = vips_jpeg(&resized, 85);
        let target = score(&reference);
        for (index, (name, chroma_420, adjust)) in alternatives.iter().enumerate() {
            let mut curve = Vec::new();
            for &quantizer in PROBE_QUANTIZERS {
                let start = std::time::Instant::now();
                let avif = codec::encode_avif_with(
                    &resized,
                    AvifSettings { quantizer, chroma_420: *chroma_420 },
                    u64::MAX,
                    adjust,
                )
                .unwrap();
                times[index].push(start.elapsed().as_secs_f64() * 1000.0);
                curve.push(((avif.len() as f64).ln(), score(&avif)));
            }
            // Bytes rise as the score does: read ln(bytes) off at the target score.
            match setting_at(&curve, target) {
                Some(log_bytes) => log_ratios[index].push(log_bytes - (reference.len() as f64).ln()),
                None => eprintln!("{}: {name} does not reach SSIMULACRA2 {target:.1}", path.display()),
            }
        }
    }
    println!("# AVIF settings\n");
    println!(
        "Generated by `codec-quality avif-settings {} {width}` (benches/quality), natively, one thread. Each photo \
         resized to {width} px by our pipeline, encoded by `codec::encode_avif_with` at rav1e quantizers \
         {PROBE_QUANTIZERS:?} with one setting changed from ours (`src/codec/avif.rs`); its bytes at \
         libjpeg-turbo q85's SSIMULACRA2 on the same photo are read off between quantizers, and given as a \
         geometric mean of the ratio to libjpeg-turbo's bytes. Encode times are native means \
         over every encode: they rank the choices, but V8's ratios differ (`node benches/ab.mjs avif` \
         times two builds there; benches/results/codecs.md has V8's times). Not a rav1e setting, so not \
         in the table: 4:2:0 chroma from each block's mean light rather than the mean of its gamma-encoded \
         chroma saves 2.2% of the bytes (0.674x → 0.659x, with psychovisual tuning).\n",
        dir.display()
    );
    println!("| settings | photos | bytes at libjpeg-turbo q85's SSIMULACRA2 | encode ms (mean) |");
    println!("|---|--:|--:|--:|");
    for (index, (name, ..)) in alternatives.iter().enumerate() {
        let (ratios, ms) = (&log_ratios[index], &times[index]);
        let bytes = (ratios.iter().sum::<f64>() / ratios.len() as f64).exp();
        println!("| {name} | {} | {bytes:.3}x | {:.0} |", ratios.len(), ms.iter().sum::<f64>() / ms.len() as f64);
    }
}

/// The photos in `dir`, sorted.
fn photos(dir: &Path) -> Vec<PathBuf> {
    let mut photos: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("DIR is readable").map(|e| e.unwrap().path()).collect();
    photos.sort();
    photos
}

/// Runs `encode` on every photo in `dir` resized to `width`, and prints the CSV header once and a
/// line for every output it hands to its `row` (encoder, setting, bytes), scored against the
/// resized pixels.
fn each_photo(dir: &Path, width: usize, mut encode: impl FnMut(&Image, &dyn Fn(&str, u8, Vec<u8>))) {
    println!("photo,encoder,setting,bytes,ssimulacra2,psnr");
    for path in photos(dir) {
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
