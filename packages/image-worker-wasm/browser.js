// Browsers and bundlers: the module is fetched from beside this file (a bundler copies it as an
// asset), streamed into the compiler.
import init from "./dist/image_worker.js";
import * as bindings from "./dist/image_worker.js";
import { createApi } from "./api.js";

await init({ module_or_path: new URL("./dist/image_worker_bg.wasm", import.meta.url) });
export { ImageError } from "./api.js";
export const { transform, probe, memoryBytes } = createApi(bindings);
