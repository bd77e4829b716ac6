// End-to-end load benchmark: the Worker built with and without simd128, each served by workerd
// (wrangler dev) on loopback, driven by autocannon with a mix of real photos POSTed to
// /transform?width=800&format=jpeg&quality=80. Requests per second and p50/p99 latency for each;
// the ratio comes from this one run. Writes benches/results/load.md and load.json.
//
// Usage: node benches/load.mjs [--seconds N]   (default 20 per build, after a 3 s warm-up)

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';

const root = new URL('..', import.meta.url).pathname;
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;
const CONNECTIONS = 4;

const corpus = `${root}../shared/corpus/photos`;
const photos = existsSync(corpus)
  ? readdirSync(corpus).filter((f) => /^(gdk-pixbuf-issue70-meizu.*|plasma-(ColorfulCups|Grey|Path|Kite)-2560x1600)\.jpg$/.test(f)).map((f) => `${corpus}/${f}`)
  : ['rocket.jpg', 'retina.jpg', 'chelsea.png', 'coffee.png'].map((f) => `${root}fixtures/${f}`);
const requests = photos.sort().map((photo) => ({
  method: 'POST',
  path: '/transform?width=800&format=jpeg&quality=80',
  headers: { 'content-type': 'application/octet-stream' },
  body: readFileSync(photo),
}));

const BUILDS = [
  { name: 'simd128', flags: '-C target-feature=+simd128', dir: 'build-bench-simd128' },
  { name: 'scalar', flags: '-C target-feature=-simd128', dir: 'build-bench-scalar' },
];

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, child) {
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}

function run(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, requests, timeout: 60 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const results = {};
for (const build of BUILDS) {
  console.error(`building the ${build.name} Worker ...`);
  execFileSync('bash', ['scripts/build-worker.sh', '--out-dir', build.dir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUSTFLAGS: build.flags, CARGO_TARGET_DIR: `${root}target/${build.dir}` },
  });
  // The same configuration as wrangler.toml, pointed at this build and with no build step.
  const config = readFileSync(`${root}wrangler.toml`, 'utf8')
    .replace(/^main = .*$/m, 'main = "worker/shim.mjs"')
    .replace(/^\[build\]\ncommand = .*$/m, '')
    .replace(/^directory = "fixtures"$/m, 'directory = "../fixtures"');
  writeFileSync(`${root}${build.dir}/wrangler.toml`, config);
  const port = await freePort();
  const child = spawn(`${root}node_modules/.bin/wrangler`, ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--config', `${build.dir}/wrangler.toml`], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(url + '/', child);
    await run(url, 3);
    const result = await run(url, SECONDS);
    results[build.name] = {
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result['2xx'],
      errors: result.errors + result.timeouts + result.non2xx,
    };
    console.error(build.name, JSON.stringify(results[build.name]));
  } finally {
    child.kill();
  }
}

const ratio = results.simd128.requestsPerSecond / results.scalar.requestsPerSecond;
const date = new Date().toISOString().slice(0, 10);
let report = `# Load benchmark\n\n${date}, ${os.cpus()[0].model}, ${os.cpus().length} cores (workerd and autocannon share them), node ${process.version}. `
  + `${CONNECTIONS} connections for ${SECONDS} s per build after a 3 s warm-up, cycling through ${requests.length} photos `
  + `(${photos.map((p) => p.split('/').pop()).join(', ')}) POSTed to \`/transform?width=800&format=jpeg&quality=80\`. `
  + 'Regenerate: `npm run bench:load`.\n\n| build | requests/s | p50 ms | p99 ms | 2xx | errors |\n|---|--:|--:|--:|--:|--:|\n';
for (const [name, r] of Object.entries(results)) {
  report += `| ${name} | ${r.requestsPerSecond.toFixed(2)} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} |\n`;
}
report += `\nsimd128 serves ${ratio.toFixed(2)}x the requests per second of the scalar build.\n`;
mkdirSync(`${root}benches/results`, { recursive: true });
writeFileSync(`${root}benches/results/load.md`, report);
writeFileSync(`${root}benches/results/load.json`, JSON.stringify({ date, seconds: SECONDS, connections: CONNECTIONS, results }, null, 1) + '\n');
console.log(report);
