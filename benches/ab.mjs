// Interleaved A/B of two builds of the bench harness (benches/harness), for judging a change to a
// kernel, the decoder or the pipeline: both instances in one node process, calls alternating
// (the order reversed every round), and for each case the median of the per-round ratios B ÷ A,
// which host noise moves far less than medians taken in separate runs. Ratios under 1 mean B is
// faster. Each build runs in several instances (--instances, default 3), alternating A, B, A, B
// ...: an instance's speed can depend on where its memory lies (one resize case ran 18% slower
// in the second of two instances of the same build, every time), and the geometric mean over
// instances evens that out. This host's noise reaches ±7% between identical builds, so trust
// effects of 5% or more (run A against A first to see the noise on the day).
//
// Build the harness with simd128 at each revision and keep a copy of each wasm:
//   RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/bench-simd128 \
//     cargo build --release --target wasm32-unknown-unknown --manifest-path benches/harness/Cargo.toml
//   cp target/bench-simd128/wasm32-unknown-unknown/release/bench_harness.wasm /tmp/a.wasm
//
// Usage: node benches/ab.mjs MODE A.wasm B.wasm [--rounds N] [--instances N] [--fir]
//   resize    the resize cases of kernels.md that fast_image_resize runs closest to (CASES env,
//             JSON [[channels, filter, width, height, out_width, out_height], ...]; filter indexes
//             kernels::Filter::ALL: 0 nearest, 1 box, 2 bilinear, 3 Catmull-Rom, 4 Mitchell,
//             5 Lanczos3); --fir adds fast_image_resize (from A) as a third column
//   decode    our JPEG decoder at 1/1, 1/2, 1/4 and 1/8 (SCALES env, e.g. 1,8) on PHOTOS
//   pipeline  JPEG → WIDTH px (default 800) JPEG at q85 through the whole pipeline on PHOTOS
//   avif      the AVIF encoder alone at QUALITY (default 85) on PHOTOS resized to WIDTH px (as
//             benches/codecs.mjs times it), with each build's bytes: for judging rav1e's settings
// PHOTOS: comma-separated image paths (default: the corpus's 13 MP photo and two 2560x1600 ones,
// or the fixtures without the corpus).

import { existsSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const [mode, fileA, fileB] = args.filter((arg, i) => !arg.startsWith('--') && !/^--(rounds|instances)$/.test(args[i - 1]));
if (!['resize', 'decode', 'pipeline', 'avif'].includes(mode) || !fileA || !fileB) {
  console.error('usage: node benches/ab.mjs resize|decode|pipeline|avif A.wasm B.wasm [--rounds N] [--instances N] [--fir]');
  process.exit(2);
}
const rounds = option('--rounds', 15);
const instances = option('--instances', 3);

// rav1e brings wasm-bindgen placeholder imports it never calls in this build.
function instantiate(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  const imports = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = () => { throw new Error(`${from}.${name} called`); };
  }
  return new WebAssembly.Instance(module, imports).exports;
}
// A's and B's instances, made in turn.
const [as, bs] = [[], []];
for (let i = 0; i < instances; i++) {
  as.push(instantiate(fileA));
  bs.push(instantiate(fileB));
}
if ([...as, ...bs].some((exports) => exports.has_simd128() !== 1)) throw new Error('build both with -C target-feature=+simd128');
const everyInstance = [...as, ...bs];

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

const geometricMean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

// Times `contenders` (each a list of functions, one per instance, returning a truthy result)
// interleaved, every instance once a round; per contender the median over rounds of the
// geometric mean of its instances' ms, and each contender after the first as the median of its
// per-round ratios to the first.
function compare(contenders) {
  // Instance by instance, each contender's in turn: A1, B1, A2, B2, ...
  const runs = contenders[0].flatMap((_, i) => contenders.map((instancesOf, c) => ({ run: instancesOf[i], c })));
  for (const { run } of runs) if (!run()) throw new Error('a run failed (its result was 0)');
  const perRound = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...runs].reverse() : runs;
    const times = contenders.map(() => []);
    for (const { run, c } of order) {
      const start = performance.now();
      run();
      times[c].push(performance.now() - start);
    }
    times.forEach((t, c) => perRound[c].push(geometricMean(t)));
  }
  const ratios = perRound.slice(1).map((t) => median(t.map((ms, round) => ms / perRound[0][round])));
  return { ms: perRound.map(median), ratios };
}

function load(exports, photo) {
  const data = readFileSync(photo);
  const at = exports.input_buffer(data.length);
  new Uint8Array(exports.memory.buffer, at, data.length).set(data);
}

