// What the benchmarks that talk to Workers share: a free loopback port, and `wrangler dev`
// started on one and waited for until the Worker answers.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const root = new URL('..', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// `wrangler dev` with `args` (from the repository's root) on a free port; resolves once the
// Worker answers GET / (200, or 404 from the examples) with its URL and process.
export async function startWorker(args) {
  const port = await freePort();
  const child = spawn(`${root}node_modules/.bin/wrangler`, ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), ...args], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev ${args.join(' ')} exited with ${child.exitCode}`);
    try {
      const status = (await fetch(`http://127.0.0.1:${port}/`)).status;
      if (status === 200 || status === 404) return { child, url: `http://127.0.0.1:${port}` };
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev ${args.join(' ')} did not come up`);
}
