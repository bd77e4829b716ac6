// The example Workers in workerd (scripts/test.sh starts them): the JavaScript one using the npm
// package (JS_WORKER_URL) and the one running imgw's WASI build (WASI_WORKER_URL).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const jsWorker = `http://${process.env.JS_WORKER_URL}`;
const wasiWorker = `http://${process.env.WASI_WORKER_URL}`;
const fixture = (name) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
const chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

function pngSize(bytes) {
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("the JS Worker transforms its own assets with the package", async () => {
  const response = await fetch(`${jsWorker}/image/width=200,format=png/rocket.jpg`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/png");
  assert.deepEqual(pngSize(Buffer.from(await response.arrayBuffer())), [200, 133]);

  const negotiated = await fetch(`${jsWorker}/image/width=120,format=auto/chelsea.png`, { headers: { Accept: chrome } });
  assert.equal(negotiated.status, 200);
  assert.equal(negotiated.headers.get("content-type"), "image/avif");
  assert.equal(negotiated.headers.get("vary"), "Accept");

  const posted = await fetch(`${jsWorker}/transform?width=90&format=png`, { method: "POST", body: fixture("coffee.png") });
  assert.equal(posted.status, 200);
  assert.deepEqual(pngSize(Buffer.from(await posted.arrayBuffer())), [90, 60]);
});

test("the JS Worker answers refusals as the Rust Worker does", async () => {
  const bad = await fetch(`${jsWorker}/image/width=huge/rocket.jpg`);
  assert.equal(bad.status, 400);
  const body = await bad.json();
  assert.equal(body.code, 9401);
  assert.match(body.error, /width/);
  assert.equal((await fetch(`${jsWorker}/image/width=10/missing.jpg`)).status, 404);
  // The instance goes on after a refusal.
  assert.equal((await fetch(`${jsWorker}/image/width=10/fire.gif`)).status, 200);
});

test("the WASI Worker runs imgw on the request body", async () => {
  const response = await fetch(`${wasiWorker}/transform?width=160&format=png`, { method: "POST", body: fixture("rocket.jpg") });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get("content-type"), "image/png");
  assert.deepEqual(pngSize(Buffer.from(await response.arrayBuffer())), [160, 107]);

  const auto = await fetch(`${wasiWorker}/transform?width=100&format=auto`, {
    method: "POST",
    body: fixture("rocket.jpg"),
    headers: { Accept: "image/webp,*/*" },
  });
  assert.equal(auto.headers.get("content-type"), "image/webp");
});

test("the WASI Worker answers imgw's failures with their HTTP status", async () => {
  const cases = [
    ["width=abc", fixture("rocket.jpg"), 400, 9401],
    ["width=100", fixture("bombs/png-bomb-rgb-20000x20000.png"), 413, 9413],
    ["width=100", Buffer.from("not an image at all"), 415, 9412],
    ["width=100", fixture("rocket.jpg").subarray(0, 3000), 422, 9422],
  ];
  for (const [options, body, status, code] of cases) {
    const response = await fetch(`${wasiWorker}/transform?${options.replace(",", "&")}`, { method: "POST", body });
    assert.equal(response.status, status, options);
    assert.equal((await response.json()).code, code);
  }
});