const corpus = `${root}../shared/corpus/photos`;
const photos = process.env.PHOTOS?.split(',')
  ?? (existsSync(corpus)
    ? ['gdk-pixbuf-issue70-meizu-3120x4208.jpg', 'plasma-FallenLeaf-2560x1600.jpg', 'plasma-Kite-2560x1600.jpg'].map((f) => `${corpus}/${f}`)
    : ['rocket.jpg', 'retina.jpg'].map((f) => `${root}fixtures/${f}`));

const OURS_SIMD128 = 1;
const FAST_IMAGE_RESIZE = 2;
const CODEC_AVIF = 2;
const lines = [];
if (mode === 'resize') {
  const cases = JSON.parse(process.env.CASES ?? JSON.stringify([
    [4, 3, 4928, 3279, 852, 567], [4, 2, 4928, 3279, 852, 567], [3, 3, 4928, 3279, 852, 567],
    [4, 3, 4928, 3279, 320, 213], [4, 2, 4928, 3279, 320, 213], [3, 3, 4928, 3279, 320, 213],
    [1, 3, 4928, 3279, 320, 213],
  ]));
  const fir = args.includes('--fir');
  lines.push(`| case | A ms | B ms | B ÷ A |${fir ? ' fir ms | B ÷ fir |' : ''}`, `|---|--:|--:|--:|${fir ? '--:|--:|' : ''}`);
  for (const c of cases) {
    for (const exports of everyInstance) exports.setup_resize(...c);
    const ours = (instancesOf) => instancesOf.map((e) => () => e.run_resize(OURS_SIMD128));
    const contenders = [ours(as), ours(bs)];
    if (fir) contenders.push(as.map((e) => () => e.run_resize(FAST_IMAGE_RESIZE)));
    const { ms, ratios } = compare(contenders);
    // With fir, its ratio to B comes from the same rounds: (fir ÷ A) ÷ (B ÷ A).
    const firColumns = fir ? ` ${fmt(ms[2])} | ${(ratios[0] / ratios[1]).toFixed(3)} |` : '';
    lines.push(`| ${JSON.stringify(c)} | ${fmt(ms[0])} | ${fmt(ms[1])} | ${ratios[0].toFixed(3)} |${firColumns}`);
  }
} else if (mode === 'avif') {
  const width = Number(process.env.WIDTH ?? 800);
  const quality = Number(process.env.QUALITY ?? 85);
  lines.push('| photo | A ms | B ms | B ÷ A | A bytes | B bytes | B ÷ A |', '|---|--:|--:|--:|--:|--:|--:|');
  const [timeRatios, byteRatios] = [[], []];
  for (const photo of photos) {
    for (const exports of everyInstance) {
      load(exports, photo);
      if (!exports.prepare_codec(width)) throw new Error(`${photo} did not resize`);
    }
    const encode = (instancesOf) => instancesOf.map((e) => () => e.run_codec(CODEC_AVIF, quality));
    const { ms, ratios } = compare([encode(as), encode(bs)]);
    const [bytesA, bytesB] = [as[0], bs[0]].map((e) => e.run_codec(CODEC_AVIF, quality));
    timeRatios.push(ratios[0]);
    byteRatios.push(bytesB / bytesA);
    lines.push(`| ${photo.split('/').pop()} | ${fmt(ms[0])} | ${fmt(ms[1])} | ${ratios[0].toFixed(3)} | ${bytesA} | ${bytesB} | ${(bytesB / bytesA).toFixed(3)} |`);
  }
  lines.push(`| geometric mean | | | ${geometricMean(timeRatios).toFixed(3)} | | | ${geometricMean(byteRatios).toFixed(3)} |`);
} else {
  const scales = (process.env.SCALES ?? '1,2,4,8').split(',').map(Number);
  const width = Number(process.env.WIDTH ?? 800);
  lines.push('| photo | case | A ms | B ms | B ÷ A |', '|---|---|--:|--:|--:|');
  for (const photo of photos) {
    for (const exports of everyInstance) load(exports, photo);
    // run_decode's kinds 5..8 are our decoder at 1/1..1/8; pipeline 0 is ours.
    const cases = mode === 'decode'
      ? scales.map((scale) => [`decode 1/${scale}`, (e) => e.run_decode(5 + Math.log2(scale))])
      : [[`pipeline → ${width} px`, (e) => e.run_pipeline(0, width, 85)]];
    for (const [name, run] of cases) {
      const { ms, ratios } = compare([as.map((e) => () => run(e)), bs.map((e) => () => run(e))]);
      lines.push(`| ${photo.split('/').pop()} | ${name} | ${fmt(ms[0])} | ${fmt(ms[1])} | ${ratios[0].toFixed(3)} |`);
    }
  }
}
console.log(lines.join('\n'));
