#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs every check: formatting, clippy on every crate
# (panic-free lints on src/), native unit and accuracy tests, the kernel cross-checks in V8 with
# simd128, bounded fuzzing, and end-to-end tests, the corpus sweep and the load test against the
# Worker in workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

echo "== formatting: rustfmt.toml, every crate"
cargo fmt --all --check
for manifest in benches/harness benches/native fuzz; do cargo fmt --manifest-path "$manifest/Cargo.toml" --check; done

echo "== lints: nothing on the Worker's request path can panic (src/lib.rs denies it); every crate warning-free"
cargo clippy --release -p image-worker --lib --target wasm32-unknown-unknown -- -D warnings
cargo clippy --release -p image-worker --all-targets -- -D warnings
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/bench-simd128 \
  cargo clippy --release --target wasm32-unknown-unknown --manifest-path benches/harness/Cargo.toml -- -D warnings
cargo clippy --release --manifest-path benches/native/Cargo.toml --all-targets -- -D warnings
RUSTC_BOOTSTRAP=1 cargo clippy --manifest-path fuzz/Cargo.toml -- -D warnings

echo "== native tests (options, geometry, pipeline, accuracy against a float reference)"
cargo test --workspace --release

echo "== kernel cross-checks: simd128 against scalar, in node's V8"
cargo test -p kernels --target wasm32-unknown-unknown --release

echo "== fuzzing, bounded: the option parser and the whole pipeline (scripts/fuzz.sh)"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}" bash scripts/fuzz.sh

echo "== end-to-end tests against the Worker in workerd"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log=$(mktemp)
node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
  if ! kill -0 "$server" 2>/dev/null; then cat "$log"; echo "wrangler dev exited"; exit 1; fi
  sleep 1
done
curl -sf -o /dev/null "http://127.0.0.1:$port/" || { cat "$log"; echo "the Worker did not start"; exit 1; }
WORKER_URL="127.0.0.1:$port" WORKER_PID="$server" \
  cargo test --release --test e2e --test sweep --test load -- --nocapture --test-threads 2
