#!/usr/bin/env bash
# Builds packages/image-worker-wasm/dist: the pipeline (crates/js) for wasm32 with simd128, its
# wasm-bindgen glue for the web target (instantiated from a compiled module, as Workers need), and
# the wasm without its names. The package's own JavaScript wraps it (index.d.ts is the API).
set -euo pipefail
cd "$(dirname "$0")/.."
dist=packages/image-worker-wasm/dist
cargo build --release -p image-worker-js --target wasm32-unknown-unknown
rm -rf "$dist"
wasm-bindgen --target web --out-dir "$dist" --out-name image_worker target/wasm32-unknown-unknown/release/image_worker_js.wasm
features=(mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types exception-handling simd)
node_modules/.bin/wasm-opt "${features[@]/#/--enable-}" --strip-debug "$dist/image_worker_bg.wasm" -o "$dist/image_worker_bg.wasm"
echo "packages/image-worker-wasm: $(( $(gzip -c "$dist/image_worker_bg.wasm" | wc -c) / 1024 )) KiB gzip"
