// End to end, one request at a time: each corpus photo POSTed to our Worker and to the peer
// Worker (benches/peer-worker: zune-jpeg + fast_image_resize Lanczos3 + jpeg-encoder), both in
// workerd (wrangler dev) on loopback, and the same thumbnail made by native `vipsthumbnail`
// (libvips, Debian's libvips-tools; a process per image, as a CDN's resizer would run it).
// JPEG → 800 px wide JPEG q85, interleaved rounds, medians; ratios from this one run.
// Writes benches/results/e2e.md.
//
// Usage: node benches/e2e.mjs [--rounds N]   (default 9)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

import { startWorker } from './workerd.mjs';

const root = new URL('..', import.meta.url).pathname;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 9;
const WIDTH = 800;
const QUALITY = 85;

const corpus = `${root}../shared/corpus/photos`;
const photos = existsSync(corpus)
  ? readdirSync(corpus).filter((f) => f.endsWith('.jpg')).map((f) => `${corpus}/${f}`).sort()
  : ['rocket.jpg', 'retina.jpg'].map((f) => `${root}fixtures/${f}`);

// vipsthumbnail from Debian, installed when missing (as scripts/setup.sh installs its packages).
try {
  execFileSync('sh', ['-c', 'command -v vipsthumbnail'], { stdio: 'ignore' });
} catch {
  const sudo = process.getuid() === 0 ? [] : ['sudo'];
  const apt = (...args) => execFileSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', 'libvips-tools');
}

// The peer, built as ours is: worker-build with the pinned wasm-bindgen, wasm-opt and esbuild.
console.error('building the peer Worker ...');
execFileSync('worker-build', ['--release'], {
  cwd: `${root}benches/peer-worker`,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    WASM_BINDGEN_BIN: execFileSync('sh', ['-c', 'command -v wasm-bindgen'], { encoding: 'utf8' }).trim(),
    WASM_OPT_BIN: `${root}node_modules/.bin/wasm-opt`,
    ESBUILD_BIN: `${root}node_modules/.bin/esbuild`,
  },
});
console.error('starting the Workers ...');
const ours = await startWorker([]);
const peer = await startWorker(['--config', 'benches/peer-worker/wrangler.toml']);
const vipsVersion = execFileSync('vipsthumbnail', ['--vips-version'], { encoding: 'utf8' }).trim();
const scratch = mkdtempSync(`${os.tmpdir()}/e2e-`);

async function post(url, body) {
  const start = performance.now();
  const response = await fetch(url, { method: 'POST', body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const ms = performance.now() - start;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${new TextDecoder().decode(bytes)}`);
  return { ms, bytes: bytes.length };
}

function vips(photo) {
  const out = `${scratch}/out.jpg`;
  const start = performance.now();
  execFileSync('vipsthumbnail', [photo, '--size', `${WIDTH}x`, '-o', `${out}[Q=${QUALITY}]`]);
  return { ms: performance.now() - start, bytes: readFileSync(out).length };
}

const CONTENDERS = {
  ours: (photo, body) => post(`${ours.url}/transform?width=${WIDTH}&format=jpeg&quality=${QUALITY}`, body),
  'zune + fir + jpeg-encoder': (photo, body) => post(`${peer.url}/transform?width=${WIDTH}&quality=${QUALITY}`, body),
  vipsthumbnail: (photo) => vips(photo),
};
const names = Object.keys(CONTENDERS);
const times = Object.fromEntries(photos.map((p) => [p, Object.fromEntries(names.map((n) => [n, []]))]));
const sizes = {};
try {
  for (let round = -1; round < ROUNDS; round++) {
    for (const photo of photos) {
      const body = readFileSync(photo);
      for (const name of names) {
        const { ms, bytes } = await CONTENDERS[name](photo, body);
        if (round >= 0) times[photo][name].push(ms); // round -1 warms up
        sizes[`${photo} ${name}`] = bytes;
      }
    }
    console.error(`round ${round + 1} of ${ROUNDS} done`);
  }
} finally {
  ours.child.kill();
  peer.child.kill();
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
let table = `# End to end\n\n${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}, ${vipsVersion}. `
  + `\`node benches/e2e.mjs\` (\`npm run bench:e2e\`): each photo → ${WIDTH} px wide JPEG q${QUALITY}, one request at a time, `
  + `median ms of ${ROUNDS} interleaved rounds (after one to warm up). Our Worker and the peer Worker (zune-jpeg + fast_image_resize `
  + 'Lanczos3 + jpeg-encoder, `benches/peer-worker/`) in workerd, timed from node over loopback (POST to the last byte); '
  + '`vipsthumbnail` natively, a process per image, with its default threads. Issue 14\'s targets for the 13 MP photo: ≤ 0.5x '
  + 'the peer and ≤ 0.6x vipsthumbnail.\n\n'
  + `| photo | ${names.join(' ms | ')} ms | ours ÷ peer | ours ÷ vips | bytes ours / peer / vips |\n|---|${names.map(() => '--:').join('|')}|--:|--:|--:|\n`;
for (const photo of photos) {
  const m = Object.fromEntries(names.map((n) => [n, median(times[photo][n])]));
  const bytes = names.map((n) => sizes[`${photo} ${n}`]).join(' / ');
  table += `| ${photo.split('/').pop()} | ${names.map((n) => fmt(m[n])).join(' | ')} | ${(m.ours / m[names[1]]).toFixed(2)}x | ${(m.ours / m.vipsthumbnail).toFixed(2)}x | ${bytes} |\n`;
}
writeFileSync(`${root}benches/results/e2e.md`, table);
console.log(table);
