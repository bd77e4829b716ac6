// Kernel and pipeline benchmarks in V8 (the engine Workers run). Builds benches/harness for
// wasm32 twice, without and with simd128, and times in one interleaved run:
//   scalar          our scalar kernels, built without simd128
//   scalar-autovec  our scalar kernels, built with simd128 (whatever LLVM auto-vectorises)
//   simd128         our explicit simd128 kernels
//   fir             fast_image_resize 6 (its simd128 path), same filter, same buffers
//   image           the image crate's resize (f32), same filter
// plus decode -> resize -> encode pipelines on real photos against zune-jpeg + fast_image_resize
// + jpeg-encoder. Medians over repeated samples after warm-up; ratios come from this one run.
// Writes benches/results/{kernels.md,pipeline.md,speedups.svg,results.json}.
//
// Usage: node benches/run.mjs [--quick] [--kernels | --decoders]
//   --quick: fewer samples, for a smoke test; --kernels: kernels only, --decoders: JPEG decoding
//   alone (zune-jpeg, jpeg-decoder and ours at each scale), into benches/results/decoders.md

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const kernelsOnly = process.argv.includes('--kernels');
const decodersOnly = process.argv.includes('--decoders');
const SAMPLES = quick ? 3 : 9;
const SLOW_SAMPLES = quick ? 1 : 3; // for the image crate, tens of times slower than the rest
const MIN_SAMPLE_MS = quick ? 5 : 25; // fast calls repeat inside one sample to reach this

function buildHarness(features, dir) {
  execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown',
    '--manifest-path', 'benches/harness/Cargo.toml'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUSTFLAGS: `-C target-feature=${features}`, CARGO_TARGET_DIR: `${root}target/${dir}` },
  });
  return new WebAssembly.Module(readFileSync(`${root}target/${dir}/wasm32-unknown-unknown/release/bench_harness.wasm`));
}

console.error('building the harness without and with simd128 ...');
const scalarModule = buildHarness('-simd128', 'bench-scalar');
const simdModule = buildHarness('+simd128', 'bench-simd128');
// rav1e brings wasm-bindgen placeholder imports it never calls in this build.
function instantiate(module) {
  const imports = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = () => { throw new Error(`${from}.${name} called`); };
  }
  return new WebAssembly.Instance(module, imports).exports;
}
const scalar = instantiate(scalarModule);
const simd = instantiate(simdModule);
if (scalar.has_simd128() !== 0 || simd.has_simd128() !== 1) throw new Error('builds do not have the expected backends');

const corpus = `${root}../shared/corpus/photos`;
const photos = existsSync(corpus)
  ? readdirSync(corpus).filter((f) => /^(gdk-pixbuf-issue70-meizu.*|plasma-(ColorfulCups|Grey|Path)-2560x1600)\.jpg$/.test(f)).map((f) => `${corpus}/${f}`)
  : [`${root}fixtures/rocket.jpg`];
const DECODERS = ['zune-jpeg', 'jpeg-decoder', 'jpeg-decoder 1/2', 'jpeg-decoder 1/4', 'jpeg-decoder 1/8', 'ours', 'ours 1/2', 'ours 1/4', 'ours 1/8'];

