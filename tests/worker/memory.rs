//! The memory budget end to end: large, highly compressible sources (generated here: a few MB
//! each, up to 50 MP) POSTed to a fresh Worker in workerd (`MEMORY_WORKER_URL`, set by
//! `scripts/test.sh`) with the option mixes that used to take an isolate past 128 MB. workerd
//! does not enforce the isolate's limit, so the test reads the wasm linear memory `GET /`
//! reports: it never shrinks, so after each request it is the high-water mark so far, and it must
//! stay within the budget (`MAX_WORKING_BYTES`, 64 MiB by default) over the instance's baseline.
//! Every request is answered 200, or 413 naming the budget (an animation of noise may be stopped
//! mid-way).

mod client;
#[path = "../support/mod.rs"]
mod support;

use std::io::Write;

use client::{request_to, wasm_memory_bytes};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::ExtendedColorType;
use support::fixture;
use support::noise::noise_animation;

const MIB: u64 = 1 << 20;
/// The Worker's default `MAX_WORKING_BYTES`.
const BUDGET: u64 = 64 * MIB;

/// Options that need the most memory: no shrink-on-load, linear light, pixels read before the
/// plan, big canvases and GIF quantization, at sizes the budget holds and sizes it does not.
const LARGE_SOURCE_OPTIONS: [&str; 11] = [
    "width=800",
    "width=1600,format=webp",
    "width=1600,gamma-correct=true",
    "width=1600,height=1600,fit=pad,background=red",
    "width=1200,format=gif",
    "width=5000",
    "width=4999,height=5000,fit=cover,gravity=auto,gamma-correct=true",
    "trim=border,width=800",
    "width=800,height=800,fit=cover,gravity=auto",
    "width=5000,height=5000,fit=pad,background=red",
    "width=2000,format=gif",
];
/// Large and huge outputs from a small source.
const SMALL_SOURCE_OPTIONS: [&str; 5] = [
    "width=2400,height=1600,fit=squeeze,gamma-correct=true",
    "width=1500,height=1500,fit=pad,format=gif",
    "width=12000,height=2083,fit=squeeze,gamma-correct=true",
    "width=5000,height=5000,fit=squeeze,format=gif",
    "width=5000,height=5000,fit=pad,background=red,format=png",
];

/// A noise animation's frames at the size they were made, as GIF and as WebP at the finest
/// quality: they code to more than the estimate counts, so the pipeline must stop them mid-way
/// or finish within the budget.
const ANIMATION_OPTIONS: [&str; 2] = ["width=800,format=gif", "width=800,format=webp,quality=100"];

/// A picture inside a white border: a smooth gradient with blocks of detail on one side, so
/// `trim=border` and `gravity=auto` have something to find. The value of channel `c` at `(x, y)`.
fn picture(width: u32, height: u32) -> impl Fn(u32, u32, u32) -> u8 {
    move |x, y, c| {
        let border = width / 10;
        if x < border || y < border || x >= width - border || y >= height - border {
            return 255;
        }
        let detail = if x > width / 2 && (x / 64 + y / 64) % 2 == 0 { 60 } else { 0 };
        ((x * (c + 1) * 200 / width + y * 150 / height) % 196) as u8 + detail
    }
}

/// An RGBA PNG, 8 or 16 bits per sample, written a row at a time.
fn png(width: u32, height: u32, sixteen_bit: bool) -> Vec<u8> {
    let pixel = picture(width, height);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(if sixteen_bit { png::BitDepth::Sixteen } else { png::BitDepth::Eight });
    encoder.set_filter(png::Filter::Up);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let mut row = Vec::new();
    for y in 0..height {
        row.clear();
        for x in 0..width {
            for c in 0..4 {
                let value = if c == 3 { 255 } else { pixel(x, y, c) };
                row.push(value);
                if sixteen_bit {
                    row.push(value);
                }
            }
        }
        stream.write_all(&row).unwrap();
    }
    stream.finish().unwrap();
    writer.finish().unwrap();
    out
}

fn rgb_pixels(width: u32, height: u32, channels: u32) -> Vec<u8> {
    let pixel = picture(width, height);
    let mut pixels = Vec::with_capacity((width * height * channels) as usize);
    for y in 0..height {
        for x in 0..width {
            pixels.extend((0..channels).map(|c| if c == 3 { 255 } else { pixel(x, y, c) }));
        }
    }
    pixels
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 85);
    encoder.encode(&rgb_pixels(width, height, 3), width, height, ExtendedColorType::Rgb8).unwrap();
    out
}

fn lossless_webp(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = WebPEncoder::new_lossless(&mut out);
    encoder.encode(&rgb_pixels(width, height, 4), width, height, ExtendedColorType::Rgba8).unwrap();
    out
}

#[test]
fn large_sources_and_outputs_stay_within_the_budget_or_get_413s() {
    let address = std::env::var("MEMORY_WORKER_URL").expect("MEMORY_WORKER_URL (a fresh Worker; run `npm test`)");
    let baseline = wasm_memory_bytes(&address);
    let (side, small) = (7071, fixture("rocket.jpg"));
    let sources: Vec<(String, Vec<u8>, &[&str])> = vec![
        ("a 640 px JPEG".into(), small, &SMALL_SOURCE_OPTIONS),
        (format!("a {side}x{side} 8-bit RGBA PNG"), png(side, side, false), &LARGE_SOURCE_OPTIONS),
        (format!("a {side}x{side} 16-bit RGBA PNG"), png(side, side, true), &LARGE_SOURCE_OPTIONS),
        (format!("a {side}x{side} JPEG"), jpeg(side, side), &LARGE_SOURCE_OPTIONS),
        (format!("a {side}x{side} lossless WebP"), lossless_webp(side, side), &LARGE_SOURCE_OPTIONS),
        ("a 24-frame 800x600 animated GIF of noise".into(), noise_animation(800, 600, 24).unwrap(), &ANIMATION_OPTIONS),
    ];
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for (name, body, options) in &sources {
        for options in options.iter() {
            let query = format!("/transform?{}", options.replace(',', "&"));
            let reply = request_to(&address, "POST", &query, &[("Expect", "")], body);
            let message = String::from_utf8_lossy(&reply.body);
            let memory = wasm_memory_bytes(&address);
            let over = memory.saturating_sub(baseline);
            let what = format!("{name} ({:.1} MB), {options}", body.len() as f64 / 1e6);
            println!(
                "{what}: {}, wasm memory {:.1} MiB ({:.1} over the baseline)",
                reply.status,
                memory as f64 / MIB as f64,
                over as f64 / MIB as f64
            );
            match reply.status {
                200 => accepted += 1,
                413 if message.contains("MAX_WORKING_BYTES") => refused += 1,
                status => failures.push(format!("{what}: {status} {message}")),
            }
            if over > BUDGET {
                failures.push(format!("{what}: wasm memory {over} bytes over the baseline, past the budget"));
            }
        }
    }
    println!(
        "memory: {accepted} accepted, {refused} refused by the budget; wasm memory {:.1} MiB at the end, {:.1} MiB at the start",
        wasm_memory_bytes(&address) as f64 / MIB as f64,
        baseline as f64 / MIB as f64
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(accepted >= 15 && refused >= 15, "{accepted} accepted, {refused} refused: the cases no longer test both");
}
