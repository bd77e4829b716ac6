// The playground: the chosen image goes to POST /transform with the form's options whenever they
// change (debounced); the result shows beside the original with its format, size, bytes and round
// trip, and the URL and curl forms of the same request. Every request stays on this origin.

const $ = (id) => document.getElementById(id);
const form = $("controls");
const controls = [...form.querySelectorAll("[name]")];
const DEBOUNCE_MS = 300;
const RACE_ROUNDS = 5;
// What a browser's <img> sends, so that format=auto answers as it would for a page.
const ACCEPT = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8";

let source = { name: "", bytes: null, bundled: true };
let originalUrl = "";
let resultUrl = "";
let pending = null;
let timer = 0;

// The form as option pairs: empty fields and defaults are left out.
function optionPairs() {
  const pairs = [];
  for (const control of controls) {
    let value = control.value.trim();
    if (control.type === "checkbox") {
      value = control.checked ? control.dataset.checked ?? "" : control.dataset.unchecked ?? "";
    }
    if (value !== "") pairs.push([control.name, value]);
  }
  return pairs;
}

const pathOptions = (pairs) => pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(",");
const queryOptions = (pairs) => new URLSearchParams(pairs).toString();

function showRequest(pairs) {
  const origin = location.origin;
  const path = pathOptions(pairs) || "format=auto";
  $("url").value = source.bundled
    ? `${origin}/image/${path}/${source.name}`
    : `${origin}/image/${path}/<a path the Worker can read>`;
  const file = source.name || "image";
  $("curl").value = `curl -H 'Expect:' --data-binary @${file} -o out '${origin}/transform?${queryOptions(pairs)}'`;
}

function clearErrors() {
  for (const control of controls) control.removeAttribute("aria-invalid");
  for (const note of form.querySelectorAll(".error")) note.textContent = "";
}

// The Worker's message names the option it refuses ("invalid width=…", "trim and trim.width …"):
// the message goes next to that control, or under the form when it names none.
function showError(message) {
  const named = [...controls]
    .sort((a, b) => b.name.length - a.name.length)
    .find((control) => new RegExp(`(^|[^\\w.-])${control.name.replace(/\./g, "\\.")}([^\\w.-]|$)`).test(message));
  if (!named) {
    $("form-error").textContent = message;
    return;
  }
  named.setAttribute("aria-invalid", "true");
  let note = document.getElementById(`error-${named.id}`);
  if (!note) {
    note = document.createElement("p");
    note.className = "error";
    note.id = `error-${named.id}`;
    note.setAttribute("role", "alert");
    named.setAttribute("aria-describedby", note.id);
    (named.closest("label") ?? named).insertAdjacentElement("afterend", note);
  }
  note.textContent = message;
}

async function transform(pairs, headers = {}, signal) {
  const started = performance.now();
  const response = await fetch(`/transform?${queryOptions(pairs)}`, {
    method: "POST",
    body: source.bytes,
    headers: { Accept: ACCEPT, ...headers },
    signal,
  });
  const body = await response.blob();
  const roundTrip = performance.now() - started;
  const serverTiming = Number(/transform;dur=([\d.]+)/.exec(response.headers.get("Server-Timing") ?? "")?.[1] ?? NaN);
  return { response, body, roundTrip, serverTiming };
}

