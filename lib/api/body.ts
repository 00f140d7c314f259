import { DomainError } from "@/lib/domain/errors";

/**
 * Reads a JSON request body: JSON only (415 otherwise), at most MAX_BODY_BYTES (413, counted as
 * the bytes arrive, whatever Content-Length claims), valid UTF-8 JSON (400). The same limit as the
 * portal's forms, so anything the domain accepts through a form also fits here.
 */

/** 7 MB, next.config.js's SERVER_ACTION_BODY_LIMIT (body.test.ts keeps them equal). */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody(request: Request): Promise<{ text: string; value: unknown }> {
  const type = request.headers.get("content-type") ?? "";
  if (!JSON_TYPE.test(type)) throw new DomainError("unsupported_media_type");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new DomainError("body_too_large", `That request body is too large: at most ${MAX_BODY_BYTES} bytes.`);

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new DomainError("body_too_large", `That request body is too large: at most ${MAX_BODY_BYTES} bytes.`);
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new DomainError("validation_failed", "The body is not valid UTF-8.", { _: "The body is not valid UTF-8." });
  }
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch {
    throw new DomainError("validation_failed", "The body is not valid JSON.", { _: "The body is not valid JSON." });
  }
}
