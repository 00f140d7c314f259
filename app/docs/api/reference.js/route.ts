import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * The API reference renderer (Scalar's standalone browser build), served from this origin so
 * /docs/api loads nothing from another host. Read once per process.
 */

let script: Promise<Buffer> | undefined;

export async function GET(): Promise<Response> {
  script ??= readFile(path.join(process.cwd(), "node_modules/@scalar/api-reference/dist/browser/standalone.js"));
  return new Response(new Uint8Array(await script), {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" },
  });
}
