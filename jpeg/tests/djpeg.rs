//! Against libjpeg-turbo's djpeg (islow IDCT, fancy upsampling, its defaults): every JPEG of
//! fixtures/ and ../shared/corpus/ that djpeg decodes cleanly, we decode, baseline and
//! progressive: at full size to within a mean absolute error of 0.5 and a largest error of 4 per
//! channel, and at 1/2, 1/4 and 1/8 within 45 dB PSNR of `djpeg -scale`. Files djpeg refuses (or
//! warns about), we refuse; arithmetic-coded, 12-bit and lossless files we refuse by design.
//! Each case prints its worst file.

use std::path::{Path, PathBuf};
use std::process::Command;

use kernels::Backend;

/// The Worker's default input limit.
const MAX_PIXELS: u64 = 100_000_000;

fn jpegs(directory: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            jpegs(&path, found);
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg")) {
            found.push(path);
        }
    }
}

enum Reference {
    Pixels(u32, u32, u8, Vec<u8>),
    /// djpeg decodes it but PNM cannot hold the result (CMYK): nothing to compare.
    NoPnm,
    /// djpeg refuses it, or warns that the data is corrupt or cut short.
    Refused,
}

/// djpeg's output at 1/`scale`.
fn djpeg(path: &Path, scale: u8) -> Reference {
    let output = Command::new("djpeg")
        .args(["-dct", "int", "-pnm", "-scale", &format!("1/{scale}")])
        .arg(path)
        .output()
        .expect("djpeg runs");
    if String::from_utf8_lossy(&output.stderr).contains("Unsupported color conversion") {
        return Reference::NoPnm;
    }
    if !output.status.success() || !output.stderr.is_empty() {
        return Reference::Refused;
    }
    let data = output.stdout;
    // P5/P6 header: magic, width, height, maxval, each followed by whitespace.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    let channels = if fields[0] == "P5" { 1 } else { 3 };
    Reference::Pixels(fields[1].parse().unwrap(), fields[2].parse().unwrap(), channels, data[at + 1..].to_vec())
}

/// How a decode differs from djpeg's: mean and largest absolute error, and PSNR.
struct Difference {
    mean: f64,
    largest: u8,
    psnr: f64,
}

fn difference(ours: &[u8], theirs: &[u8]) -> Difference {
    let (mut total, mut squares, mut largest) = (0u64, 0u64, 0u8);
    for (&a, &b) in ours.iter().zip(theirs) {
        let error = a.abs_diff(b);
        total += u64::from(error);
        squares += u64::from(error) * u64::from(error);
        largest = largest.max(error);
    }
    let count = theirs.len().max(1) as f64;
    let psnr = if squares == 0 { f64::INFINITY } else { 10.0 * (255.0 * 255.0 * count / squares as f64).log10() };
    Difference { mean: total as f64 / count, largest, psnr }
}

/// Every JPEG of fixtures/ and the corpus, at `scale`, against djpeg; `acceptable` judges each.
fn compare_at_scale(scale: u8, acceptable: fn(&Difference) -> bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    jpegs(&root.join("fixtures"), &mut files);
    jpegs(&root.join("../shared/corpus"), &mut files);
    files.sort();
    let mut compared = 0;
    let mut worst: Option<(Difference, String)> = None;
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        match (jpeg::decode(&data, scale, MAX_PIXELS, Backend::best()), djpeg(path, scale)) {
            (_, Reference::NoPnm) | (Err(_), Reference::Refused) => continue,
            // Arithmetic coding, 12-bit and lossless files: libjpeg-turbo reads them; we refuse
            // them by design, in words.
            (Err(jpeg::Error::Unsupported(what)), Reference::Pixels(..)) => refused.push(format!("{name} ({what})")),
            (Ok(_), Reference::Refused) => failures.push(format!("{name}: djpeg refuses it (or warns), we decode it")),
            (Err(error), Reference::Pixels(..)) => failures.push(format!("{name}: {error}")),
            (Ok(image), Reference::Pixels(width, height, channels, pixels)) => {
                if (image.width, image.height, image.channels) != (width, height, channels) {
                    let ours = format!("{}x{}x{}", image.width, image.height, image.channels);
                    failures.push(format!("{name}: {ours} against {width}x{height}x{channels}"));
                    continue;
                }
                let found = difference(&image.pixels, &pixels);
                if !acceptable(&found) {
                    let Difference { mean, largest, psnr } = found;
                    failures.push(format!("{name}: mean error {mean:.3}, largest {largest}, PSNR {psnr:.1} dB"));
                } else if worst.as_ref().is_none_or(|(w, _)| found.psnr < w.psnr) {
                    worst = Some((found, name));
                }
                compared += 1;
            }
        }
    }
    match &worst {
        Some((w, name)) if w.psnr.is_finite() => println!(
            "1/{scale}: compared {compared} JPEGs with djpeg; worst {name}: mean error {:.3}, largest {}, PSNR {:.1} dB",
            w.mean, w.largest, w.psnr
        ),
        _ => println!("1/{scale}: compared {compared} JPEGs with djpeg: every one identical"),
    }
    println!("1/{scale}: refused by design: {}", refused.join(", "));
    assert!(failures.is_empty(), "1/{scale}:\n{}", failures.join("\n"));
    // fixtures/ alone holds 9 JPEGs; the corpus adds dozens.
    assert!(compared >= 9, "only {compared} files compared");
}

#[test]
fn full_size_matches_djpeg() {
    compare_at_scale(1, |d| d.mean <= 0.5 && d.largest <= 4);
}

