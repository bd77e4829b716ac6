// node: the module is read from the package's own folder.
import { readFileSync } from "node:fs";
import { initSync } from "./dist/image_worker.js";
import * as bindings from "./dist/image_worker.js";
import { createApi } from "./api.js";

initSync({ module: readFileSync(new URL("./dist/image_worker_bg.wasm", import.meta.url)) });
export { ImageError } from "./api.js";
export const { transform, probe, memoryBytes } = createApi(bindings);
