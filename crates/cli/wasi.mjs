// Runs the WASI build of imgw under node's node:wasi: `node crates/cli/wasi.mjs [imgw arguments]`.
// The whole file system is visible to it (preopened at /), as to the native binary, and relative
// paths start from the working directory (PWD); stdin and stdout are the process's.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const binary = new URL("../../target/wasm32-wasip1/release/imgw.wasm", import.meta.url);
const wasi = new WASI({
  version: "preview1",
  args: ["imgw", ...process.argv.slice(2)],
  env: { PWD: process.cwd() },
  preopens: { "/": "/" },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(process.env.IMGW_WASM ?? binary));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
