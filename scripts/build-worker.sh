#!/usr/bin/env bash
# Builds the Worker (wrangler's build command). worker-build would download wasm-bindgen,
# wasm-opt and esbuild; we point it at the pinned copies scripts/setup.sh installed instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
worker-build --release "$@"
# worker-build keeps the wasm's function names (187 KB): drop them, so that every codec fits the
# Worker's 1 MiB gzip budget. No optimisation pass runs here; the features are the ones
# worker-build enables, plus simd128.
features=(mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types exception-handling simd)
"$WASM_OPT_BIN" "${features[@]/#/--enable-}" --strip-debug build/index_bg.wasm -o build/index_bg.wasm
# The playground shows the kernel benchmark's chart: a copy in the bundled assets (not committed).
cp benches/results/speedups.svg demo/playground/speedups.svg
