#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there at the pinned
# version: Debian's clang and wasi-libc headers (libwebp is C, compiled for wasm) and the
# independent decoders the codec tests read our outputs with, the wasm targets (wasm32-unknown-
# unknown for the Worker and the npm package, wasm32-wasip1 for the CLI), clippy, rustfmt,
# worker-build, cargo-fuzz, wasm-bindgen-cli (the version in Cargo.lock) and the npm
# devDependencies (wrangler with workerd, binaryen's wasm-opt, esbuild, workers-wasi,
# puppeteer-core).
set -euo pipefail
cd "$(dirname "$0")/.."

WORKER_BUILD_VERSION=0.8.7
CARGO_FUZZ_VERSION=0.13.1
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)

has_version() { # command, version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qw -- "$2"
}

# clang-19/llvm-19/wasi-libc: .cargo/config.toml points the cc crate at them for wasm32.
# webp (dwebp), libavif-bin (avifdec), libjpeg-turbo-progs (djpeg): tests/native/codecs.rs, and djpeg and jpegtran
# for jpeg/tests/djpeg.rs; liblcms2-utils (jpgicc, transicc): CMYK profiles in tests/native/codecs.rs.
# chromium: the playground's browser tests (tests/browser/, driven by puppeteer-core).
APT_PACKAGES=(clang-19 llvm-19 wasi-libc webp libavif-bin libjpeg-turbo-progs liblcms2-utils chromium)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# libwebp's SSE2 code, compiled for wasm simd128 through Emscripten's SSE2-on-wasm headers (MIT):
# libwebp selects it under EMSCRIPTEN (see .cargo/config.toml), twice as fast as its plain C.
# Only those headers are taken from Debian's emscripten package, not the package itself.
SSE_HEADERS=/usr/local/include/wasm-sse
if ! [ -f "$SSE_HEADERS/emmintrin.h" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  download=$(mktemp -d)
  chmod 777 "$download" # apt-get download may run as its _apt user
  (cd "$download" && { apt-get download emscripten 2>/dev/null || { $sudo apt-get update -qq && apt-get download emscripten; }; })
  dpkg -x "$download"/emscripten_*.deb "$download/root"
  $sudo mkdir -p "$SSE_HEADERS"
  $sudo cp "$download"/root/usr/share/emscripten/system/include/compat/{xmmintrin,emmintrin}.h "$SSE_HEADERS/"
  rm -rf "$download"
fi
for target in wasm32-unknown-unknown wasm32-wasip1; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done
if ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add clippy
fi
if ! cargo fmt --version >/dev/null 2>&1; then
  rustup component add rustfmt
fi
if ! has_version worker-build "$WORKER_BUILD_VERSION"; then
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
fi
if ! has_version cargo-fuzz "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  # --locked fails on an index gap in one of its dependencies; the version itself is pinned.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! [ -x node_modules/.bin/wrangler ] || ! cmp -s package-lock.json node_modules/.package-lock.json.source 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.source
fi
