// Workers (workerd): the module is imported statically, compiled by the runtime at upload; no
// fetch, no eval.
import module from "./dist/image_worker_bg.wasm";
import { initSync } from "./dist/image_worker.js";
import * as bindings from "./dist/image_worker.js";
import { createApi } from "./api.js";

initSync({ module });
export { ImageError } from "./api.js";
export const { transform, probe, memoryBytes } = createApi(bindings);
