// Memory benchmark: the wasm linear memory one request grows to, per source format × input size ×
// output width, each in a fresh instance of the harness (wasm32, simd128) in V8, as a fresh Worker
// isolate would. Sources are synthetic (a smooth picture with fine detail): PNG written here
// (plain, 16-bit and interlaced), WebP by cwebp from such a PNG, JPEG and GIF by the harness.
// Requests use the Worker's default limits with the input pixel limit at 100 MP.
// Writes benches/results/memory.md.
//
// Usage: node benches/memory.mjs [--quick]   (--quick: 4 and 16 MP only)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const MEGAPIXELS = quick ? [4, 16] : [4, 16, 50, 100];
const WIDTHS = [800, 1600];
const MIB = 1 << 20;

const run = (command, args, options = {}) => execFileSync(command, args, { cwd: root, encoding: 'utf8', ...options });
console.error('building the harness (wasm32, simd128) ...');
run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', 'benches/harness/Cargo.toml'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, RUSTFLAGS: '-C target-feature=+simd128', CARGO_TARGET_DIR: `${root}target/bench-simd128` },
});
const module = new WebAssembly.Module(readFileSync(`${root}target/bench-simd128/wasm32-unknown-unknown/release/bench_harness.wasm`));
// rav1e brings wasm-bindgen placeholder imports it never calls in this build.
function instance() {
  const imports = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = () => { throw new Error(`${from}.${name} called`); };
  }
  return new WebAssembly.Instance(module, imports).exports;
}

// PNG: chunks with their CRCs, rows filtered "none", optionally in Adam7's seven passes.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
function png(width, height, { channels = 4, bits = 8, interlaced = false }) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bits;
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels];
  ihdr[12] = interlaced ? 1 : 0;
  const bytesPerSample = bits / 8;
  const sample = (x, y, c) => ((x * (3 + c) + y * (5 - c) + ((x ^ y) % 7)) % 256);
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const parts = [];
  for (const [x0, y0, dx, dy] of passes) {
    const columns = Math.max(0, Math.ceil((width - x0) / dx));
    if (!columns) continue;
    const rowLen = 1 + columns * channels * bytesPerSample;
    for (let y = y0; y < height; y += dy) {
      const row = Buffer.alloc(rowLen);
      let o = 1;
      for (let x = x0; x < width; x += dx) {
        for (let c = 0; c < channels; c++) {
          const v = c === 3 ? 255 - ((x + y) % 64) : sample(x, y, c);
          row[o] = v;
          if (bytesPerSample === 2) row[o + 1] = v ^ 0x5a;
          o += bytesPerSample;
        }
      }
      parts.push(row);
    }
  }
  const idat = deflateSync(Buffer.concat(parts), { level: 1 });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

function fromHarness(kind, width, height) {
  const maker = instance();
  const length = maker.synthesize_source(kind, width, height);
  if (!length) throw new Error(`the harness could not make source ${kind} at ${width}x${height}`);
  return Buffer.from(new Uint8Array(maker.memory.buffer, maker.input_buffer_pointer(), length));
}

const work = mkdtempSync(join(tmpdir(), 'memory-bench-'));
function webp(width, height, lossless) {
  const input = join(work, 'source.png');
  const output = join(work, 'source.webp');
  writeFileSync(input, png(width, height, { channels: 3 }));
  run('cwebp', [...(lossless ? ['-lossless', '-z', '0'] : ['-q', '80', '-m', '0']), '-quiet', input, '-o', output]);
  return readFileSync(output);
}

const SOURCES = [
  { name: 'JPEG baseline', make: (w, h) => fromHarness(0, w, h) },
  { name: 'JPEG progressive', make: (w, h) => fromHarness(1, w, h) },
  { name: 'PNG RGBA 8-bit', make: (w, h) => png(w, h, {}) },
  { name: 'PNG RGB 8-bit', make: (w, h) => png(w, h, { channels: 3 }) },
  { name: 'PNG RGBA 16-bit', make: (w, h) => png(w, h, { bits: 16 }) },
  { name: 'PNG RGBA interlaced', make: (w, h) => png(w, h, { interlaced: true }) },
  // WebP's sides stop at 16383 px, and libwebp takes minutes to make the largest.
  { name: 'WebP lossy', make: (w, h) => webp(w, h, false), maxMegapixels: 50 },
  { name: 'WebP lossless', make: (w, h) => webp(w, h, true), maxMegapixels: 50 },
  { name: 'GIF', make: (w, h) => fromHarness(2, w, h) },
];

/// One request on a fresh instance: the memory before it (source copied in) and after.
function measure(source, options) {
  const wasm = instance();
  const input = wasm.input_buffer(source.length);
  new Uint8Array(wasm.memory.buffer, input, source.length).set(source);
  const text = Buffer.from(options);
  new Uint8Array(wasm.memory.buffer, wasm.options_buffer(text.length), text.length).set(text);
  const before = wasm.memory.buffer.byteLength;
  const start = performance.now();
  const length = wasm.run_transform();
  return { before, after: wasm.memory.buffer.byteLength, status: wasm.last_status(), length, ms: performance.now() - start };
}

const rows = [];
for (const source of SOURCES) {
  for (const megapixels of MEGAPIXELS.filter((mp) => mp <= (source.maxMegapixels ?? Infinity))) {
    // 4:3 landscape, as most photos.
    const width = Math.round(Math.sqrt(megapixels * 1e6 * 4 / 3));
    const height = Math.round(megapixels * 1e6 / width);
    const bytes = source.make(width, height);
    for (const outWidth of WIDTHS) {
      const m = measure(bytes, `width=${outWidth},format=jpeg`);
      rows.push({ source: source.name, megapixels, size: `${width}x${height}`, file: bytes.length, outWidth, ...m });
      console.error(`${source.name} ${width}x${height} -> ${outWidth}: ${m.status}, ${(m.after / MIB).toFixed(1)} MiB, ${m.ms.toFixed(0)} ms`);
    }
  }
}
rmSync(work, { recursive: true, force: true });

const mib = (bytes) => (bytes / MIB).toFixed(1);
let md = `# Memory

Generated by \`node benches/memory.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, node ${process.version}.
Each request runs in a fresh instance of the benchmark harness (wasm32, simd128) in V8, as in a fresh
Worker isolate: the source is copied in, then \`width=W,format=jpeg\` runs through the whole pipeline
with the Worker's default limits and the input pixel limit at 100 MP. "Linear memory" is the wasm
memory's size afterwards (it never shrinks, so it is the request's peak, rounded up to 64 KiB pages
and including the allocator's fragmentation); "grown" is what the request added to the source.
Sources are synthetic, 4:3: JPEG q85 and GIF from the harness, PNG from the benchmark (filter none,
deflate level 1), WebP from \`cwebp\`.

| source | input | file | output | status | linear memory | grown | time |
|---|---|--:|--:|--:|--:|--:|--:|
`;
for (const r of rows) {
  md += `| ${r.source} | ${r.megapixels} MP (${r.size}) | ${mib(r.file)} MiB | ${r.outWidth} px | ${r.status} | ${mib(r.after)} MiB | ${mib(r.after - r.before)} MiB | ${r.ms.toFixed(0)} ms |\n`;
}
if (!quick) writeFileSync(join(root, 'benches/results/memory.md'), md);
console.log(md);