#[test]
fn scaled_decodes_match_djpeg_scale() {
    for scale in [2, 4, 8] {
        compare_at_scale(scale, |d| d.psnr >= 45.0);
    }
}

/// A scan script beyond jpegtran's default: bands split at odd places, three successive
/// approximation levels of the luma's AC and two of its DC, chroma refined in one band.
const SCAN_SCRIPT: &str = "0: 0-0, 0, 2; 1: 0-0, 0, 1; 2: 0-0, 0, 0; 0: 1-2, 0, 3; 0: 3-9, 0, 3; \
    0: 10-63, 0, 3; 1: 1-63, 0, 2; 2: 1-20, 0, 1; 2: 21-63, 0, 1; 0: 0-0, 2, 1; 0: 0-0, 1, 0; \
    1: 0-0, 1, 0; 0: 1-63, 3, 2; 0: 1-5, 2, 1; 0: 6-63, 2, 1; 1: 1-63, 2, 1; 2: 1-63, 1, 0; \
    1: 1-63, 1, 0; 0: 1-30, 1, 0; 0: 31-63, 1, 0;";

#[test]
fn progressive_scan_scripts_match_djpeg() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let directory = std::env::temp_dir().join(format!("jpeg-progressive-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let script = directory.join("scans.txt");
    std::fs::write(&script, SCAN_SCRIPT).unwrap();
    let mut compared = 0;
    for source in ["rocket.jpg", "retina.jpg"] {
        // jpegtran's own progressive script with restart intervals, and the script above.
        let variants: [(&str, Vec<&std::ffi::OsStr>); 2] = [
            ("restarts", vec!["-progressive".as_ref(), "-restart".as_ref(), "3".as_ref()]),
            ("script", vec!["-scans".as_ref(), script.as_os_str()]),
        ];
        for (variant, arguments) in variants {
            let path = directory.join(format!("{variant}-{source}"));
            let status = Command::new("jpegtran")
                .args(arguments)
                .arg("-outfile")
                .arg(&path)
                .arg(root.join("fixtures").join(source))
                .status()
                .expect("jpegtran runs");
            assert!(status.success(), "jpegtran {variant} {source}");
            let data = std::fs::read(&path).unwrap();
            for scale in [1, 2, 8] {
                let Reference::Pixels(width, height, _, pixels) = djpeg(&path, scale) else {
                    panic!("djpeg refuses {variant}-{source}")
                };
                let image = jpeg::decode(&data, scale, MAX_PIXELS, Backend::best()).unwrap();
                assert_eq!((image.width, image.height), (width, height), "{variant}-{source} at 1/{scale}");
                let found = difference(&image.pixels, &pixels);
                let acceptable = if scale == 1 { found.mean <= 0.5 && found.largest <= 4 } else { found.psnr >= 45.0 };
                assert!(
                    acceptable,
                    "{variant}-{source} at 1/{scale}: mean error {:.3}, largest {}, PSNR {:.1} dB",
                    found.mean, found.largest, found.psnr
                );
                compared += 1;
            }
        }
    }
    std::fs::remove_dir_all(&directory).unwrap();
    assert_eq!(compared, 12);
}

#[test]
fn cut_and_damaged_files_are_refused_not_panicked_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = std::fs::read(root.join("fixtures/rocket.jpg")).unwrap();
    // Cut anywhere before the end-of-image marker: an error, never a picture with a grey bottom.
    for length in (0..data.len() - 2).step_by(97) {
        assert!(jpeg::decode(&data[..length], 1, MAX_PIXELS, Backend::best()).is_err(), "cut at {length} decoded");
    }
    // Damaged bytes: an answer either way, without a panic.
    let mut state = 0x2545_f491_u32;
    for _ in 0..300 {
        let mut damaged = data.clone();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % damaged.len();
            damaged[at] = (state >> 8) as u8;
        }
        let _ = jpeg::decode(&damaged, 1, MAX_PIXELS, Backend::best());
    }
}

#[test]
fn rows_read_in_bands_equal_the_whole_decode_and_sequential_files_stream() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    jpegs(&root.join("fixtures"), &mut files);
    jpegs(&root.join("../shared/corpus/photos"), &mut files);
    for path in &files {
        let data = std::fs::read(path).unwrap();
        for scale in [1, 2, 8] {
            let Ok(whole) = jpeg::decode(&data, scale, MAX_PIXELS, Backend::best()) else { continue };
            let mut decoder = jpeg::Decoder::new(&data, scale, MAX_PIXELS, Backend::best()).unwrap();
            let row_bytes = decoder.width() * usize::from(decoder.channels());
            let mut pixels = Vec::new();
            let mut band_rows = 1 + scale as usize;
            while pixels.len() < whole.pixels.len() {
                let rows = band_rows.min((whole.pixels.len() - pixels.len()) / row_bytes);
                let mut band = vec![0; rows * row_bytes];
                decoder.read_rows(&mut band).unwrap();
                pixels.extend_from_slice(&band);
                band_rows = band_rows * 7 % 17 + 1;
            }
            assert!(pixels == whole.pixels, "{} at 1/{scale}: bands differ from the whole decode", path.display());
            let info = jpeg::read_info(&data).unwrap();
            if !info.progressive {
                // Three MCU rows (at most 16 rows each at full size) of every component, whatever the height.
                let bound = 3 * 16 * decoder.width() * 3;
                assert!(
                    decoder.buffer_bytes() <= bound.max(whole.pixels.len()),
                    "{}: holds {} bytes",
                    path.display(),
                    decoder.buffer_bytes()
                );
            }
        }
    }
}
