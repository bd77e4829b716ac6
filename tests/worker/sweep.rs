//! Corpus sweep against the Worker in workerd (`WORKER_URL`, set by `scripts/test.sh`): every file
//! under `fixtures/` and, when present, `../shared/corpus/` is POSTed. Valid images must come back
//! as decodable images, broken ones as JSON 4xx; never a 5xx or a dropped connection, and a good
//! request must succeed after every refused one (a failure must not poison the isolate).

mod client;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use client::try_request;
use support::fixture;

/// What a file must produce.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Image,
    Refusal,
    /// Damaged files some decoders accept: an image or a refusal, never a 5xx.
    Either,
}

/// JPEG variants our decoder refuses by design (415, as the README says): arithmetic coding, 12-bit.
const UNSUPPORTED_JPEG: [&str; 2] = ["testimgari.jpg", "testorig12.jpg"];

fn expectation(path: &Path) -> Expect {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
    let is_image = ["jpg", "jpeg", "png", "gif", "webp"]
        .iter()
        .any(|ext| path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)));
    match folder {
        _ if !is_image => Expect::Refusal,
        "bombs" => Expect::Refusal,
        "bad" | "png-crashers" | "fuzz" => Expect::Either,
        "pngsuite" if name.starts_with('x') => Expect::Refusal,
        _ if UNSUPPORTED_JPEG.contains(&name) => Expect::Refusal,
        _ => Expect::Image,
    }
}

fn files_under(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "LICENSES") {
                files_under(&path, into);
            }
        } else {
            into.push(path);
        }
    }
}

#[test]
fn every_fixture_and_corpus_file_gets_a_clean_answer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&support::fixtures_dir(), &mut files);
    files_under(&support::corpus_dir(), &mut files);
    files.sort();
    let good = fixture("rocket.jpg");

    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for path in &files {
        let body = std::fs::read(path).unwrap();
        let expected = expectation(path);
        let label = path.strip_prefix(root).unwrap_or(path).display().to_string();
        let reply = match try_request("POST", "/transform?width=64", &[], &body) {
            Ok(reply) => reply,
            Err(error) => {
                *tally.entry("failures".into()).or_default() += 1;
                problems.push(format!("{label}: connection failure: {error}"));
                continue;
            }
        };
        *tally.entry(reply.status.to_string()).or_default() += 1;
        let refused = (400..500).contains(&reply.status) && reply.body.starts_with(b"{\"error\":");
        let imaged = reply.status == 200 && image::load_from_memory(&reply.body).is_ok();
        let fine = match expected {
            Expect::Image => imaged,
            Expect::Refusal => refused,
            Expect::Either => imaged || refused,
        };
        if !fine {
            problems.push(format!(
                "{label}: expected {expected:?}, got {} {}",
                reply.status,
                String::from_utf8_lossy(&reply.body[..reply.body.len().min(120)])
            ));
        }
        if reply.status != 200 {
            match try_request("POST", "/transform?width=32", &[], &good) {
                Ok(after) if after.status == 200 => {}
                other => problems.push(format!("{label}: the next good request failed: {:?}", other.map(|r| r.status))),
            }
        }
    }
    let count = |key: &str| tally.get(key).copied().unwrap_or(0);
    let fives: usize = tally.iter().filter(|(k, _)| k.starts_with('5')).map(|(_, v)| v).sum();
    let fours: Vec<String> =
        tally.iter().filter(|(k, _)| k.starts_with('4')).map(|(k, v)| format!("{k}: {v}")).collect();
    println!(
        "sweep: {} files, 200: {}, {}, 5xx: {fives}, failures: {}",
        files.len(),
        count("200"),
        fours.join(", "),
        count("failures")
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert_eq!(fives, 0);
}
