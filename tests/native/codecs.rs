//! Every output format read back by a decoder independent of our encoders: libjpeg-turbo's
//! `djpeg`, libwebp's `dwebp` and `webpmux`, libavif's `avifdec` (scripts/setup.sh installs them),
//! the image crate for PNG and GIF. And the quality scale: at the default quality, WebP and AVIF
//! stay within [`CALIBRATION_BAND`] SSIMULACRA2 points of JPEG. And CMYK JPEG sources, shown
//! through their profile as Little CMS (`jpgicc`, `transicc`) shows them.

#[path = "../support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::Command;

use image::{DynamicImage, GenericImageView, RgbaImage};
use image_worker::config::Limits;
use image_worker::options::TransformOptions;
use image_worker::pipeline::transform;
use kernels::Backend;
use support::{fixture, transformed};

/// A scratch file for the command-line decoders, unique per test thread.
fn scratch(name: &str) -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id()).replace(|c: char| !c.is_ascii_alphanumeric(), "");
    std::env::temp_dir().join(format!("image-worker-codecs-{}-{thread}-{name}", std::process::id()))
}

fn run_tool(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} is missing ({error}); scripts/setup.sh installs it"));
    assert!(output.status.success(), "{program} failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Decodes an encoded image with the independent decoder for its format.
fn decode_independently(bytes: &[u8]) -> DynamicImage {
    let input = scratch("input");
    std::fs::write(&input, bytes).unwrap();
    let decoded = if bytes.starts_with(&[0xFF, 0xD8]) {
        let output = scratch("output.pnm");
        run_tool("djpeg", &["-pnm".as_ref(), "-outfile".as_ref(), output.as_os_str(), input.as_os_str()]);
        read_pnm(&std::fs::read(&output).unwrap())
    } else if bytes.get(8..12) == Some(b"WEBP") {
        let output = scratch("output.png");
        run_tool("dwebp", &["-quiet".as_ref(), input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
        image::open(&output).unwrap()
    } else if bytes.get(4..12) == Some(b"ftypavif") {
        let output = scratch("output.png");
        run_tool("avifdec", &[input.as_os_str(), output.as_os_str()]);
        image::open(&output).unwrap()
    } else {
        image::load_from_memory(bytes).unwrap()
    };
    decoded
}

/// Binary PGM/PPM with 8-bit samples, as djpeg writes them.
fn read_pnm(bytes: &[u8]) -> DynamicImage {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).into_owned();
    let fields: Vec<&str> = text.split_ascii_whitespace().take(4).collect();
    let (width, height): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert_eq!(fields[3], "255");
    let header = bytes.len() - (width * height) as usize * if fields[0] == "P5" { 1 } else { 3 };
    let pixels = bytes[header..].to_vec();
    match fields[0] {
        "P5" => DynamicImage::ImageLuma8(image::GrayImage::from_raw(width, height, pixels).unwrap()),
        "P6" => DynamicImage::ImageRgb8(image::RgbImage::from_raw(width, height, pixels).unwrap()),
        other => panic!("unexpected PNM type {other}"),
    }
}

/// PSNR in dB between two images of the same size, over premultiplied RGBA (the colour of a
/// transparent pixel is free: encoders may change it).
fn psnr(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let premultiplied = |pixel: &image::Rgba<u8>| {
        let alpha = f64::from(pixel.0[3]) / 255.0;
        [
            f64::from(pixel.0[0]) * alpha,
            f64::from(pixel.0[1]) * alpha,
            f64::from(pixel.0[2]) * alpha,
            f64::from(pixel.0[3]),
        ]
    };
    let squares: f64 = a
        .pixels()
        .zip(b.pixels())
        .flat_map(|(x, y)| premultiplied(x).into_iter().zip(premultiplied(y)).map(|(p, q)| (p - q).powi(2)))
        .sum();
    let mse = squares / a.as_raw().len() as f64;
    if mse == 0.0 {
        99.0
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

#[test]
fn every_output_format_decodes_independently_to_the_right_size_and_alpha() {
    // (fixture, whether it has alpha)
    for (name, has_alpha) in [("rocket.jpg", false), ("transparent.webp", true), ("chelsea.png", false)] {
        let source = fixture(name);
        let reference = support::run(&source, "width=120,format=png").to_rgba8();
        for format in ["jpeg", "png", "webp", "avif", "gif"] {
            let out = transformed(&source, &format!("width=120,format={format}"));
            let decoded = decode_independently(&out.bytes);
            let context = format!("{name} as {format}");
            assert_eq!(decoded.dimensions(), reference.dimensions(), "{context}");
            let keeps_alpha = format != "jpeg";
            let translucent = decoded.to_rgba8().pixels().any(|pixel| pixel.0[3] < 255);
            assert_eq!(translucent, has_alpha && keeps_alpha, "{context}: alpha");
            if has_alpha && !keeps_alpha {
                continue; // flattened onto white: nothing to compare with the transparent reference
            }
            let floor = if format == "gif" { 20.0 } else { 30.0 };
            let quality = psnr(&decoded.to_rgba8(), &reference);
            assert!(quality >= floor, "{context}: {quality:.1} dB against the lossless output");
        }
    }
}

/// Quality 100 is lossless AV1, which rav1e codes in tiles past a size (each tile's symbols are
/// held until it ends; src/codec/avif.rs): 400x266 takes two. Another decoder reads them back to
/// the pixels, up to the 10-bit YCbCr round trip.
#[test]
fn lossless_avif_in_tiles_decodes_independently_to_the_pixels() {
    let source = fixture("chelsea.png");
    let reference = support::run(&source, "width=400,format=png").to_rgba8();
    let out = transformed(&source, "width=400,format=avif,quality=100");
    let decoded = decode_independently(&out.bytes).to_rgba8();
    assert_eq!(decoded.dimensions(), (400, 266));
    let quality = psnr(&decoded, &reference);
    assert!(quality >= 45.0, "{quality:.1} dB against the PNG output");
}

#[test]
fn grey_sources_encode_in_every_format() {
    let grey = image::GrayImage::from_fn(40, 30, |x, y| image::Luma([(x * 6 + y) as u8]));
    let mut png = Vec::new();
    DynamicImage::ImageLuma8(grey.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    for format in ["jpeg", "png", "webp", "avif", "gif"] {
        let decoded = decode_independently(&transformed(&png, &format!("format={format}")).bytes);
        assert_eq!(decoded.dimensions(), (40, 30), "{format}");
        let as_rgba = |image: &DynamicImage| DynamicImage::ImageLuma8(image.to_luma8()).to_rgba8();
        let quality = psnr(&as_rgba(&decoded), &as_rgba(&DynamicImage::ImageLuma8(grey.clone())));
        assert!(quality >= 30.0, "{format}: {quality:.1} dB");
    }
}

#[test]
fn flat_graphics_are_lossless_webp_and_photos_lossy() {
    let flat = RgbaImage::from_fn(64, 64, |x, y| {
        if (x / 8 + y / 8) % 2 == 0 {
            image::Rgba([200, 30, 30, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(flat.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let webp = transformed(&png, "format=webp").bytes;
    assert_eq!(&webp[12..16], b"VP8L", "few colours: lossless");
    assert_eq!(decode_independently(&webp).to_rgba8(), flat);
    let photo = transformed(&fixture("rocket.jpg"), "width=200,format=webp").bytes;
    assert_eq!(&photo[12..16], b"VP8 ", "a photo: lossy");
    let translucent = transformed(&fixture("transparent.webp"), "width=100,format=webp").bytes;
    assert_eq!(&translucent[12..16], b"VP8X", "lossy with alpha is an extended file");
    assert!(translucent.windows(4).any(|chunk| chunk == b"ALPH"), "with an alpha chunk");
}

#[test]
fn animations_become_animated_webp_for_clients_that_take_webp() {
    let limits = Limits::default();
    let options = TransformOptions::from_path_segment("width=50,format=auto", &limits).unwrap();
    let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    let out = transform(&fixture("fire.gif"), &options, Some(chrome), &limits, Backend::Scalar).unwrap();
    assert_eq!(out.content_type, "image/webp");
    assert!(out.negotiated);
    let file = scratch("animation.webp");
    std::fs::write(&file, &out.bytes).unwrap();
    let info = String::from_utf8(run_tool("webpmux", &["-info".as_ref(), file.as_os_str()]).stdout).unwrap();
    let frames: u32 = info
        .lines()
        .find_map(|line| line.strip_prefix("Number of frames:"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("no frame count in {info}"));
    let source_frames = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(fixture("fire.gif")))
        .map(|decoder| image::AnimationDecoder::into_frames(decoder).count())
        .unwrap();
    assert_eq!(frames as usize, source_frames);
    let old_browser =
        transform(&fixture("fire.gif"), &options, Some("image/png,*/*"), &limits, Backend::Scalar).unwrap();
    assert_eq!(old_browser.content_type, "image/gif");
}

/// A `frames`-frame APNG of 12×8 pixels, frame `i` a solid colour, each shown for 100 ms.
fn apng(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 12, 8);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_animated(frames, 0).unwrap();
        encoder.set_frame_delay(1, 10).unwrap();
        let mut writer = encoder.write_header().unwrap();
        for frame in 0..frames {
            let colour = [(frame * 80) as u8, 100, 200, 255];
            writer.write_image_data(&colour.repeat(12 * 8)).unwrap();
        }
        writer.finish().unwrap();
    }
    out
}

#[test]
fn animated_pngs_keep_their_animation() {
    let source = apng(3);
    let limits = Limits::default();
    let probe = image_worker::codec::probe(&source, &limits).unwrap();
    assert_eq!(probe.frames, 3);
    let gif = transformed(&source, "width=6");
    assert_eq!(gif.content_type, "image/gif");
    let frames: Vec<_> = image::AnimationDecoder::into_frames(
        image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&gif.bytes)).unwrap(),
    )
    .collect::<Result<_, _>>()
    .unwrap();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[2].buffer().dimensions(), (6, 4));
    assert_eq!(frames[2].buffer().get_pixel(3, 2).0, [160, 100, 200, 255]);
    let still = transformed(&source, "width=6,anim=false,format=png");
    assert_eq!(image::load_from_memory(&still.bytes).unwrap().to_rgba8().get_pixel(0, 0).0, [0, 100, 200, 255]);
}

/// How far, in SSIMULACRA2 points averaged over the photo fixtures, WebP and AVIF at the default
/// quality may be from JPEG at the same quality. The scale was calibrated on the corpus's means
/// (src/codec/quality.rs); single photos spread wider.
const CALIBRATION_BAND: f64 = 5.0;

fn ssimulacra2_of(reference: &image::RgbImage, distorted: &image::RgbImage) -> f64 {
    let frame = |image: &image::RgbImage| {
        let data = image.pixels().map(|p| p.0.map(|c| f32::from(c) / 255.0)).collect();
        ssimulacra2::Rgb::new(
            data,
            image.width() as usize,
            image.height() as usize,
            ssimulacra2::TransferCharacteristic::SRGB,
            ssimulacra2::ColorPrimaries::BT709,
        )
        .unwrap()
    };
    ssimulacra2::compute_frame_ssimulacra2(frame(reference), frame(distorted)).unwrap()
}

#[test]
fn the_default_quality_looks_the_same_in_every_lossy_format() {
    let mut totals = [0.0f64; 3];
    let photos = ["rocket.jpg", "chelsea.png", "coffee.png", "retina.jpg"];
    for name in photos {
        // The resized pixels, losslessly; each format then encodes exactly these.
        let resized = transformed(&fixture(name), "width=800,format=png").bytes;
        let reference = image::load_from_memory(&resized).unwrap().to_rgb8();
        for (total, format) in totals.iter_mut().zip(["jpeg", "webp", "avif"]) {
            let encoded = transformed(&resized, &format!("format={format}")).bytes;
            let score = ssimulacra2_of(&reference, &decode_independently(&encoded).to_rgb8());
            println!("{name} {format}: SSIMULACRA2 {score:.1}, {} bytes", encoded.len());
            *total += score;
        }
    }
    let [jpeg, webp, avif] = totals.map(|total| total / photos.len() as f64);
    println!("means: JPEG {jpeg:.1}, WebP {webp:.1}, AVIF {avif:.1}");
    assert!((webp - jpeg).abs() <= CALIBRATION_BAND, "WebP {webp:.1} against JPEG {jpeg:.1}");
    assert!((avif - jpeg).abs() <= CALIBRATION_BAND, "AVIF {avif:.1} against JPEG {jpeg:.1}");
}

/// A RIFF chunk: fourcc, little-endian size, payload, padding to an even length.
fn riff_chunk(fourcc: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut chunk = fourcc.to_vec();
    chunk.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    chunk.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

#[test]
fn a_one_frame_animated_webp_decodes_like_a_still_one() {
    // libwebp's still decoder refuses animation containers, even of one frame; libwebp's own
    // animation encoder writes a one-frame animation as a still file, so this one is built by hand
    // around a still frame's bitstream.
    let frame = image::RgbaImage::from_pixel(16, 8, image::Rgba([30, 60, 90, 255]));
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(frame).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let still = transformed(&png, "format=webp").bytes;
    let bitstream = &still[12..]; // the VP8L chunk, header included
    let side = |value: u32| value.to_le_bytes()[..3].to_vec();
    let vp8x = [vec![0x02, 0, 0, 0], side(15), side(7)].concat(); // animation flag, canvas 16x8
    let anim = [0u8, 0, 0, 0, 0, 0]; // background, loop forever
    let anmf = [side(0), side(0), side(15), side(7), side(100), vec![0], bitstream.to_vec()].concat();
    let body =
        [b"WEBP".to_vec(), riff_chunk(b"VP8X", &vp8x), riff_chunk(b"ANIM", &anim), riff_chunk(b"ANMF", &anmf)].concat();
    let animation = [b"RIFF".to_vec(), (body.len() as u32).to_le_bytes().to_vec(), body].concat();
    let decoded = support::run(&animation, "width=8,format=png").to_rgba8();
    assert_eq!(decoded.dimensions(), (8, 4));
    assert_eq!(decoded.get_pixel(4, 2).0, [30, 60, 90, 255]);
}

/// The CMYK fixture's profile and two files holding the same picture with it: the fixture, YCCK
/// as Little CMS's `jpgicc` separated it, and its ink re-encoded as plain CMYK, stored inverted as
/// the Adobe marker jpeg-encoder writes declares (Photoshop's convention: 255 is no ink).
fn cmyk_sources() -> (Vec<u8>, [(&'static str, Vec<u8>); 2]) {
    let ycck = fixture("cmyk-fogra39.jpg");
    let profile = jpeg::read_info(&ycck).unwrap().icc_profile(image_worker::icc::MAX_ICC_PROFILE_BYTES).unwrap();
    let mut decoder = jpeg::Decoder::new(&ycck, 1, u64::MAX, Backend::Scalar).unwrap();
    decoder.keep_cmyk();
    let (width, height) = (decoder.width(), decoder.height());
    let mut ink = vec![0; width * height * 4];
    decoder.read_rows(&mut ink).unwrap();
    let stored: Vec<u8> = ink.iter().map(|&amount| 255 - amount).collect();
    let mut cmyk = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut cmyk, 95);
    encoder.add_icc_profile(&profile).unwrap();
    encoder.encode(&stored, width as u16, height as u16, jpeg_encoder::ColorType::Cmyk).unwrap();
    (profile, [("YCCK", ycck), ("CMYK", cmyk)])
}

/// Little CMS's rendering intent to compare with: relative colorimetric, since its perceptual
/// intent adds black point compensation to v2 profiles, which moxcms (and Chrome's skcms) do not.
const LCMS_INTENT: &str = "-t1";

/// Each pixel's colour, channels from 0 to 255.
fn colours(image: &RgbaImage) -> Vec<[f64; 3]> {
    image.pixels().map(|pixel| [0, 1, 2].map(|channel| f64::from(pixel.0[channel]))).collect()
}

#[test]
fn cmyk_jpegs_are_shown_through_their_profile_as_little_cms_shows_them() {
    let (_, sources) = cmyk_sources();
    for (kind, source) in sources {
        let ours = support::run(&source, "format=png").to_rgba8();
        // Little CMS's jpgicc applies the embedded profile (to a JPEG: at q100 its loss is small).
        let (input, output) = (scratch("cmyk.jpg"), scratch("cmyk-srgb.jpg"));
        std::fs::write(&input, &source).unwrap();
        run_tool("jpgicc", &[LCMS_INTENT.as_ref(), "-q100".as_ref(), input.as_os_str(), output.as_os_str()]);
        let reference = decode_independently(&std::fs::read(&output).unwrap()).to_rgba8();
        // The conversion without a profile, for contrast.
        let naive = jpeg::decode(&source, 1, u64::MAX, Backend::Scalar).unwrap();
        let naive =
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(naive.width, naive.height, naive.pixels).unwrap())
                .to_rgba8();
        let (with_profile, _) = colour_differences(&colours(&ours), &colours(&reference));
        let (without, _) = colour_differences(&colours(&naive), &colours(&reference));
        let (with_db, without_db) = (psnr(&ours, &reference), psnr(&naive, &reference));
        println!("{kind}: ΔE {with_profile:.2} on average from jpgicc ({with_db:.1} dB), {without:.2} without the profile ({without_db:.1} dB)");
        assert!(
            with_profile <= 1.5 && without >= 4.0,
            "{kind}: ΔE {with_profile:.2} with its profile, {without:.2} without"
        );
    }
}

#[test]
fn the_cmyk_conversion_matches_little_cms_on_a_grid_of_inks() {
    let (profile, _) = cmyk_sources();
    let levels = [0u8, 32, 64, 96, 128, 160, 192, 224, 255];
    // Every combination of the levels: C, M, Y, K are the digits of `i` in base `levels.len()`.
    let places = [1, 9, 81, 729];
    let inks: Vec<u8> =
        (0..levels.len().pow(4)).flat_map(|i| places.map(|place| levels[i / place % levels.len()])).collect();
    let mut ours = vec![0; inks.len() / 4 * 3];
    assert!(image_worker::icc::ToSrgb::from_cmyk(&profile).unwrap().convert_cmyk(&inks, &mut ours));
    // transicc reads ink in percent, a colour a line, and writes RGB from 0 to 255 (clipped by -s).
    let profile_path = scratch("fogra39.icc");
    std::fs::write(&profile_path, &profile).unwrap();
    let lines: String = inks
        .chunks(4)
        .map(|ink| ink.iter().map(|&amount| format!("{} ", f64::from(amount) / 2.55)).collect::<String>() + "\n")
        .collect();
    let mut child = Command::new("transicc")
        .args([format!("-i{}", profile_path.display()).as_str(), "-o*sRGB", LCMS_INTENT, "-n", "-s"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("transicc is missing ({error}); scripts/setup.sh installs it"));
    // Written from a thread: transicc answers as it reads, and a full pipe would stop both.
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, lines.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let theirs: Vec<f64> = String::from_utf8(output.stdout)
        .unwrap()
        .split_ascii_whitespace()
        .map(|value| value.parse().unwrap())
        .collect();
    assert_eq!(theirs.len(), ours.len());
    let theirs: Vec<[f64; 3]> = theirs.chunks(3).map(|rgb| [rgb[0], rgb[1], rgb[2]]).collect();
    let ours: Vec<[f64; 3]> = ours.chunks(3).map(|rgb| [rgb[0], rgb[1], rgb[2]].map(f64::from)).collect();
    let (mean, percentile_99) = colour_differences(&ours, &theirs);
    println!("against transicc over {} inks: ΔE mean {mean:.2}, 99th percentile {percentile_99:.2}", inks.len() / 4);
    assert!(
        mean <= 1.0 && percentile_99 <= 3.0,
        "ΔE mean {mean:.2}, 99th percentile {percentile_99:.2} from Little CMS"
    );
}

/// CIELAB (D65) of an sRGB colour with channels from 0 to 255.
fn lab(rgb: [f64; 3]) -> [f64; 3] {
    let linear = rgb.map(|v| {
        let v = v / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    });
    let [r, g, b] = linear;
    let xyz = [
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.9505,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.089,
    ];
    let [x, y, z] = xyz.map(|t| if t > 216.0 / 24389.0 { t.cbrt() } else { (24389.0 / 27.0 * t + 16.0) / 116.0 });
    [116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z)]
}

/// The mean and the 99th percentile of the CIE76 colour differences (ΔE) between pairs of sRGB
/// colours: sRGB levels near 0 swing far for a small change in colour, ΔE does not.
fn colour_differences(ours: &[[f64; 3]], theirs: &[[f64; 3]]) -> (f64, f64) {
    let mut differences: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .map(|(&a, &b)| lab(a).iter().zip(lab(b)).map(|(p, q)| (p - q).powi(2)).sum::<f64>().sqrt())
        .collect();
    differences.sort_by(f64::total_cmp);
    let mean = differences.iter().sum::<f64>() / differences.len() as f64;
    (mean, differences[differences.len() * 99 / 100])
}
