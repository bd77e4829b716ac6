// Memory benchmark: the wasm linear memory one request grows to, per source format × input size ×
// output width, each in a fresh instance of the harness (wasm32, simd128) in V8, as a fresh Worker
// isolate would, beside the memory budget's estimate for it. Sources are synthetic (a smooth
// picture with fine detail): PNG written here (plain, 16-bit and interlaced), WebP by cwebp from
// such a PNG, JPEG and GIF by the harness. Requests use the Worker's default limits. Writes
// benches/results/memory.md.
//
// Usage: node benches/memory.mjs [--check]
//   --check: 1 and 4 MP sources, with every option mix below, under budgets of 64 and 16 MiB,
//   and 4 MP PNGs and an animated GIF of noise at fine qualities under 64 and 192; fails unless
//   each request is refused or stays within its estimate, animations within the budget (npm test
//   runs this).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const MEGAPIXELS = check ? [1, 4] : [4, 16, 50, 100];
const MIB = 1 << 20;
const BUDGET_MIB = 64;
// The table's requests; --check adds what changes the route or its memory.
const OPTIONS = ['width=800,format=jpeg', 'width=1600,format=jpeg'];
// Options that read the pixels before the plan, for the sources named.
const PLACING_OPTIONS = ['trim=border,width=1600,format=jpeg', 'width=1600,height=1200,fit=cover,gravity=auto,format=jpeg'];
const CHECK_OPTIONS = [
  'width=800,format=png', 'width=1200,format=webp', 'width=600,format=avif', 'width=5000,fit=contain,format=jpeg',
  'width=700,gamma-correct=true,format=jpeg', 'width=300,height=300,fit=cover,gravity=auto,format=jpeg',
  'trim=border,width=500,format=jpeg', 'width=400,blur=20,sharpen=3,format=png', 'width=1000,height=1000,fit=pad,format=gif',
  'format=png', 'width=640,rotate=90,border.width=40,format=jpeg', 'width=300,format=webp', 'width=200,gamma-correct=true',
  // Large outputs, which the encoders' per-pixel factors decide.
  'width=1900,height=1400,fit=squeeze,gamma-correct=true,rotate=90,format=jpeg', 'width=2400,height=1800,fit=squeeze,format=png',
  'width=2600,height=2000,fit=squeeze,format=webp', 'width=1400,height=1000,fit=pad,blur=2,format=webp',
  'width=2000,height=1500,fit=pad,format=gif',
];
// Encoders hold more the more they code: fine qualities on noise, the most an image can make.
// --check runs these on noise sources only (AVIF encodes take seconds), also under a budget
// large enough for the largest to be encoded rather than refused.
const NOISE_OPTIONS = [
  'width=400,format=avif,quality=100', 'width=800,format=avif,quality=100', 'width=1100,format=avif,quality=90',
  'width=1600,format=avif', 'width=2000,format=webp,quality=100', 'width=2000,format=jpeg,quality=100',
  'width=2000,format=jpeg,quality=89', 'width=2000,format=png',
];
const NOISE_BUDGETS = [64, 192];
// Animations of noise code to more than the estimate allows for their frames: the pipeline stops
// them mid-way, with a 413, before they outgrow the budget.
const NOISE_ANIMATION_OPTIONS = ['width=800,format=gif', 'width=800,format=webp,quality=100', 'width=400,format=webp'];
const BUDGETS = check ? [64, 16] : [BUDGET_MIB];

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

