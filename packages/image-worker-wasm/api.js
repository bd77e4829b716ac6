// The package's API over the wasm-bindgen exports. Each entry point (workerd.js, node.js,
// browser.js) instantiates the module the way its runtime allows and hands the bindings here.

/** A refusal with the Worker's error code, message and HTTP status (see the README's errors). */
export class ImageError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = "ImageError";
    this.code = code;
    this.status = status;
  }
}

export function createApi(bindings) {
  return {
    transform(bytes, options = "", { accept, backend = "", limits } = {}) {
      const output = call(() => bindings.transform(toBytes(bytes), optionList(options), accept, backend, limitList(limits)));
      try {
        const { format, contentType, width, height } = output;
        return { bytes: output.takeBytes(), format, contentType, width, height };
      } finally {
        output.free();
      }
    },
    probe(bytes, { limits } = {}) {
      const header = call(() => bindings.probe(toBytes(bytes), limitList(limits)));
      try {
        const { format, width, height, frames, orientation } = header;
        return { format, width, height, frames, orientation };
      } finally {
        header.free();
      }
    },
    memoryBytes: () => bindings.memoryBytes(),
  };
}

// The Rust side fails with the JSON error body (plus its status) as a string.
function call(run) {
  try {
    return run();
  } catch (error) {
    if (typeof error === "string" && error.startsWith("{")) {
      const { error: message, code, status } = JSON.parse(error);
      throw new ImageError(message, code, status);
    }
    throw error;
  }
}

function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError("image bytes must be a Uint8Array, an ArrayBuffer or a typed array view");
}

// The object form becomes the URL form: nested objects give dotted names (border.color), arrays
// the `;` lists (trim), gravity {x, y} the XxY point; values are percent-encoded.
function optionList(options) {
  if (typeof options === "string") return options;
  if (options === null || options === undefined) return "";
  if (typeof options !== "object") throw new TypeError("options must be a string or an object");
  const pairs = [];
  const add = (name, value) => {
    if (value === undefined || value === null) return;
    if (name === "gravity" && typeof value === "object" && "x" in value && "y" in value) {
      value = `${value.x}x${value.y}`;
    } else if (Array.isArray(value)) {
      value = value.join(";");
    } else if (typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) add(`${name}.${key}`, inner);
      return;
    }
    pairs.push(`${name}=${encodeURIComponent(String(value))}`);
  };
  for (const [name, value] of Object.entries(options)) add(name, value);
  return pairs.join(",");
}

// { MAX_WORKING_BYTES: 134217728 } → ["MAX_WORKING_BYTES", "134217728"], as the Worker's variables.
function limitList(limits) {
  return Object.entries(limits ?? {}).flatMap(([name, value]) => [name, String(value)]);
}
