#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs every check: formatting, clippy on every crate
# (panic-free lints on src/), native unit and accuracy tests, the kernel cross-checks in V8 with
# simd128, the npm package and the CLI (native and WASI), bounded fuzzing, and end-to-end tests,
# the corpus sweep and the load test against the Worker and the example Workers in workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

echo "== formatting: rustfmt.toml, every crate"
cargo fmt --all --check
for manifest in benches/harness benches/native benches/quality fuzz; do cargo fmt --manifest-path "$manifest/Cargo.toml" --check; done

echo "== lints: nothing on the Worker's request path can panic (src/lib.rs denies it); every crate warning-free"
cargo clippy --release -p image-worker -p image-worker-cloudflare --lib --target wasm32-unknown-unknown -- -D warnings
cargo clippy --release -p image-worker -p image-worker-js -p imgw -p jpeg --all-targets -- -D warnings
cargo clippy --release -p jpeg --target wasm32-unknown-unknown -- -D warnings
cargo clippy --release -p image-worker-js --target wasm32-unknown-unknown -- -D warnings
cargo clippy --release -p imgw --target wasm32-wasip1 -- -D warnings
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/bench-simd128 \
  cargo clippy --release --target wasm32-unknown-unknown --manifest-path benches/harness/Cargo.toml -- -D warnings
cargo clippy --release --manifest-path benches/native/Cargo.toml --all-targets -- -D warnings
cargo clippy --release --manifest-path benches/quality/Cargo.toml -- -D warnings
RUSTC_BOOTSTRAP=1 cargo clippy --manifest-path fuzz/Cargo.toml -- -D warnings

echo "== lints: the kernels and their tests for wasm32 with simd128, warnings denied (every unsafe block documented)"
cargo clippy --release -p kernels --target wasm32-unknown-unknown --all-targets -- -D warnings

echo "== native tests (options, geometry, pipeline, accuracy against a float reference)"
cargo test --workspace --release

echo "== kernel cross-checks: simd128 against scalar, in node's V8"
cargo test -p kernels --target wasm32-unknown-unknown --release

echo "== the npm package (packages/image-worker-wasm) in node: options, errors, probe, a bomb then a good image"
bash scripts/build-package.sh
node --test packages/image-worker-wasm/test/

echo "== the CLI (imgw), native and WASI under node:wasi: byte-identical outputs, exit codes"
cargo build --release -p imgw
cargo build --release -p imgw --target wasm32-wasip1
node --test tests/cli/

echo "== memory budget: formats x sizes x options in fresh wasm instances, each refused or within its estimate"
node benches/memory.mjs --check

echo "== fuzzing, bounded: the option parser and the whole pipeline (scripts/fuzz.sh)"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}" bash scripts/fuzz.sh

echo "== deployment dry run: the upload holds the demo images only and fits the free plan (3 MiB gzip)"
outdir=$(mktemp -d)
node_modules/.bin/wrangler deploy --dry-run --outdir "$outdir" >"$outdir/log" 2>&1 || { cat "$outdir/log"; exit 1; }
grep -E "assets directory|Total Upload" "$outdir/log"
grep -q "assets directory $PWD/demo\$" "$outdir/log" || { echo "assets must come from demo/"; exit 1; }
gzip_kib=$(sed -n 's/.*gzip: \([0-9.]*\) KiB.*/\1/p' "$outdir/log")
awk -v kib="$gzip_kib" 'BEGIN { exit !(kib > 0 && kib < 3072) }' || { echo "upload of $gzip_kib KiB gzip is over 3 MiB"; exit 1; }
# Every codec in the Worker's wasm, within 1 MiB gzip (scripts/build-worker.sh drops its names).
wasm_gzip=$(gzip -c build/index_bg.wasm | wc -c)
[ "$wasm_gzip" -le 1048576 ] || { echo "the Worker's wasm is $wasm_gzip bytes gzip, over 1 MiB"; exit 1; }
echo "the Worker's wasm: $(( wasm_gzip / 1024 )) KiB gzip"
rm -rf "$outdir"

