// The browser entry, in its own process (node --test runs each file apart): the wasm-bindgen glue
// is one module, which the node entry would already have initialised.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

test("the browser entry fetches the module from beside itself", async () => {
  // node's fetch has no file: URLs; a browser's would fetch this one from the page's origin.
  const fetched = [];
  globalThis.fetch = async (url) => {
    fetched.push(String(url));
    return new Response(readFileSync(new URL(url)), { headers: { "Content-Type": "application/wasm" } });
  };
  const browser = await import("../browser.js");
  assert.deepEqual(fetched.map((url) => url.split("/").slice(-2).join("/")), ["dist/image_worker_bg.wasm"]);
  const rocket = readFileSync(new URL("../../../fixtures/rocket.jpg", import.meta.url));
  const out = browser.transform(rocket, { width: 50, format: "png" });
  assert.equal(out.contentType, "image/png");
  assert.deepEqual([out.width, out.height], [50, 33]);
  assert.deepEqual([Buffer.from(out.bytes).readUInt32BE(16), Buffer.from(out.bytes).readUInt32BE(20)], [50, 33]);
});
