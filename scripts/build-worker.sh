#!/usr/bin/env bash
# Builds the Worker (wrangler's build command) into build/, or DIR with `--out-dir DIR` (the
# benchmarks' scalar build). worker-build would download wasm-bindgen, wasm-opt and esbuild; we
# point it at the pinned copies scripts/setup.sh installed instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=build
case "${1:-}" in --out-dir) out_dir=$2 ;; "") ;; *) echo "usage: $0 [--out-dir DIR]"; exit 2 ;; esac
# worker-build writes relative to the crate it builds (crates/worker): give it an absolute path.
case $out_dir in /*) ;; *) out_dir=$PWD/$out_dir ;; esac
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
# The playground shows the kernel benchmark's chart: a copy in the bundled assets (not committed).
cp benches/results/speedups.svg demo/playground/speedups.svg
# The Worker's wasm is crates/worker, which links the root crate as a cdylib of its own. Every
# `wrangler dev` runs this script (npm test starts four Workers): compile first, with
# worker-build's own cargo command, and skip the rest when the compiled wasm, this script and
# crates/worker/Cargo.toml (whose wasm-pack metadata turns worker-build's `wasm-opt -O` off) are
# what build/ was made from.
WASM_BINDGEN_USE_JS_SYS=1 cargo build --lib --release --target wasm32-unknown-unknown -p image-worker-cloudflare
made_from=$(cat "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/image_worker_cloudflare.wasm" "$0" \
  crates/worker/Cargo.toml | sha256sum)
if [ -f "$out_dir/index_bg.wasm" ] && [ -f "$out_dir/worker/shim.mjs" ] && [ "$(cat "$out_dir/.made-from" 2>/dev/null)" = "$made_from" ]; then
  echo "$out_dir/ is up to date"
  exit 0
fi
rm -f "$out_dir/.made-from"
worker-build --release --out-dir "$out_dir" crates/worker
# worker-build keeps the wasm's function names (187 KB): drop them, so that every codec fits the
# Worker's 1 MiB gzip budget. No optimisation pass runs here; the features are the ones
# worker-build enables, plus simd128.
features=(mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types exception-handling simd)
"$WASM_OPT_BIN" "${features[@]/#/--enable-}" --strip-debug "$out_dir/index_bg.wasm" -o "$out_dir/index_bg.wasm"
echo "$made_from" >"$out_dir/.made-from"