echo "== end-to-end tests against the Worker in workerd"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
logs=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$logs"' EXIT
# A loopback origin (tests/worker/origin.mjs) serving fixtures/ and the ways an origin fails.
origin_port=$(free_port)
node tests/worker/origin.mjs "$origin_port" >"$logs/origin" 2>&1 &
pids+=($!)
# Wait until it listens: free_port may hand its port out again until then, and a Worker started
# on it would look ready (the origin answers GET / with a 404) while every test reached the origin.
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$origin_port/" && break; sleep 0.1; done
# start_worker NAME PORT [wrangler dev arguments...]: starts a Worker and waits until it answers.
start_worker() {
  local name=$1 port=$2
  shift 2
  node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "$port" "$@" >"$logs/$name" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 300); do
    # Ready once the Worker itself answers GET / (the examples answer it with a 404).
    case "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" in 200 | 404) return 0 ;; esac
    if ! kill -0 "$pid" 2>/dev/null; then cat "$logs/$name"; echo "wrangler dev ($name) exited"; exit 1; fi
    sleep 1
  done
  cat "$logs/$name"; echo "the $name Worker did not start"; exit 1
}
# The Worker under test reads relative paths from the origin's fixtures/ and may fetch any URL
# under the origin; a second one, configured as `npm run dev` is, serves the bundled demo images.
# Each keeps its state (the edge cache, R2) in a fresh folder, so every run starts cold.
port=$(free_port)
start_worker main "$port" --persist-to "$logs/main-state" --var "ORIGIN:http://127.0.0.1:$origin_port/fixtures/" \
  --var "ALLOWED_ORIGINS:http://127.0.0.1:$origin_port/" --var ORIGIN_TIMEOUT_MS:5000 \
  --var CORS_ORIGINS:https://app.example
server=${pids[-1]}
demo_port=$(free_port)
start_worker demo "$demo_port" --persist-to "$logs/demo-state" --var ALLOW_BACKEND_HEADER:true
# A third with an R2 bucket bound as IMAGES (wrangler's local simulation), holding two objects,
# that answers signed URLs only.
r2_state="$logs/r2-state"
for object in "photos/cat.jpg=fixtures/rocket.jpg" "nested/dir/chelsea.png=fixtures/chelsea.png"; do
  node_modules/.bin/wrangler r2 object put "image-worker-test/${object%%=*}" --file "${object#*=}" \
    --local --persist-to "$r2_state" --env r2-test >"$logs/r2-put" 2>&1 || { cat "$logs/r2-put"; exit 1; }
done
r2_port=$(free_port)
start_worker r2 "$r2_port" --env r2-test --persist-to "$r2_state" --var SIGNING_KEY:test-signing-key
# A fourth, with the default configuration, that only the memory test talks to: its wasm memory is
# that test's high-water mark.
memory_port=$(free_port)
start_worker memory "$memory_port" --persist-to "$logs/memory-state"
# The example Workers: a JavaScript one using the npm package, and one running imgw's WASI build.
js_port=$(free_port)
start_worker js-example "$js_port" --config examples/js-worker/wrangler.toml
wasi_port=$(free_port)
start_worker wasi-example "$wasi_port" --config examples/wasi-worker/wrangler.toml
JS_WORKER_URL="127.0.0.1:$js_port" WASI_WORKER_URL="127.0.0.1:$wasi_port" node --test tests/examples/
# The playground page in headless Chromium, from the Worker configured as `npm run dev` is.
PLAYGROUND_URL="127.0.0.1:$demo_port" node --test tests/browser/
WORKER_URL="127.0.0.1:$port" WORKER_PID="$server" ORIGIN_URL="http://127.0.0.1:$origin_port" \
  DEMO_WORKER_URL="127.0.0.1:$demo_port" R2_WORKER_URL="127.0.0.1:$r2_port" MEMORY_WORKER_URL="127.0.0.1:$memory_port" \
  cargo test --release --test e2e --test sources --test sweep --test load --test memory -- --nocapture --test-threads 2