async function update() {
  if (!source.bytes) return;
  const pairs = optionPairs();
  showRequest(pairs);
  pending?.abort();
  pending = new AbortController();
  let outcome;
  try {
    outcome = await transform(pairs, {}, pending.signal);
  } catch (error) {
    if (error.name !== "AbortError") $("form-error").textContent = `The request failed: ${error.message}`;
    return;
  }
  clearErrors();
  const { response, body, roundTrip } = outcome;
  if (!response.ok) {
    const text = await body.text();
    let message = text;
    try {
      message = JSON.parse(text).error;
    } catch { /* not JSON: show it as it came */ }
    showError(`${response.status}: ${message}`);
    return;
  }
  const type = response.headers.get("Content-Type") ?? "";
  $("result-format").textContent = type;
  $("result-bytes").textContent = `${body.size.toLocaleString("en")} bytes`;
  $("result-time").textContent = `${roundTrip.toFixed(0)} ms`;
  const json = $("result-json");
  if (type.startsWith("application/json")) {
    json.hidden = false;
    json.textContent = JSON.stringify(JSON.parse(await body.text()), null, 2);
    $("result").hidden = true;
    $("result-size").textContent = "description";
    return;
  }
  json.hidden = true;
  const image = $("result");
  image.hidden = false;
  if (resultUrl) URL.revokeObjectURL(resultUrl);
  resultUrl = URL.createObjectURL(body);
  image.src = resultUrl;
  await image.decode().catch(() => {});
  $("result-size").textContent = `${image.naturalWidth}×${image.naturalHeight}`;
  image.dataset.width = String(image.naturalWidth);
  image.dataset.height = String(image.naturalHeight);
  layout();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

function layout() {
  const compare = $("compare");
  compare.style.setProperty("--split", `${$("split").value}%`);
  compare.classList.toggle("one-to-one", $("one-to-one").checked);
  compare.style.setProperty("--natural-width", `${$("result").naturalWidth || 0}px`);
}

async function useSource(name, bytes, bundled) {
  source = { name, bytes, bundled };
  if (originalUrl) URL.revokeObjectURL(originalUrl);
  originalUrl = URL.createObjectURL(new Blob([bytes]));
  $("original").src = originalUrl;
  $("source-name").textContent = bundled ? `Bundled: ${name}` : `Yours: ${name} (${bytes.size.toLocaleString("en")} bytes)`;
  await update();
}

async function useBundled(name) {
  const response = await fetch(`/assets/${name}`);
  await useSource(name, await response.blob(), true);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// simd128 and scalar in turn, RACE_ROUNDS each after one warm-up pair.
async function race() {
  const button = $("race");
  button.disabled = true;
  $("race-result").textContent = "Running…";
  const pairs = optionPairs();
  const runs = { simd128: [], scalar: [] };
  const server = { simd128: [], scalar: [] };
  try {
    for (let round = 0; round <= RACE_ROUNDS; round++) {
      for (const backend of ["simd128", "scalar"]) {
        const outcome = await transform(pairs, { "X-Kernel-Backend": backend });
        if (!outcome.response.ok) throw new Error(`the Worker answered ${outcome.response.status}`);
        if (outcome.response.headers.get("X-Kernel-Backend") !== backend) {
          throw new Error("this Worker does not let requests pick their kernels (ALLOW_BACKEND_HEADER is off)");
        }
        if (round === 0) continue;
        runs[backend].push(outcome.roundTrip);
        if (!Number.isNaN(outcome.serverTiming)) server[backend].push(outcome.serverTiming);
      }
    }
    for (const backend of ["simd128", "scalar"]) {
      $(`race-${backend}`).textContent = `${median(runs[backend]).toFixed(1)} ms`;
      $(`race-${backend}-server`).textContent = server[backend].length ? `${median(server[backend]).toFixed(0)} ms` : "–";
    }
    const ratio = median(runs.scalar) / median(runs.simd128);
    $("race-result").textContent = `simd128 took ${(1 / ratio).toFixed(2)} of the scalar time (${ratio.toFixed(2)}x faster), round trips included.`;
  } catch (error) {
    $("race-result").textContent = `Could not compare: ${error.message}.`;
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("input", (event) => {
  if (event.target.name) schedule();
});
form.addEventListener("submit", (event) => event.preventDefault());
$("source").addEventListener("change", (event) => useBundled(event.target.value));
$("upload").addEventListener("change", (event) => {
  const [file] = event.target.files;
  if (file) useSource(file.name, file, false);
});
const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("dragging");
});
drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("dragging");
  const [file] = event.dataTransfer.files;
  if (file) useSource(file.name, file, false);
});
$("split").addEventListener("input", layout);
$("one-to-one").addEventListener("change", layout);
$("race").addEventListener("click", race);
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = $(button.dataset.copy);
    field.select();
    await navigator.clipboard?.writeText(field.value).catch(() => document.execCommand("copy"));
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
}

useBundled($("source").value);
