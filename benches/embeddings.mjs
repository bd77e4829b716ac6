// The pipeline as others embed it, in one run:
// 1. In node's V8: the npm package (packages/image-worker-wasm) against @cf-wasm/photon (what
//    JavaScript Workers use for this job) and @jsquash/jpeg + @jsquash/resize (mozjpeg and
//    squoosh's resizer), each decoding a corpus JPEG, resizing it to 800 px wide (Lanczos3) and
//    encoding a JPEG at quality 85: median time of interleaved rounds, output bytes, and the peak
//    wasm memory each library's instances reached.
// 2. In workerd: the same POST /transform?width=800&format=jpeg&quality=85 to the Rust Worker,
//    the JavaScript example Worker (the package) and the WASI example Worker (imgw through
//    @cloudflare/workers-wasi), interleaved, median round-trip times.
// Writes benches/results/embeddings.md.
//
// Usage: node benches/embeddings.mjs [--rounds N]   (default 5, after one warm-up round)
// Needs the package and imgw's WASI build (npm run build:package, npm run build:cli).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

import { startWorker } from './workerd.mjs';

const root = new URL('..', import.meta.url).pathname;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const WIDTH = 800;
const QUALITY = 85;

// Photos at least WIDTH wide (ours does not enlarge by default; the others would).
const corpus = `${root}../shared/corpus/photos`;
const jpegWidth = (bytes) => {
  for (let at = 2; at + 9 < bytes.length; at += 2 + bytes.readUInt16BE(at + 2)) {
    if (bytes[at + 1] >= 0xc0 && bytes[at + 1] <= 0xc2) return bytes.readUInt16BE(at + 7);
  }
  return 0;
};
const photos = (existsSync(corpus)
  ? readdirSync(corpus).filter((f) => f.endsWith('.jpg')).map((f) => `${corpus}/${f}`)
  : ['retina.jpg'].map((f) => `${root}fixtures/${f}`)
)
  .filter((photo) => jpegWidth(readFileSync(photo)) >= WIDTH)
  .sort();

// Every wasm memory an instance exports or imports, by the library being loaded when it appeared:
// memories only grow, so their sizes at the end are each library's peak.
const memories = new Map();
let loading = null;
function remember(instance, imports) {
  const found = [instance?.exports?.memory, ...Object.values(instance?.exports ?? {}), ...Object.values(imports ?? {}).flatMap((m) => Object.values(m ?? {}))]
    .filter((value) => value instanceof WebAssembly.Memory);
  for (const memory of found) {
    if (!memories.has(loading)) memories.set(loading, new Set());
    memories.get(loading).add(memory);
  }
  return instance;
}
const { Instance, instantiate } = WebAssembly;
WebAssembly.Instance = new Proxy(Instance, { construct: (target, [module, imports]) => remember(new target(module, imports), imports) });
WebAssembly.instantiate = async (source, imports) => {
  const result = await instantiate(source, imports);
  remember(result.instance ?? result, imports);
  return result;
};
const peakBytes = (name) => [...(memories.get(name) ?? [])].reduce((total, memory) => total + memory.buffer.byteLength, 0);

async function load(name, loader) {
  loading = name;
  try {
    return await loader();
  } finally {
    loading = null;
  }
}

