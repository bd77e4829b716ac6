// POST /transform?width=800&format=webp: runs `imgw - - width=800,format=webp` with the body as
// stdin and answers its stdout. A failure answers the status of imgw's exit code with its message.
import { WASI } from "@cloudflare/workers-wasi";
import imgw from "../../../target/wasm32-wasip1/release/imgw.wasm";

// imgw's exit codes (README "CLI") as the Rust Worker's HTTP statuses.
const STATUS_OF_EXIT = { 1: 400, 2: 400, 3: 413, 4: 415, 5: 422, 6: 500, 7: 500 };

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/transform") {
      return Response.json({ error: "POST an image to /transform?<options>", code: 9404 }, { status: 404 });
    }
    const options = [...url.searchParams].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(",");
    const accept = request.headers.get("Accept");
    const stdout = collector();
    const stderr = collector();
    const wasi = new WASI({
      args: ["imgw", ...(accept ? ["--accept", accept] : []), "-", "-", options],
      stdin: request.body ?? undefined,
      stdout: stdout.stream,
      stderr: stderr.stream,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(imgw, { wasi_snapshot_preview1: wasi.wasiImport });
    const exit = (await wasi.start(instance)) ?? 0;
    if (exit !== 0) {
      const message = new TextDecoder().decode(stderr.bytes()).trim().replace(/^imgw: /, "");
      const code = Number(message.match(/\(error (\d+)\)$/)?.[1] ?? 9500);
      return Response.json({ error: message, code }, { status: STATUS_OF_EXIT[exit] ?? 500 });
    }
    const bytes = stdout.bytes();
    return new Response(bytes, { headers: { "Content-Type": contentType(bytes) } });
  },
};

// A WritableStream that keeps what is written: the adapter writes once imgw has exited, and a
// stream nobody reads yet would hold that write back.
function collector() {
  const chunks = [];
  return {
    stream: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) (out.set(chunk, at), (at += chunk.length));
      return out;
    },
  };
}

// imgw writes bytes only: the media type is read from their signature.
function contentType(bytes) {
  const text = (from, to) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "image/jpeg";
  if (text(1, 4) === "PNG") return "image/png";
  if (text(0, 3) === "GIF") return "image/gif";
  if (text(8, 12) === "WEBP") return "image/webp";
  if (text(4, 12) === "ftypavif") return "image/avif";
  if (bytes[0] === 0x7b) return "application/json";
  return "application/octet-stream";
}