const VARIANTS = [
  { name: 'scalar', exports: scalar, id: 0 },
  { name: 'scalar-autovec', exports: simd, id: 0 },
  { name: 'simd128', exports: simd, id: 1 },
  { name: 'fir', exports: simd, id: 2 },
  { name: 'image', exports: simd, id: 3, slow: true },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/// Times `call` (which returns 0 when the variant is unavailable) per variant, interleaved.
function measure(variants, call) {
  const live = [];
  for (const variant of variants) {
    const start = performance.now();
    if (!call(variant)) continue;
    call(variant); // the first call of a hot function is not steady
    const once = Math.max(performance.now() - start, 0.001) / 2;
    live.push({ variant, repeat: Math.max(1, Math.ceil(MIN_SAMPLE_MS / once)), times: [] });
  }
  const rounds = Math.max(...live.map((l) => (l.variant.slow ? SLOW_SAMPLES : SAMPLES)), 0);
  for (let round = 0; round < rounds; round++) {
    for (const entry of live) {
      if (round >= (entry.variant.slow ? SLOW_SAMPLES : SAMPLES)) continue;
      const start = performance.now();
      for (let i = 0; i < entry.repeat; i++) call(entry.variant);
      entry.times.push((performance.now() - start) / entry.repeat);
    }
  }
  return Object.fromEntries(live.map((l) => [l.variant.name, median(l.times)]));
}

const LAYOUTS = { RGBA8: 4, RGB8: 3, L8: 1 };
const FILTERS = { lanczos3: 5, 'catmull-rom': 3, bilinear: 2 };
const SIZES = [[4928, 3279, 852, 567], [4928, 3279, 320, 213], [640, 427, 1920, 1280]];

const fmt = (ms) => (ms === undefined ? '–' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

if (decodersOnly) {
  // Our decoder (the jpeg crate) against zune-jpeg and jpeg-decoder, every scale, interleaved.
  const when = `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}`;
  let table = `# JPEG decoding alone\n\n${when}${quick ? ' (quick run)' : ''}. \`node benches/run.mjs --decoders\`: `
    + 'median ms in V8 (simd128 build) of decoding the whole file to RGB, all decoders interleaved in one run. '
    + 'Issue 14\'s targets: ours at 1/1 ≤ 0.5x zune-jpeg, ours at 1/2 ≤ 0.5x jpeg-decoder at 1/2.\n\n'
    + `| photo | ${DECODERS.join(' | ')} | ours ÷ zune | ours 1/2 ÷ jpeg-decoder 1/2 |\n|---|${DECODERS.map(() => '--:').join('|')}|--:|--:|\n`;
  for (const photo of photos.sort()) {
    const bytes = readFileSync(photo);
    const pointer = simd.input_buffer(bytes.length);
    new Uint8Array(simd.memory.buffer, pointer, bytes.length).set(bytes);
    const ms = measure(DECODERS.map((name, id) => ({ name, id })), (v) => simd.run_decode(v.id));
    console.error(`${photo.split('/').pop()}: ${DECODERS.map((d) => `${d} ${ms[d].toFixed(1)}`).join(', ')}`);
    const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
    table += `| ${photo.split('/').pop()} | ${DECODERS.map((d) => fmt(ms[d])).join(' | ')} | ${ratio(ms.ours, ms['zune-jpeg'])} | ${ratio(ms['ours 1/2'], ms['jpeg-decoder 1/2'])} |\n`;
  }
  writeFileSync(`${root}benches/results/decoders.md`, table);
  process.exit(0);
}

const kernelRows = [];
for (const [w, h, ow, oh] of SIZES) {
  for (const [layout, channels] of Object.entries(LAYOUTS)) {
    for (const [filter, filterId] of Object.entries(FILTERS)) {
      for (const exports of [scalar, simd]) exports.setup_resize(channels, filterId, w, h, ow, oh);
      const ms = measure(VARIANTS, (v) => v.exports.run_resize(v.id));
      const row = { kernel: `resize ${filter}`, layout, size: `${w}x${h} → ${ow}x${oh}`, ms };
      kernelRows.push(row);
      console.error(JSON.stringify(row));
    }
  }
}
for (const [w, h] of [[4928, 3279]]) {
  for (const [kernel, id] of [['premultiply', 0], ['unpremultiply', 1], ['is_opaque', 2], ['drop_alpha', 3]]) {
    for (const exports of [scalar, simd]) exports.setup_alpha(w, h);
    const ms = measure(VARIANTS, (v) => v.exports.run_alpha(v.id, id));
    const row = { kernel, layout: 'RGBA8', size: `${w}x${h}`, ms };
    kernelRows.push(row);
    console.error(JSON.stringify(row));
  }
}

// Kernels that run on output-sized images, ours only (scalar build, autovec, simd128).
const EFFECTS = [
  ['rotate 90', 0, ['RGBA8', 'RGB8']], ['flip h', 1, ['RGBA8', 'RGB8']], ['composite_over', 2, ['RGBA8']],
  ['widen', 3, ['RGB8']], ['tone curve (scalar lookups on every backend)', 4, ['RGBA8', 'RGB8']], ['saturate', 5, ['RGBA8', 'RGB8']],
  ['blur sigma 2', 6, ['RGBA8', 'RGB8']], ['blur sigma 20', 7, ['RGBA8', 'RGB8']], ['unsharp_mask', 8, ['RGBA8', 'RGB8']],
  ['trim scan (all border)', 9, ['RGBA8', 'RGB8']], ['edge energy', 10, ['RGBA8', 'RGB8']],
  ['gamma-correct resize to 1/3 (lookups scalar on every backend)', 11, ['RGBA8', 'RGB8']],
  ['sRGB resize to 1/3 (for comparison)', 12, ['RGBA8', 'RGB8']],
  ['ICC Adobe RGB to sRGB (moxcms; transform remembered after the first call)', 13, ['RGBA8', 'RGB8']],
];
for (const [w, h] of [[1920, 1280]]) {
  for (const [kernel, id, layouts] of EFFECTS) {
    for (const layout of layouts) {
      for (const exports of [scalar, simd]) exports.setup_effect(LAYOUTS[layout], w, h);
      const ms = measure(VARIANTS, (v) => v.exports.run_effect(v.id, id));
      const row = { kernel, layout, size: `${w}x${h}`, ms };
      kernelRows.push(row);
      console.error(JSON.stringify(row));
    }
  }
}

// The JPEG decoder's kernels on a 1920x1280 image's worth, ours only: the IDCT of every block
// (photo-like coefficients) at 1/1, 1/2 and 1/4 and halved down, each upsampler making every full-size row, and
// the colour conversion of every pixel; then the encoder's: the forward DCT with quantization of
// every block, and RGB to YCbCr of every pixel.
const JPEG_KERNELS = [
  ['IDCT 8x8 (photo-like blocks)', 0, 'L8'], ['IDCT 8x4 (a plane halved down)', 11, 'L8'],
  ['IDCT 4x4 (1/2 scale)', 1, 'L8'], ['IDCT 2x2 (1/4 scale)', 2, 'L8'],
  ['upsample 2x2 (4:2:0 chroma)', 3, 'L8'], ['upsample 2x1 (4:2:2 chroma)', 4, 'L8'], ['upsample 1x2 (4:4:0 chroma)', 5, 'L8'],
  ['YCbCr to RGB', 6, 'YCbCr'], ['YCbCr to RGB from fine values (planar resize)', 7, 'YCbCr i16'],
  ['forward DCT + quantization (encoder)', 8, 'L8'], ['RGB to YCbCr (encoder, 4:4:4)', 9, 'RGB8'],
  ['RGB to YCbCr, 2x2 chroma (encoder, 4:2:0)', 10, 'RGB8'],
];
for (const [w, h] of [[1920, 1280]]) {
  for (const exports of [scalar, simd]) exports.setup_jpeg_kernels(w, h);
  for (const [kernel, id, layout] of JPEG_KERNELS) {
    const ms = measure(VARIANTS, (v) => v.exports.run_jpeg_kernel(v.id, id));
    const row = { kernel, layout, size: `${w}x${h}`, ms };
    kernelRows.push(row);
    console.error(JSON.stringify(row));
  }
}

// Pipelines: a fresh instance per photo and pipeline gives its peak linear memory (wasm memory
// only grows); a warm instance gives the time.
if (kernelsOnly) {
  for (const r of kernelRows) console.log(`${r.kernel} ${r.layout} ${r.size}: simd128 ${r.ms.simd128?.toFixed(2)} fir ${r.ms.fir?.toFixed(2)} scalar ${r.ms.scalar?.toFixed(1)}`);
  process.exit(0);
}
// No 16 MP JPEG is in the corpus: one is made from a real photo (resized up, q90) by the harness.
const SIXTEEN_MP = { from: photos.find((p) => p.includes('Path')) ?? photos[0], width: 4928, height: 3279 };
const PIPELINES = [
  { name: 'ours (scalar build)', module: scalarModule, id: 0 },
  { name: 'ours (simd128)', module: simdModule, id: 0 },
  { name: 'baseline (simd128)', module: simdModule, id: 1 },
];
const pipelineRows = [];
for (const photo of [...photos.sort(), SIXTEEN_MP]) {
  let bytes = readFileSync(photo.from ?? photo);
  if (photo.from) {
    const maker = simd;
    const pointer = maker.input_buffer(bytes.length);
    new Uint8Array(maker.memory.buffer, pointer, bytes.length).set(bytes);
    const length = maker.synthesize_jpeg(photo.width, photo.height);
    const start = maker.input_buffer_pointer();
    bytes = Buffer.from(new Uint8Array(maker.memory.buffer, start, length));
  }
  const load = (exports) => {
    const pointer = exports.input_buffer(bytes.length);
    new Uint8Array(exports.memory.buffer, pointer, bytes.length).set(bytes);
    return exports;
  };
  const results = {};
  const variants = PIPELINES.map((p) => ({ ...p, exports: load(instantiate(p.module)) }));
  for (const p of PIPELINES) {
    const fresh = load(instantiate(p.module));
    const before = fresh.memory.buffer.byteLength;
    const outBytes = fresh.run_pipeline(p.id, 852, 80);
    results[p.name] = { peakMiB: fresh.memory.buffer.byteLength / 2 ** 20, inputMiB: before / 2 ** 20, outBytes };
  }
  const ms = measure(variants, (v) => v.exports.run_pipeline(v.id, 852, 80));
  for (const p of PIPELINES) results[p.name].ms = ms[p.name];
  const decoder = variants[1].exports;
  const decodeVariants = DECODERS.map((name, id) => ({ name, id }));
  results.decode = measure(decodeVariants, (v) => decoder.run_decode(v.id));
  const name = photo.from ? `${photo.width}x${photo.height} (16 MP, made from ${photo.from.split('/').pop()})` : photo.split('/').pop();
  const row = { photo: name, results };
  pipelineRows.push(row);
  console.error(JSON.stringify(row));
}

// Memory targets: one run each in a fresh instance (too slow to repeat), on JPEGs made to size.
const MEMORY_CASES = [
  { width: 6000, height: 4000, output: 800, limitMiB: 48 },
  { width: 10000, height: 10000, output: 1600, limitMiB: 64 },
];
const memoryRows = [];
{
  const maker = instantiate(simdModule);
  const source = readFileSync(SIXTEEN_MP.from);
  for (const c of MEMORY_CASES) {
    const pointer = maker.input_buffer(source.length);
    new Uint8Array(maker.memory.buffer, pointer, source.length).set(source);
    const length = maker.synthesize_jpeg(c.width, c.height);
    const jpeg = Buffer.from(new Uint8Array(maker.memory.buffer, maker.input_buffer_pointer(), length));
    const row = { ...c, results: {} };
    for (const p of PIPELINES.slice(1)) {
      const fresh = instantiate(p.module);
      const at = fresh.input_buffer(jpeg.length);
      new Uint8Array(fresh.memory.buffer, at, jpeg.length).set(jpeg);
      const start = performance.now();
      const outBytes = fresh.run_pipeline(p.id, c.output, 80);
      row.results[p.name] = { ms: performance.now() - start, peakMiB: fresh.memory.buffer.byteLength / 2 ** 20, outBytes };
    }
    memoryRows.push(row);
    console.error(JSON.stringify(row));
  }
}

// The Worker's own wasm, as deployed.
execFileSync('bash', ['scripts/build-worker.sh'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const workerWasm = readFileSync(`${root}build/index_bg.wasm`);
const size = { raw: workerWasm.length, gzip: gzipSync(workerWasm, { level: 9 }).length };

// ---- reports
const ratio = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}x`);
const machine = `${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);

let kernels = `# Kernel benchmarks\n\n${date}, ${machine}${quick ? ' (quick run: few samples)' : ''}. `
  + `Median milliseconds per call in V8; ratios from the same run. Regenerate: \`npm run bench\`.\n\n`
  + '| kernel | layout | size | scalar | scalar-autovec | simd128 | fir | image | simd128 vs scalar | simd128 vs autovec | fir ÷ simd128 |\n'
  + '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n';
for (const r of kernelRows) {
  const m = r.ms;
  kernels += `| ${r.kernel} | ${r.layout} | ${r.size} | ${fmt(m.scalar)} | ${fmt(m['scalar-autovec'])} | ${fmt(m.simd128)} | ${fmt(m.fir)} | ${fmt(m.image)} | `
    + `${ratio(m.scalar, m.simd128)} | ${ratio(m['scalar-autovec'], m.simd128)} | ${ratio(m.fir, m.simd128)} |\n`;
}
kernels += '\n"fir ÷ simd128" above 1 means ours is faster. fast_image_resize runs without its alpha handling '
  + '(alpha is the separate premultiply/unpremultiply rows, fir\'s MulDiv there).\n';

let pipeline = `# Pipeline benchmarks\n\n${date}, ${machine}${quick ? ' (quick run)' : ''}. JPEG → 852 px wide JPEG at q80, median ms in V8; `
  + 'peak = wasm linear memory after one run in a fresh instance. Baseline: zune-jpeg + fast_image_resize (Lanczos3) + jpeg-encoder.\n\n'
  + '| photo | ours, scalar build | ours, simd128 | baseline | ours ÷ baseline | peak MiB ours | peak MiB baseline |\n|---|--:|--:|--:|--:|--:|--:|\n';
for (const r of pipelineRows) {
  const o = r.results['ours (simd128)'], s = r.results['ours (scalar build)'], b = r.results['baseline (simd128)'];
  pipeline += `| ${r.photo} | ${fmt(s.ms)} | ${fmt(o.ms)} | ${fmt(b.ms)} | ${ratio(o.ms, b.ms)} | ${o.peakMiB.toFixed(1)} | ${b.peakMiB.toFixed(1)} |\n`;
}
pipeline += `\nMemory: one run each in a fresh instance on JPEGs made to size from ${SIXTEEN_MP.from.split('/').pop()} (q90); peak wasm linear memory against the target.\n\n`
  + '| input → output | target MiB | ours peak MiB | ours ms | baseline peak MiB | baseline ms |\n|---|--:|--:|--:|--:|--:|\n';
for (const r of memoryRows) {
  const o = r.results['ours (simd128)'], b = r.results['baseline (simd128)'];
  pipeline += `| ${r.width}x${r.height} (${(r.width * r.height / 1e6).toFixed(0)} MP) → ${r.output} px | ${r.limitMiB} | ${o.peakMiB.toFixed(1)}${o.outBytes ? '' : ' (failed)'} | ${fmt(o.ms)} | ${b.peakMiB.toFixed(1)} | ${fmt(b.ms)} |\n`;
}
pipeline += `\nJPEG decoding alone (simd128 build, ms; \`--decoders\` runs only this, into decoders.md).\n\n| photo | ${DECODERS.join(' | ')} |\n|---|${DECODERS.map(() => '--:').join('|')}|\n`;
for (const r of pipelineRows) pipeline += `| ${r.photo} | ${DECODERS.map((d) => fmt(r.results.decode[d])).join(' | ')} |\n`;
pipeline += `\nWorker wasm (build/index_bg.wasm, after wasm-opt): ${(size.raw / 1024).toFixed(0)} KiB raw, ${(size.gzip / 1024).toFixed(0)} KiB gzip -9.\n`;

// A horizontal bar chart: simd128's speedup over the scalar build, and fir's time relative to ours.
const bars = kernelRows.filter((r) => r.ms.simd128 && r.ms.scalar);
const rowHeight = 18, left = 330, scaleX = 40, width = left + 12 * scaleX + 60;
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bars.length * rowHeight + 60}" font-family="sans-serif" font-size="11">\n`
  + `<text x="10" y="16" font-size="13">simd128 speedup over the scalar build (blue) and fir time ÷ ours (orange); line at 1x</text>\n`;
bars.forEach((r, i) => {
  const y = 30 + i * rowHeight;
  const speedup = r.ms.scalar / r.ms.simd128, vsFir = r.ms.fir ? r.ms.fir / r.ms.simd128 : 0;
  svg += `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${r.kernel} ${r.layout} ${r.size}</text>`
    + `<rect x="${left}" y="${y + 1}" width="${Math.min(speedup, 12) * scaleX}" height="7" fill="#3b7dd8"/>`
    + `<text x="${left + Math.min(speedup, 12) * scaleX + 4}" y="${y + 8}">${speedup.toFixed(1)}x</text>`
    + (vsFir ? `<rect x="${left}" y="${y + 9}" width="${Math.min(vsFir, 12) * scaleX}" height="7" fill="#e8892b"/>`
      + `<text x="${left + Math.min(vsFir, 12) * scaleX + 4}" y="${y + 16}">${vsFir.toFixed(2)}</text>` : '') + '\n';
});
svg += `<line x1="${left + scaleX}" y1="26" x2="${left + scaleX}" y2="${bars.length * rowHeight + 32}" stroke="#333" stroke-dasharray="3,2"/>\n</svg>\n`;

mkdirSync(`${root}benches/results`, { recursive: true });
writeFileSync(`${root}benches/results/kernels.md`, kernels);
writeFileSync(`${root}benches/results/pipeline.md`, pipeline);
writeFileSync(`${root}benches/results/speedups.svg`, svg);
writeFileSync(`${root}benches/results/results.json`, JSON.stringify({ date, machine, quick, kernelRows, pipelineRows, memoryRows, size }, null, 1) + '\n');
console.log(kernels + '\n' + pipeline);
