//! Against libjpeg-turbo's djpeg (islow IDCT, fancy upsampling, its default): every baseline JPEG
//! in fixtures/ and ../shared/corpus/ that djpeg decodes, we decode to within a mean absolute
//! error of 0.5 and a largest error of 4 per channel, baseline and progressive; files djpeg refuses
//! (or warns about), we refuse; arithmetic-coded, 12-bit and lossless files we refuse by design.
//! Reports the worst file.

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// djpeg's output.
fn djpeg(path: &Path) -> Reference {
    let output = Command::new("djpeg").args(["-dct", "int", "-pnm"]).arg(path).output().expect("djpeg runs");
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

#[test]
fn every_file_matches_djpeg() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    jpegs(&root.join("fixtures"), &mut files);
    jpegs(&root.join("../shared/corpus"), &mut files);
    files.sort();
    let (mut compared, mut worst) = (0, (0.0f64, 0u8, String::new()));
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let ours = jpeg::decode(&data, MAX_PIXELS);
        let reference = djpeg(path);
        match (ours, reference) {
            (_, Reference::NoPnm) | (Err(_), Reference::Refused) => continue,
            // Arithmetic coding, 12-bit and lossless files: libjpeg-turbo reads them; we refuse
            // them by design, in words.
            (Err(jpeg::Error::Unsupported(what)), Reference::Pixels(..)) => refused.push(format!("{name} ({what})")),
            (Ok(_), Reference::Refused) => failures.push(format!("{name}: djpeg refuses it (or warns), we decode it")),
            (Err(error), Reference::Pixels(..)) => failures.push(format!("{name}: {error}")),
            (Ok(image), Reference::Pixels(width, height, channels, pixels)) => {
                if (image.width, image.height, image.channels) != (width, height, channels) {
                    failures.push(format!(
                        "{name}: {}x{}x{} against {width}x{height}x{channels}",
                        image.width, image.height, image.channels
                    ));
                    continue;
                }
                let total: u64 = image.pixels.iter().zip(&pixels).map(|(&a, &b)| u64::from(a.abs_diff(b))).sum();
                let largest = image.pixels.iter().zip(&pixels).map(|(&a, &b)| a.abs_diff(b)).max().unwrap_or(0);
                let mean = total as f64 / pixels.len() as f64;
                if mean > 0.5 || largest > 4 {
                    failures.push(format!("{name}: mean error {mean:.3}, largest {largest}"));
                }
                if mean > worst.0 {
                    worst = (mean, largest, name.clone());
                }
                compared += 1;
            }
        }
    }
    if worst.2.is_empty() {
        println!("compared {compared} JPEGs with djpeg: every one identical");
    } else {
        println!(
            "compared {compared} JPEGs with djpeg; worst mean error {:.3} (largest {}) in {}",
            worst.0, worst.1, worst.2
        );
    }
    println!("refused by design: {}", refused.join(", "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // fixtures/ alone holds 9 JPEGs; the corpus adds dozens.
    assert!(compared >= 9, "only {compared} files compared");
}

#[test]
fn cut_and_damaged_files_are_refused_not_panicked_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = std::fs::read(root.join("fixtures/rocket.jpg")).unwrap();
    // Cut anywhere before the end-of-image marker: an error, never a picture with a grey bottom.
    for length in (0..data.len() - 2).step_by(97) {
        assert!(jpeg::decode(&data[..length], MAX_PIXELS).is_err(), "cut at {length} decoded");
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
        let _ = jpeg::decode(&damaged, MAX_PIXELS);
    }
}
