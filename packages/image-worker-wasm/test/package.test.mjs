// The package in node: string and object options, errors as ImageErrors, probe, and an instance
// that stays usable after the inputs it refuses. Run by `npm test` (node --test).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ImageError, memoryBytes, probe, transform } from "image-worker-wasm";

const fixture = (name) => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url));
const rocket = fixture("rocket.jpg"); // 640x427 JPEG
const chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

// Width and height from the encoded bytes, read independently of the package.
function dimensions(bytes, format) {
  const view = Buffer.from(bytes);
  if (format === "png") return [view.readUInt32BE(16), view.readUInt32BE(20)];
  if (format === "gif") return [view.readUInt16LE(6), view.readUInt16LE(8)];
  if (format === "webp" && view.toString("latin1", 12, 16) === "VP8X") {
    return [1 + view.readUIntLE(24, 3), 1 + view.readUIntLE(27, 3)];
  }
  if (format === "webp" && view.toString("latin1", 12, 16) === "VP8 ") {
    return [view.readUInt16LE(26) & 0x3fff, view.readUInt16LE(28) & 0x3fff];
  }
  if (format === "jpeg") {
    for (let at = 2; at < view.length; ) {
      const marker = view[at + 1];
      if (marker >= 0xc0 && marker <= 0xc2) return [view.readUInt16BE(at + 7), view.readUInt16BE(at + 5)];
      at += 2 + view.readUInt16BE(at + 2);
    }
  }
  throw new Error(`cannot read the size of this ${format}`);
}

test("string options resize and re-encode", () => {
  const out = transform(rocket, "width=320,format=png");
  assert.equal(out.format, "png");
  assert.equal(out.contentType, "image/png");
  assert.deepEqual([out.width, out.height], [320, 214]);
  assert.deepEqual(dimensions(out.bytes, "png"), [320, 214]);
});

test("object options mean the same as the string", () => {
  const fromString = transform(rocket, "width=200,height=200,fit=cover,gravity=0.2x0.8,border.color=%23ff0000,border.width=4");
  const fromObject = transform(rocket, {
    width: 200,
    height: 200,
    fit: "cover",
    gravity: { x: 0.2, y: 0.8 },
    border: { color: "#ff0000", width: 4 },
  });
  assert.deepEqual([fromObject.width, fromObject.height], [208, 208]);
  assert.deepEqual(fromObject.bytes, fromString.bytes);
  const trimmed = transform(rocket, { trim: [10, 20, 30, 40], format: "png" });
  assert.deepEqual([trimmed.width, trimmed.height], [580, 387]);
});

test("no options re-encode in the source's format; format=auto reads accept", () => {
  const same = transform(rocket);
  assert.equal(same.format, "jpeg");
  assert.deepEqual(dimensions(same.bytes, "jpeg"), [640, 427]);
  const webp = transform(rocket, "width=100,format=auto", { accept: "image/webp,*/*" });
  assert.equal(webp.format, "webp");
  assert.deepEqual(dimensions(webp.bytes, "webp"), [100, 67]);
  assert.equal(transform(rocket, "width=100,format=auto", { accept: chrome }).format, "avif");
  assert.equal(transform(rocket, "width=100,format=auto").format, "jpeg");
});

test("the scalar kernels give the same picture size; an unknown backend is a 400", () => {
  const scalar = transform(rocket, "width=64", { backend: "scalar" });
  assert.deepEqual([scalar.width, scalar.height], [64, 43]);
  assert.throws(() => transform(rocket, "width=64", { backend: "avx512" }), { code: 9401, status: 400 });
});

test("probe reads the header only", () => {
  assert.deepEqual(probe(rocket), { format: "jpeg", width: 640, height: 427, frames: 1, orientation: 1 });
  assert.deepEqual(probe(fixture("orientation/hopper_orientation_6.jpg")).orientation, 6);
  const gif = probe(fixture("fire.gif"));
  assert.equal(gif.format, "gif");
  assert.ok(gif.frames > 1);
  assert.throws(() => probe(new Uint8Array([1, 2, 3])), { name: "ImageError", code: 9412, status: 415 });
});

test("errors are ImageErrors with the Worker's codes and messages", () => {
  assert.throws(() => transform(rocket, "width=abc"), (error) => {
    assert.ok(error instanceof ImageError);
    assert.ok(error instanceof Error);
    assert.equal(error.code, 9401);
    assert.equal(error.status, 400);
    assert.match(error.message, /width/);
    return true;
  });
  assert.throws(() => transform(rocket, { colour: "red" }), { code: 9401, message: /unknown option "colour"/ });
  assert.throws(() => transform(rocket, "", { limits: { MAX_THINGS: 1 } }), { code: 9500, message: /unknown limit "MAX_THINGS"/ });
  assert.throws(() => transform("not bytes"), TypeError);
});

test("bombs, a corrupt file and an over-budget request leave the instance usable", () => {
  const before = memoryBytes();
  assert.throws(() => transform(fixture("bombs/png-bomb-rgb-20000x20000.png"), "width=100"), { code: 9413 });
  const limits = { MAX_INPUT_PIXELS: 500000000 };
  assert.throws(() => transform(fixture("bombs/webp-lossless-black-16383x16383.webp"), "width=100", { limits }), {
    code: 9413,
    message: /MAX_WORKING_BYTES/,
  });
  assert.throws(() => transform(rocket.subarray(0, 4000), "width=100"), { code: 9422, status: 422 });
  const out = transform(rocket, "width=100,format=webp");
  assert.deepEqual(dimensions(out.bytes, "webp"), [100, 67]);
  assert.ok(memoryBytes() - before <= 64 * 1024 * 1024, `memory grew by ${memoryBytes() - before} bytes`);
});
