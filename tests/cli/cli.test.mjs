// imgw, native and WASI (under node:wasi): the same bytes for the same input and options, the
// stdin/stdout and directory forms, and the documented exit codes. Run by `npm test` after
// both builds (scripts/test.sh).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const root = new URL("../../", import.meta.url).pathname;
const builds = {
  native: [join(root, "target/release/imgw")],
  wasi: [process.execPath, "--no-warnings", join(root, "crates/cli/wasi.mjs")],
};
const scratch = mkdtempSync(join(tmpdir(), "imgw-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function imgw(build, args, input) {
  const [command, ...prefix] = builds[build];
  return spawnSync(command, [...prefix, ...args], { cwd: root, input, maxBuffer: 1 << 26 });
}

const sources = [
  "rocket.jpg",
  "retina.jpg",
  "chelsea.png",
  "fire.gif",
  "flower.webp",
  "transparent.webp",
  "orientation/hopper_orientation_6.jpg",
  "pngsuite/basn6a16.png",
];
const transforms = [
  "",
  "width=320,format=webp",
  "width=240,height=240,fit=cover,gravity=auto,format=png",
  "width=300,blur=2,sharpen=1,saturation=1.4,format=jpeg,quality=70",
  "width=200,fit=pad,background=%23336699,rotate=90,format=gif",
  "trim=border,width=150,format=webp,quality=60",
  "width=180,format=json",
];

for (const source of sources) {
  test(`native and WASI give the same bytes: ${source}`, () => {
    for (const transform of transforms) {
      for (const backend of [[], ["--backend", "scalar"]]) {
        const args = [...backend, `fixtures/${source}`, "-", transform];
        // Native builds have the scalar kernels only: WASI's simd128 ones must give the same bytes.
        const native = imgw("native", args);
        const wasi = imgw("wasi", backend.length ? args : ["--backend", "simd128", ...args]);
        assert.equal(native.status, 0, `${transform}: ${native.stderr}`);
        assert.equal(wasi.status, 0, `${transform}: ${wasi.stderr}`);
        assert.ok(native.stdout.length > 0);
        assert.ok(native.stdout.equals(wasi.stdout), `${source} ${transform} ${backend.join(" ")}: the outputs differ`);
      }
    }
  });
}

// rav1e's rate decisions call the platform's maths library (glibc natively, wasi-libc in WASI),
// which rounds a few results differently: AVIF is the exception, checked by decoding instead.
test("AVIF from both builds decodes to the same size and nearly the same pixels", () => {
  const samples = {};
  let peak = 255;
  for (const build of ["native", "wasi"]) {
    const out = join(scratch, `${build}.avif`);
    const run = imgw(build, ["fixtures/rocket.jpg", out, "width=300"]);
    assert.equal(run.status, 0, String(run.stderr));
    execFileSync("avifdec", [out, join(scratch, `${build}.y4m`)], { stdio: "ignore" });
    const y4m = readFileSync(join(scratch, `${build}.y4m`));
    const header = y4m.toString("latin1", 0, y4m.indexOf("\n"));
    assert.match(header, /^YUV4MPEG2 W300 H200 /);
    const planes = y4m.subarray(y4m.indexOf("FRAME\n") + 6);
    // 10-bit files keep their depth: samples are 16-bit little-endian.
    const deep = / C\d+p10\b/.test(header);
    peak = deep ? 1023 : 255;
    samples[build] = deep ? new Uint16Array(planes.buffer.slice(planes.byteOffset, planes.byteOffset + planes.length)) : planes;
  }
  assert.equal(samples.native.length, samples.wasi.length);
  let squares = 0;
  for (let i = 0; i < samples.native.length; i++) squares += (samples.native[i] - samples.wasi[i]) ** 2;
  const psnr = 10 * Math.log10((peak * peak * samples.native.length) / Math.max(squares, 1));
  assert.ok(psnr >= 40, `native and WASI AVIF differ by ${psnr.toFixed(1)} dB PSNR`);
});

test("stdin to stdout, the output's extension, and a directory", () => {
  const rocket = readFileSync(join(root, "fixtures/rocket.jpg"));
  for (const build of ["native", "wasi"]) {
    const piped = imgw(build, ["-", "-", "width=64,format=png"], rocket);
    assert.equal(piped.status, 0, String(piped.stderr));
    assert.deepEqual([piped.stdout.readUInt32BE(16), piped.stdout.readUInt32BE(20)], [64, 43]);
    const named = join(scratch, `${build}.webp`);
    assert.equal(imgw(build, ["fixtures/rocket.jpg", named, "width=64"]).status, 0);
    assert.equal(readFileSync(named).toString("latin1", 8, 12), "WEBP");
    const directory = join(scratch, `${build}-dir`);
    const batch = imgw(build, ["fixtures/orientation", directory, "width=32,format=png"]);
    assert.equal(batch.status, 0, String(batch.stderr));
    assert.match(String(batch.stderr), /14 files in [\d.]+ s: 14 written .* 0 failed/);
    assert.equal(readdirSync(directory).filter((name) => name.endsWith(".png")).length, 7);
  }
});

test("bad input exits with the code of its HTTP error", () => {
  const truncated = readFileSync(join(root, "fixtures/rocket.jpg")).subarray(0, 3000);
  const cases = [
    [["fixtures/rocket.jpg", "-", "width=abc"], undefined, 1, /invalid width="abc".*\(error 9401\)/],
    [["fixtures/rocket.jpg", "-", "--limit", "MAX_THINGS=1"], undefined, 2, /unknown limit "MAX_THINGS"/],
    [["fixtures/rocket.jpg", "-", "--backend", "avx512"], undefined, 2, /unknown backend "avx512"/],
    [["fixtures/bombs/png-bomb-rgb-20000x20000.png", "-", "width=100"], undefined, 3, /pixel limit.*\(error 9413\)/],
    [["fixtures/LICENSES/pillow.LICENSE", "-"], undefined, 4, /not an image.*\(error 9412\)/],
    [["-", "-", "width=100"], truncated, 5, /\(error 9422\)/],
    [["fixtures/missing.jpg", "-"], undefined, 6, /cannot read fixtures\/missing.jpg/],
  ];
  for (const build of ["native", "wasi"]) {
    for (const [args, input, status, message] of cases) {
      const run = imgw(build, args, input);
      assert.equal(run.status, status, `${build} ${args.join(" ")}: ${run.stderr}`);
      assert.match(String(run.stderr), message);
      assert.equal(run.stdout.length, 0);
    }
  }
});