// PNG: chunks with their CRCs, rows filtered "up" and deflated at level 6 (a few MB at 100 MP, as
// drawings and screenshots compress), optionally in Adam7's seven passes.
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
function png(width, height, { channels = 4, bits = 8, interlaced = false, noise = false }) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bits;
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels];
  ihdr[12] = interlaced ? 1 : 0;
  const bytesPerSample = bits / 8;
  // Noise: every sample from xorshift32 (seeded, so each run codes the same picture).
  let state = 2463534242;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 0xff;
  };
  const sample = noise ? random : (x, y, c) => ((x * (3 + c) + y * (5 - c) + ((x ^ y) % 7)) % 256);
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const parts = [];
  for (const [x0, y0, dx, dy] of passes) {
    const columns = Math.max(0, Math.ceil((width - x0) / dx));
    if (!columns) continue;
    const rowLen = columns * channels * bytesPerSample;
    let above = Buffer.alloc(rowLen);
    for (let y = y0; y < height; y += dy) {
      const raw = Buffer.alloc(rowLen);
      let o = 0;
      for (let x = x0; x < width; x += dx) {
        for (let c = 0; c < channels; c++) {
          const v = c === 3 && !noise ? 255 - ((x + y) % 64) : sample(x, y, c);
          raw[o] = v;
          if (bytesPerSample === 2) raw[o + 1] = v ^ 0x5a;
          o += bytesPerSample;
        }
      }
      // Filter type 2 ("up"): each byte less the one above it (in the same pass).
      const row = Buffer.alloc(1 + rowLen);
      row[0] = 2;
      for (let i = 0; i < rowLen; i++) row[1 + i] = (raw[i] - above[i]) & 0xff;
      parts.push(row);
      above = raw;
    }
  }
  const idat = deflateSync(Buffer.concat(parts), { level: 6 });
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
  { name: 'JPEG baseline', make: (w, h) => fromHarness(0, w, h), placing: true },
  { name: 'JPEG progressive', make: (w, h) => fromHarness(1, w, h) },
  { name: 'PNG RGBA 8-bit', make: (w, h) => png(w, h, {}), placing: true },
  { name: 'PNG RGB 8-bit', make: (w, h) => png(w, h, { channels: 3 }) },
  { name: 'PNG RGBA 16-bit', make: (w, h) => png(w, h, { bits: 16 }) },
  { name: 'PNG RGBA interlaced', make: (w, h) => png(w, h, { interlaced: true }) },
  // WebP's sides stop at 16383 px, and libwebp takes minutes to make the largest.
  { name: 'WebP lossy', make: (w, h) => webp(w, h, false), maxMegapixels: 50 },
  { name: 'WebP lossless', make: (w, h) => webp(w, h, true), maxMegapixels: 50 },
  { name: 'GIF', make: (w, h) => fromHarness(2, w, h) },
  { name: 'PNG RGB noise', make: (w, h) => png(w, h, { channels: 3, noise: true }), checkOptions: NOISE_OPTIONS, budgets: NOISE_BUDGETS, megapixels: [4] },
  { name: 'PNG RGBA noise', make: (w, h) => png(w, h, { noise: true }), checkOptions: NOISE_OPTIONS, budgets: NOISE_BUDGETS, megapixels: [4] },
  // 24 frames of 800x600.
  { name: 'GIF noise animation', make: (w, h) => fromHarness(3, w, h), checkOptions: NOISE_ANIMATION_OPTIONS, budgets: NOISE_BUDGETS, megapixels: [0.48], animated: true },
];
// Animations: real files at their own size (their frames count against the input limit).
const ANIMATIONS = ['fire.gif', 'porsche.gif'].map((file) => ({ name: `GIF ${file}`, file: join(root, 'fixtures', file), animated: true }));

/// One request on a fresh instance under a budget of `budgetMib`: the memory before it (source
/// copied in) and after, its status and error message.
function request(source, options, budgetMib) {
  const wasm = instance();
  const input = wasm.input_buffer(source.length);
  new Uint8Array(wasm.memory.buffer, input, source.length).set(source);
  const text = Buffer.from(options);
  new Uint8Array(wasm.memory.buffer, wasm.options_buffer(text.length), text.length).set(text);
  const before = wasm.memory.buffer.byteLength;
  const start = performance.now();
  const length = wasm.run_transform(budgetMib);
  const ms = performance.now() - start;
  const status = wasm.last_status();
  const message = status === 200 ? '' : Buffer.from(new Uint8Array(wasm.memory.buffer, wasm.last_message(), wasm.last_message_len())).toString();
  // The estimate the request was checked with: its route's, or what its 413 says.
  const said = /needs an estimated (\d+) MiB/.exec(message);
  const estimated = status === 200 ? wasm.last_estimate_mib() * MIB : said ? Number(said[1]) * MIB : null;
  return { before, after: wasm.memory.buffer.byteLength, status, message, length, ms, estimated };
}


