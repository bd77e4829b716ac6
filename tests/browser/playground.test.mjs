// The playground page in headless Chromium (Debian's chromium, driven by puppeteer-core), served
// by the Worker in workerd (PLAYGROUND_URL, with ALLOW_BACKEND_HEADER on as in `npm run dev`):
// options change the result, a bad option shows its message beside its control, an upload is
// transformed, SIMD and scalar both get timed, and no request leaves the origin. Screenshots at
// desktop and phone width go to tests/browser/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import puppeteer from "puppeteer-core";

const origin = `http://${process.env.PLAYGROUND_URL}`;
const root = new URL("../../", import.meta.url).pathname;
const artifacts = `${root}tests/browser/artifacts`;
const requests = [];
let browser;
let page;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`${origin}/`, { waitUntil: "networkidle0" });
});

after(async () => {
  await browser?.close();
});

const text = (selector) => page.$eval(selector, (element) => element.textContent ?? "");
const value = (selector) => page.$eval(selector, (element) => element.value);
const resultSize = () => page.$eval("#result", (image) => [image.naturalWidth, image.naturalHeight]);

// Types into a field as a person would: select what is there, delete it, type.
async function setField(selector, typed) {
  await page.focus(selector);
  await page.keyboard.down("Control");
  await page.keyboard.press("KeyA");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(typed);
}

test("the page loads from the Worker and shows the first result", async () => {
  assert.equal(await page.title(), "image-worker playground");
  await page.waitForFunction(() => /^\d+×\d+$/.test(document.getElementById("result-size").textContent));
  assert.deepEqual(await resultSize(), [480, 320]);
  assert.equal(await value("#url"), `${origin}/image/width=480/rocket.jpg`);
});

test("changing options updates the result, its facts and the displayed URL", async () => {
  await setField("#o-width", "200");
  await page.select("#o-format", "webp");
  await page.waitForFunction(() => document.getElementById("result-format").textContent === "image/webp");
  await page.waitForFunction(() => document.getElementById("result-size").textContent === "200×133");
  assert.deepEqual(await resultSize(), [200, 133]);
  assert.equal(await value("#url"), `${origin}/image/width=200,format=webp/rocket.jpg`);
  assert.match(await value("#curl"), /--data-binary @rocket\.jpg .*\/transform\?width=200&format=webp'$/);
  assert.match(await text("#result-bytes"), /^[\d,]+ bytes$/);
  assert.match(await text("#result-time"), /^\d+ ms$/);
});

test("a refused option shows the Worker's message beside its control", async () => {
  await setField("#o-blur", "999");
  await page.waitForSelector("#error-o-blur:not(:empty)");
  assert.match(await text("#error-o-blur"), /^400: invalid blur="999"/);
  assert.equal(await page.$eval("#o-blur", (input) => input.getAttribute("aria-invalid")), "true");
  await setField("#o-blur", "");
  await page.waitForFunction(() => !document.getElementById("o-blur").hasAttribute("aria-invalid"));
});

test("an uploaded image is transformed", async () => {
  const upload = await page.$("#upload");
  await upload.uploadFile(`${root}fixtures/chelsea.png`);
  await page.waitForFunction(() => document.getElementById("source-name").textContent.startsWith("Yours: chelsea.png"));
  await page.waitForFunction(() => document.getElementById("result").naturalWidth === 200 && document.getElementById("result").naturalHeight === 133);
  assert.match(await value("#curl"), /@chelsea\.png/);
});

test("SIMD against scalar times both kernels", async () => {
  await page.click("#race");
  await page.waitForFunction(() => /faster/.test(document.getElementById("race-result").textContent), { timeout: 60000 });
  assert.match(await text("#race-simd128"), /^[\d.]+ ms$/);
  assert.match(await text("#race-scalar"), /^[\d.]+ ms$/);
  // workerd's timers run, so the Worker's own Server-Timing is there too.
  assert.match(await text("#race-scalar-server"), /^\d+ ms$/);
  await page.screenshot({ path: `${artifacts}/playground-desktop.png`, fullPage: true });
});

test("at a phone's width, in dark mode, the page still fits", async () => {
  await page.setViewport({ width: 390, height: 844, isMobile: true });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: `${artifacts}/playground-phone.png`, fullPage: true });
});

test("no request left the origin", () => {
  const outside = requests.filter(
    (url) => !url.startsWith(origin) && !url.startsWith(`blob:${origin}`) && !url.startsWith("data:"),
  );
  assert.deepEqual(outside, []);
  assert.ok(requests.some((url) => url.startsWith(`${origin}/transform?`)));
});
