// Codec benchmark: every photo in ../shared/corpus/photos resized to 800 and 1600 px wide (never
// enlarged) by our pipeline, then encoded in V8 (wasm, simd128) by each of our encoders at the
// default quality (85), against libjpeg-turbo's q85 JPEG of the same pixels (`vips jpegsave
// Q=85`, the usual CDN default). Each output is decoded by an independent decoder and scored
// against a float Lanczos3 resize of the original (benches/quality): SSIMULACRA2 (higher is
// better), DSSIM (`cargo install dssim`; lower is better) and PSNR. Encode times are medians of
// interleaved rounds. Writes benches/results/codecs.md.
//
// Usage: node benches/codecs.mjs [--quick]   (--quick: the 800 px size only, one round)
// Needs: vips (Debian libvips-tools), dssim, avifdec; it installs what is missing.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const corpus = join(root, '../shared/corpus/photos');
const QUALITY = 85;
const MAX_AVIF_DIMENSION = 1600;
const ROUNDS = quick ? 1 : 5;
const AVIF_ROUNDS = quick ? 1 : 3;

if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus}: nothing to measure`);
  process.exit(1);
}
const run = (command, args, options = {}) => execFileSync(command, args, { cwd: root, encoding: 'utf8', ...options });
const has = (command) => { try { run('sh', ['-c', `command -v ${command}`]); return true; } catch { return false; } };
if (!has('vips')) run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libvips-tools'], { stdio: 'inherit' });
if (!has('dssim')) run('cargo', ['install', 'dssim', '--version', '3.5.1', '--locked'], { stdio: 'inherit' });

console.error('building the harness (wasm32, simd128) and the scorer ...');
run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', 'benches/harness/Cargo.toml'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, RUSTFLAGS: '-C target-feature=+simd128', CARGO_TARGET_DIR: `${root}target/bench-simd128` },
});
run('cargo', ['build', '--release', '--manifest-path', 'benches/quality/Cargo.toml'], { stdio: ['ignore', 'ignore', 'inherit'] });
const scorer = join(root, 'benches/quality/target/release/codec-quality');

const module = new WebAssembly.Module(readFileSync(`${root}target/bench-simd128/wasm32-unknown-unknown/release/bench_harness.wasm`));
// rav1e brings wasm-bindgen placeholder imports it never calls in this build.
const imports = {};
for (const { module: from, name } of WebAssembly.Module.imports(module)) {
  imports[from] ??= {};
  imports[from][name] = () => { throw new Error(`${from}.${name} called`); };
}
const wasm = new WebAssembly.Instance(module, imports).exports;

const ENCODERS = [
  { name: 'jpeg', id: 0, ext: 'jpg' },
  { name: 'webp', id: 1, ext: 'webp' },
  { name: 'avif', id: 2, ext: 'avif' },
  { name: 'jpeg-encoder (before)', id: 3, ext: 'before.jpg' },
];
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const bytesOf = (pointer, length) => Buffer.from(new Uint8Array(wasm.memory.buffer, pointer, length));

const work = join(tmpdir(), `codecs-bench-${process.pid}`);
mkdirSync(work, { recursive: true });
const photos = readdirSync(corpus).sort();
const widths = quick ? [800] : [800, 1600];
const rows = [];
for (const photo of photos) {
  const source = readFileSync(join(corpus, photo));
  const input = wasm.input_buffer(source.length);
  new Uint8Array(wasm.memory.buffer, input, source.length).set(source);
  for (const width of widths) {
    const pngLength = wasm.prepare_codec(width);
    if (!pngLength) throw new Error(`${photo}: the pipeline failed`);
    const base = join(work, `${photo}-${width}`);
    const resized = `${base}.png`;
    writeFileSync(resized, bytesOf(wasm.codec_png_pointer(), pngLength));
    const [w, h] = ['width', 'height'].map((field) => Number(run('vipsheader', ['-f', field, resized]).trim()));
    if (width === 1600 && w < 1600) continue; // the photo is smaller: its 800 px row covers it
    const files = {};
    const times = {};
    for (const encoder of ENCODERS) times[encoder.name] = [];
    const avifAllowed = Math.max(w, h) <= MAX_AVIF_DIMENSION;
    for (let round = 0; round < ROUNDS; round++) {
      for (const encoder of ENCODERS) {
        if (encoder.name === 'avif' && (!avifAllowed || round >= AVIF_ROUNDS)) continue;
        const start = performance.now();
        const length = wasm.run_codec(encoder.id, QUALITY);
        times[encoder.name].push(performance.now() - start);
        if (!length) throw new Error(`${photo} ${width}: ${encoder.name} failed`);
        if (round === 0) {
          files[encoder.name] = `${base}.${encoder.ext}`;
          writeFileSync(files[encoder.name], bytesOf(wasm.codec_output_pointer(), length));
        }
      }
    }
    files['libjpeg-turbo q85'] = `${base}.turbo.jpg`;
    run('vips', ['jpegsave', resized, files['libjpeg-turbo q85'], `--Q=${QUALITY}`]);
    const reference = `${base}.reference.png`;
    run(scorer, ['reference', join(corpus, photo), String(w), String(h), reference]);
    const names = Object.keys(files);
    const scores = run(scorer, ['score', reference, ...names.map((name) => files[name])]).trim().split('\n');
    for (const [index, name] of names.entries()) {
      const [, bytes, ssimulacra2, psnr] = scores[index].split(',');
      const decoded = `${files[name]}.decoded.png`;
      run(scorer, ['decode', files[name], decoded]);
      const dssim = Number(run('dssim', [reference, decoded]).trim().split(/\s+/)[0]);
      rows.push({
        photo, width, size: `${w}x${h}`, encoder: name, bytes: Number(bytes), ssimulacra2: Number(ssimulacra2),
        psnr: Number(psnr), dssim, ms: times[name] ? median(times[name]) : null,
      });
    }
    console.error(`${photo} ${w}x${h} done`);
  }
}
rmSync(work, { recursive: true, force: true });

// Ratios against libjpeg-turbo q85 on the same pixels: geometric means over the photos.
const geomean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
function summary(width, encoder) {
  const pairs = [];
  for (const row of rows.filter((r) => r.width === width && r.encoder === encoder)) {
    const turbo = rows.find((r) => r.photo === row.photo && r.width === width && r.encoder === 'libjpeg-turbo q85');
    pairs.push({ row, turbo });
  }
  if (!pairs.length) return null;
  return {
    photos: pairs.length,
    bytes: geomean(pairs.map(({ row, turbo }) => row.bytes / turbo.bytes)),
    ssimulacra2: mean(pairs.map(({ row, turbo }) => row.ssimulacra2 - turbo.ssimulacra2)),
    psnr: mean(pairs.map(({ row, turbo }) => row.psnr - turbo.psnr)),
    dssim: geomean(pairs.map(({ row, turbo }) => row.dssim / turbo.dssim)),
    ms: median(pairs.map(({ row }) => row.ms).filter((ms) => ms !== null)),
    worstMs: Math.max(...pairs.map(({ row }) => row.ms ?? 0)),
  };
}

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const signed = (value, digits = 2) => (value >= 0 ? '+' : '') + value.toFixed(digits);
let md = `# Codecs