const rows = [];
const failures = [];
const cases = [];
for (const source of SOURCES.filter((source) => check || !source.checkOptions)) {
  for (const megapixels of (source.megapixels ?? MEGAPIXELS).filter((mp) => mp <= (source.maxMegapixels ?? Infinity))) {
    // 4:3 landscape, as most photos.
    const width = Math.round(Math.sqrt(megapixels * 1e6 * 4 / 3));
    const height = Math.round(megapixels * 1e6 / width);
    cases.push({ source, megapixels, width, height, make: () => source.make(width, height) });
  }
}
for (const source of ANIMATIONS) {
  const bytes = readFileSync(source.file);
  const [width, height] = [bytes.readUInt16LE(6), bytes.readUInt16LE(8)];
  cases.push({ source, megapixels: +(width * height / 1e6).toFixed(2), width, height, make: () => bytes });
}
for (const { source, megapixels, width, height, make } of cases) {
  const bytes = make();
  const table = source.placing ? [...OPTIONS, ...PLACING_OPTIONS] : OPTIONS;
  for (const options of check ? source.checkOptions ?? [...OPTIONS, ...CHECK_OPTIONS] : table) {
    for (const budget of check ? source.budgets ?? BUDGETS : BUDGETS) {
      const m = request(bytes, options, budget);
      const row = { source: source.name, megapixels, size: `${width}x${height}`, file: bytes.length, options, budget, ...m };
      rows.push(row);
      const what = `${source.name} ${width}x${height} ${options} (budget ${budget} MiB)`;
      console.error(`${what}: ${m.status}, ${(m.after / MIB).toFixed(1)} MiB of ${(m.estimated / MIB).toFixed(0)} estimated, ${m.ms.toFixed(0)} ms`);
      // Outputs over the output limits are refused before any estimate.
      if (m.status === 400 && m.message.includes('outputs are limited')) continue;
      // An animation's frames may code to more than its estimate allows: it must then stay within
      // the budget, finished or stopped mid-way.
      const stopped = m.status === 413 && m.message.includes('the animation outgrew the memory budget');
      if (source.animated && (m.status === 200 || stopped)) {
        if (m.after > budget * MIB) failures.push(`${what}: ${(m.after / MIB).toFixed(1)} MiB, over the budget`);
        if (stopped) continue;
      } else if (m.status === 200 && m.after > m.estimated) {
        failures.push(`${what}: ${(m.after / MIB).toFixed(1)} MiB over its estimate of ${m.estimated / MIB}`);
      }
      if (m.estimated === null) failures.push(`${what}: no estimate (${m.status} ${m.message})`);
      if (m.status === 200 && m.estimated > budget * MIB) failures.push(`${what}: accepted though estimated over the budget`);
      if (m.status === 413 && m.estimated <= budget * MIB) failures.push(`${what}: refused within the budget`);
      if (m.status !== 200 && m.status !== 413) failures.push(`${what}: ${m.status} ${m.message}`);
    }
  }
}
rmSync(work, { recursive: true, force: true });
if (check) {
  console.log(`${rows.length} requests, ${rows.filter((r) => r.status === 413).length} refused by the budget`);
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  process.exit(0);
}

const mib = (bytes) => (bytes / MIB).toFixed(1);
let md = `# Memory

Generated by \`node benches/memory.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, node ${process.version}.
Each request runs in a fresh instance of the benchmark harness (wasm32, simd128) in V8, as in a fresh
Worker isolate: the source is copied in, then the options run through the whole pipeline with the
Worker's default limits (a memory budget, \`MAX_WORKING_BYTES\`, of ${BUDGET_MIB} MiB; input up to 100 MP).
"Estimate" is the budget's estimate for the request, made from the header before any pixel
buffer exists; over the budget, the request is refused with a 413. "Linear memory" is the wasm
memory's size afterwards (it never shrinks, so it is the request's peak, rounded up to 64 KiB pages
and including the allocator's fragmentation, source included); "grown" is what the request added
to the source.
Sources are synthetic, 4:3: JPEG q85 and GIF from the harness, PNG from the benchmark (filter up,
deflate level 6: a few MB at 100 MP, as drawings and screenshots compress), WebP from \`cwebp\`.
\`trim=border\` and \`gravity=auto\` on a PNG too large to decode whole read its rows in a first pass.

| source | input | file | options | estimate | status | linear memory | grown | time |
|---|---|--:|---|--:|--:|--:|--:|--:|
`;
for (const r of rows) {
  const refused = r.status === 413;
  md += `| ${r.source} | ${r.megapixels} MP (${r.size}) | ${mib(r.file)} MiB | \`${r.options}\` | ${mib(r.estimated)} MiB | ${r.status} | ${refused ? '—' : `${mib(r.after)} MiB`} | ${refused ? '—' : `${mib(r.after - r.before)} MiB`} | ${r.ms.toFixed(0)} ms |\n`;
}
writeFileSync(join(root, 'benches/results/memory.md'), md);
console.log(md);
