// A loopback origin for the Worker tests (started by scripts/test.sh): serves fixtures/ under
// /fixtures/, and the ways an origin goes wrong. Counts the requests for each path, so tests can
// tell whether the Worker fetched at all (GET /__hits?path=/fixtures/rocket.jpg).
//
// Usage: node tests/worker/origin.mjs <port>

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const port = Number(process.argv[2]);
const root = new URL('../..', import.meta.url).pathname;
const hits = new Map();
// Past the Worker's default MAX_INPUT_BYTES (32 MiB).
const OVERSIZED = 33 * 1024 * 1024 + 1;

const routes = {
  '/status/404': (_, res) => res.writeHead(404).end('no such image'),
  '/status/403': (_, res) => res.writeHead(403).end('forbidden'),
  '/status/500': (_, res) => res.writeHead(500).end('origin failure'),
  // Far longer than the test Worker's ORIGIN_TIMEOUT_MS (5 s).
  '/slow': (_, res) => setTimeout(() => res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end('late'), 20000),
  '/big/announced': (_, res) => {
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': OVERSIZED });
    res.end(Buffer.alloc(OVERSIZED));
  },
  // No Content-Length: the Worker can only find out by reading (and must stop at the limit).
  '/big/chunked': async (_, res) => {
    res.writeHead(200, { 'Content-Type': 'image/jpeg' });
    const chunk = Buffer.alloc(1024 * 1024);
    for (let sent = 0; sent < OVERSIZED && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  },
  // A Content-Length far below what follows: a client must stop at the declared length.
  '/big/understated': (req) => {
    const socket = req.socket;
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n');
    socket.end(Buffer.alloc(OVERSIZED));
  },
  '/redirect/disallowed': (_, res) => res.writeHead(302, { Location: 'http://evil.example/x.jpg' }).end(),
  '/redirect/to-private': (_, res) => res.writeHead(302, { Location: 'http://169.254.169.254/latest/' }).end(),
};

async function serve(req, res) {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (url.pathname === '/__hits') {
    const body = JSON.stringify(hits.get(url.searchParams.get('path')) ?? 0);
    return res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
  }
  hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
  if (routes[url.pathname]) return routes[url.pathname](req, res);
  // /redirect/chain/N redirects N times in all, the last time to rocket.jpg.
  const chain = url.pathname.match(/^\/redirect\/chain\/(\d+)$/);
  if (chain) {
    const left = Number(chain[1]);
    const next = left <= 1 ? '/fixtures/rocket.jpg' : `/redirect/chain/${left - 1}`;
    return res.writeHead(302, { Location: next }).end();
  }
  if (url.pathname.startsWith('/fixtures/')) {
    const path = normalize(decodeURIComponent(url.pathname));
    if (!path.startsWith('/fixtures/')) return res.writeHead(400).end();
    try {
      const body = await readFile(join(root, path));
      return res.writeHead(200, { 'Content-Length': body.length }).end(body);
    } catch {
      return res.writeHead(404).end('not found');
    }
  }
  res.writeHead(404).end('not found');
}

createServer((req, res) => {
  serve(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}).listen(port, '127.0.0.1', () => console.log(`origin listening on ${port}`));