Generated by \`node benches/codecs.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, node ${process.version}.
Every photo in \`../shared/corpus/photos\` resized by our pipeline to 800 and 1600 px wide (never
enlarged), encoded at the default quality (${QUALITY}) by our encoders in V8 (wasm32, simd128), and by
libjpeg-turbo at Q=${QUALITY} (\`vips jpegsave\`) from the same pixels. Scores compare each output, read
by a decoder independent of its encoder (jpeg-decoder, image-webp, libavif), with a float Lanczos3
resize of the original: SSIMULACRA2 (higher is better), DSSIM (lower is better), PSNR in dB.
Encode times are medians of ${ROUNDS} interleaved rounds (AVIF ${AVIF_ROUNDS}); AVIF is only made up to
${MAX_AVIF_DIMENSION} px on the long side (\`MAX_AVIF_DIMENSION\`), as the Worker does.
"jpeg-encoder (before)" is how the Worker wrote JPEG before this benchmark existed (jpeg-encoder's
defaults).

## Against libjpeg-turbo q85, same pixels (geometric mean of the byte ratios; mean score differences)

| width | encoder | photos | bytes | SSIMULACRA2 | PSNR | DSSIM | encode ms (median / worst) |
|---|---|--:|--:|--:|--:|--:|--:|
`;
for (const width of widths) {
  for (const encoder of ['avif', 'webp', 'jpeg', 'jpeg-encoder (before)']) {
    const s = summary(width, encoder);
    if (!s) continue;
    md += `| ${width} | ${encoder} | ${s.photos} | ${s.bytes.toFixed(3)}x | ${signed(s.ssimulacra2)} | ${signed(s.psnr)} | ${s.dssim.toFixed(2)}x | ${fmt(s.ms)} / ${fmt(s.worstMs)} |\n`;
  }
}
const target = (label, encoder, limit, psnrFloor) => {
  const s = summary(800, encoder);
  if (!s) return '';
  const pass = s.bytes <= limit && s.ssimulacra2 >= 0 && s.psnr >= -psnrFloor;
  return `| ${label} | ≤ ${limit}x, SSIMULACRA2 ≥ +0, PSNR ≥ −${psnrFloor} | ${s.bytes.toFixed(3)}x, ${signed(s.ssimulacra2)}, ${signed(s.psnr)} | ${pass ? 'met' : 'missed'} |\n`;
};
md += `
## Targets at 800 px

| output | target | measured (bytes, SSIMULACRA2, PSNR) | |
|---|---|---|---|
${target('`format=auto`, Chrome (AVIF)', 'avif', 0.65, 1)}${target('`format=webp`', 'webp', 0.85, 1)}${target('`format=jpeg`', 'jpeg', 0.9, 0.5)}
## Every photo

| photo | size | encoder | bytes | encode ms | SSIMULACRA2 | DSSIM | PSNR |
|---|---|---|--:|--:|--:|--:|--:|
`;
for (const row of rows) {
  md += `| ${row.photo} | ${row.size} | ${row.encoder} | ${row.bytes} | ${fmt(row.ms)} | ${fmt(row.ssimulacra2, 2)} | ${fmt(row.dssim, 5)} | ${fmt(row.psnr, 2)} |\n`;
}
if (!quick) writeFileSync(join(root, 'benches/results/codecs.md'), md);
console.log(md);
