// GET /image/<options>/<path>: the asset at <path>, transformed by the npm package with the URL
// grammar's options; POST /transform?<options>: the request body, as the Rust Worker takes it.
// format=auto reads the request's Accept. Refusals answer the package's ImageError as the Rust
// Worker answers its errors: the HTTP status and {"error", "code"}.
import { ImageError, transform } from "image-worker-wasm";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = url.pathname.match(/^\/image\/([^/]+)\/(.+)$/);
    let source;
    let options;
    if (request.method === "GET" && route) {
      const asset = await env.ASSETS.fetch(new URL(`/${route[2]}`, url));
      if (!asset.ok) return error(404, 9404, `no image at ${route[2]}`);
      source = await asset.arrayBuffer();
      options = route[1];
    } else if (request.method === "POST" && url.pathname === "/transform") {
      source = await request.arrayBuffer();
      options = [...url.searchParams].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(",");
    } else {
      return error(404, 9404, "GET /image/<options>/<path> or POST /transform?<options>");
    }
    try {
      const accept = request.headers.get("Accept") ?? undefined;
      const image = transform(new Uint8Array(source), options, { accept });
      return new Response(image.bytes, {
        headers: { "Content-Type": image.contentType, Vary: "Accept", "Cache-Control": "public, max-age=86400" },
      });
    } catch (caught) {
      if (caught instanceof ImageError) return error(caught.status, caught.code, caught.message);
      throw caught;
    }
  },
};

function error(status, code, message) {
  return Response.json({ error: message, code }, { status });
}