const compile = (path) => WebAssembly.compile(readFileSync(`${root}node_modules/${path}`));
const libraries = [
  await load('image-worker-wasm', async () => {
    const { transform } = await import('image-worker-wasm');
    return { name: 'image-worker-wasm', run: (bytes) => transform(bytes, `width=${WIDTH},format=jpeg,quality=${QUALITY}`).bytes };
  }),
  await load('@cf-wasm/photon', async () => {
    const { PhotonImage, SamplingFilter, resize } = await import('@cf-wasm/photon/node');
    return {
      name: '@cf-wasm/photon',
      run: (bytes) => {
        const image = PhotonImage.new_from_byteslice(bytes);
        const height = Math.round((image.get_height() * WIDTH) / image.get_width());
        const resized = resize(image, WIDTH, height, SamplingFilter.Lanczos3);
        image.free();
        const out = resized.get_bytes_jpeg(QUALITY);
        resized.free();
        return out;
      },
    };
  }),
  await load('@jsquash', async () => {
    const decoder = await import('@jsquash/jpeg/decode.js');
    const encoder = await import('@jsquash/jpeg/encode.js');
    const resizer = await import('@jsquash/resize');
    await decoder.init(await compile('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
    await encoder.init(await compile('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
    await resizer.initResize(await compile('@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm'));
    return {
      name: '@jsquash',
      run: async (bytes) => {
        const decoded = await decoder.default(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
        const height = Math.round((decoded.height * WIDTH) / decoded.width);
        const resized = await resizer.default(decoded, { width: WIDTH, height, method: 'lanczos3' });
        return new Uint8Array(await encoder.default(resized, { quality: QUALITY }));
      },
    };
  }),
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const name = (photo) => photo.split('/').pop();
const mb = (bytes) => (bytes / 1048576).toFixed(1);

// 1. In-process, interleaved: each round runs every photo through every library in turn.
const inProcess = new Map(photos.map((photo) => [photo, new Map(libraries.map((library) => [library.name, { times: [], bytes: 0, error: null }]))]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const photo of photos) {
    const bytes = new Uint8Array(readFileSync(photo));
    for (const library of libraries) {
      const entry = inProcess.get(photo).get(library.name);
      if (entry.error) continue;
      try {
        const started = performance.now();
        const out = await library.run(bytes);
        const elapsed = performance.now() - started;
        if (round > 0) entry.times.push(elapsed);
        entry.bytes = out.length;
      } catch (error) {
        entry.error = String(error?.message ?? error).slice(0, 80);
      }
    }
  }
  process.stderr.write(`node round ${round}/${ROUNDS}\n`);
}

// 2. workerd: the three Workers, each request in turn.
const workers = [];
const inWorkerd = new Map();
try {
  // One at a time: each takes the inspector port while it starts.
  for (const [label, args] of [
    ['Rust Worker', []],
    ['JS Worker (package)', ['--config', 'examples/js-worker/wrangler.toml']],
    ['WASI Worker (imgw)', ['--config', 'examples/wasi-worker/wrangler.toml']],
  ]) {
    workers.push({ label, ...(await startWorker(args)) });
  }
  const query = `/transform?width=${WIDTH}&format=jpeg&quality=${QUALITY}`;
  for (const photo of photos) inWorkerd.set(photo, new Map(workers.map((worker) => [worker.label, { times: [], bytes: 0, status: 0 }])));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const photo of photos) {
      const body = readFileSync(photo);
      for (const worker of workers) {
        const entry = inWorkerd.get(photo).get(worker.label);
        const started = performance.now();
        const response = await fetch(worker.url + query, { method: 'POST', body });
        const out = await response.arrayBuffer();
        const elapsed = performance.now() - started;
        entry.status = response.status;
        entry.bytes = out.byteLength;
        if (round > 0) entry.times.push(elapsed);
      }
    }
    process.stderr.write(`workerd round ${round}/${ROUNDS}\n`);
  }
} finally {
  for (const worker of workers) worker.child.kill();
}

// The table.
const lines = [];
lines.push('# Embeddings: the package against photon and jsquash, and the Rust, JS and WASI Workers', '');
lines.push(`Generated by \`node benches/embeddings.mjs --rounds ${ROUNDS}\` on ${os.cpus()[0].model.trim()} (${os.cpus().length} cores), node ${process.version}; one run, medians of ${ROUNDS} interleaved rounds after a warm-up.`, '');
lines.push(`Each photo is decoded, resized to ${WIDTH} px wide with Lanczos3 and encoded as a JPEG at quality ${QUALITY}. Our quality scale matches libjpeg's; photon writes 4:4:4 with the image crate's encoder, jsquash mozjpeg 4:2:0.`, '');
lines.push('## In node (V8), one instance per library', '');
lines.push(`| photo | ${libraries.map((l) => `${l.name} ms`).join(' | ')} | ${libraries.map((l) => `${l.name} bytes`).join(' | ')} |`);
lines.push(`|---|${libraries.map(() => '--:').join('|')}|${libraries.map(() => '--:').join('|')}|`);
const ratios = new Map(libraries.map((l) => [l.name, []]));
for (const photo of photos) {
  const entries = libraries.map((l) => inProcess.get(photo).get(l.name));
  const ours = median(entries[0].times);
  entries.forEach((entry, i) => entry.error || ratios.get(libraries[i].name).push(median(entry.times) / ours));
  const times = entries.map((e) => (e.error ? `fails: ${e.error}` : median(e.times).toFixed(0)));
  lines.push(`| ${name(photo)} | ${times.join(' | ')} | ${entries.map((e) => (e.error ? '' : e.bytes)).join(' | ')} |`);
}
const geomean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
lines.push('', `Time against ours (geometric mean over the photos): ${libraries.slice(1).map((l) => `${l.name} ${geomean(ratios.get(l.name)).toFixed(2)}x`).join(', ')}.`);
lines.push(`Peak wasm memory over the run: ${libraries.map((l) => `${l.name} ${mb(peakBytes(l.name))} MiB`).join(', ')}.`, '');
lines.push('## In workerd (wrangler dev), POST round trips from node', '');
lines.push(`| photo | ${workers.map((w) => `${w.label} ms`).join(' | ')} | ${workers.slice(1).map((w) => `${w.label} / Rust`).join(' | ')} |`);
lines.push(`|---|${workers.map(() => '--:').join('|')}|${workers.slice(1).map(() => '--:').join('|')}|`);
const workerRatios = new Map(workers.map((w) => [w.label, []]));
for (const photo of photos) {
  const entries = workers.map((w) => inWorkerd.get(photo).get(w.label));
  const rust = median(entries[0].times);
  const cells = entries.map((e) => (e.status === 200 ? median(e.times).toFixed(0) : `HTTP ${e.status}`));
  const against = entries.slice(1).map((e, i) => {
    if (e.status !== 200) return '';
    const ratio = median(e.times) / rust;
    workerRatios.get(workers[i + 1].label).push(ratio);
    return `${ratio.toFixed(2)}x`;
  });
  lines.push(`| ${name(photo)} | ${cells.join(' | ')} | ${against.join(' | ')} |`);
}
lines.push('', `Against the Rust Worker (geometric mean): ${workers.slice(1).map((w) => `${w.label} ${geomean(workerRatios.get(w.label)).toFixed(2)}x`).join(', ')}.`, '');
writeFileSync(`${root}benches/results/embeddings.md`, lines.join('\n'));
console.log(lines.join('\n'));
