#!/usr/bin/env bash
# Builds the Worker (wrangler's build command). worker-build would download wasm-bindgen,
# wasm-opt and esbuild; we point it at the pinned copies scripts/setup.sh installed instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
exec worker-build --release "$@"
