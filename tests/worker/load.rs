//! Bounded concurrent load against the Worker in workerd (`WORKER_URL`, and `WORKER_PID`, the
//! `wrangler dev` process, both set by `scripts/test.sh`): 8 connections, three rounds of mixed
//! valid and invalid requests. No 5xx, no failed connection, and the Worker's wasm memory (from
//! `GET /`) settles: after the first round, later rounds may not grow it. The resident size of
//! the workerd processes is printed too; it also holds wrangler dev's own workers and V8 heaps that
//! are collected lazily, so it is reported, not asserted.

mod client;
#[path = "../support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use client::{try_request, wasm_memory_bytes, worker};
use support::fixture;

const CONNECTIONS: usize = 8;
const REQUESTS_PER_CONNECTION: usize = 20;
const ROUNDS: usize = 3;

/// (method, path, body, whether it must succeed)
fn mix() -> Vec<(&'static str, String, Vec<u8>, bool)> {
    let rocket = fixture("rocket.jpg");
    vec![
        ("POST", "/transform?width=200".into(), rocket.clone(), true),
        ("POST", "/transform?width=100&format=webp".into(), fixture("chelsea.png"), true),
        ("POST", "/transform?width=120&format=png".into(), fixture("transparent.webp"), true),
        ("GET", "/image/width=300,height=300,fit=cover/retina.jpg".into(), Vec::new(), true),
        ("GET", "/image/width=80/porsche.gif".into(), Vec::new(), true),
        ("POST", "/transform?width=64".into(), b"not an image at all".to_vec(), false),
        ("POST", "/transform?width=64".into(), rocket[..rocket.len() / 3].to_vec(), false),
        ("POST", "/transform?width=64".into(), fixture("pngsuite/xcrn0g04.png"), false),
        ("POST", "/transform?width=64".into(), fixture("bombs/gif-screen-65535x65535-1px-frame.gif"), false),
        ("GET", "/image/width=abc/rocket.jpg".into(), Vec::new(), false),
    ]
}

/// Resident memory of every `workerd` process descended from `root`, in KiB.
fn workerd_rss_kib(root: u32) -> u64 {
    let mut parents: HashMap<u32, (u32, String)> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // "pid (comm) state ppid ...": comm may hold spaces, so split at the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map_or("", |(_, n)| n).to_owned();
        let Some(ppid) = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok()) else { continue };
        parents.insert(pid, (ppid, name));
    }
    let descends = |mut pid: u32| {
        while let Some(&(ppid, _)) = parents.get(&pid) {
            if ppid == root {
                return true;
            }
            pid = ppid;
        }
        false
    };
    parents
        .iter()
        .filter(|(pid, (_, name))| name == "workerd" && descends(**pid))
        .filter_map(|(pid, _)| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

#[test]
fn concurrent_mixed_load_gets_clean_answers_and_memory_settles() {
    let root: u32 = std::env::var("WORKER_PID").expect("WORKER_PID (run `npm test`)").parse().unwrap();
    let requests = mix();
    let (server_errors, failures, wrong) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
    let (mut memory, mut wasm) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        std::thread::scope(|scope| {
            for connection in 0..CONNECTIONS {
                let (requests, server_errors, failures, wrong) = (&requests, &server_errors, &failures, &wrong);
                scope.spawn(move || {
                    for i in 0..REQUESTS_PER_CONNECTION {
                        let (method, path, body, must_succeed) = &requests[(connection + i) % requests.len()];
                        match try_request(method, path, &[], body) {
                            Err(_) => {
                                failures.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(reply) if reply.status >= 500 => {
                                server_errors.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(reply) if (reply.status == 200) != *must_succeed => {
                                wrong.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(_) => {}
                        }
                    }
                });
            }
        });
        memory.push(workerd_rss_kib(root));
        wasm.push(wasm_memory_bytes(&worker()));
    }
    let total = ROUNDS * CONNECTIONS * REQUESTS_PER_CONNECTION;
    let mib: Vec<String> = memory.iter().map(|kib| format!("{:.1}", *kib as f64 / 1024.0)).collect();
    println!(
        "load: {total} requests, {CONNECTIONS} connections, 5xx: {}, failures: {}, unexpected statuses: {}, wasm memory MiB after each round: {}, workerd RSS MiB: {}",
        server_errors.load(Ordering::Relaxed),
        failures.load(Ordering::Relaxed),
        wrong.load(Ordering::Relaxed),
        wasm.iter().map(|b| format!("{:.1}", *b as f64 / 1048576.0)).collect::<Vec<_>>().join(", "),
        mib.join(", ")
    );
    assert_eq!(server_errors.load(Ordering::Relaxed), 0);
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert_eq!(wrong.load(Ordering::Relaxed), 0);
    assert!(memory.iter().all(|&kib| kib > 0), "found no workerd process under {root}");
    assert!(wasm.windows(2).skip(1).all(|pair| pair[1] == pair[0]), "wasm memory still growing: {wasm:?}");
}
