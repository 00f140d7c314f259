import { getDb } from "@/db/client";
import { getActor } from "@/lib/auth/actor";
import { planTryItRequest } from "@/lib/domain/catalog";
import { revealApiKey } from "@/lib/domain/clients";
import { isDomainError } from "@/lib/domain/errors";
import { TRY_IT_BODY_LIMIT, type TryItResult } from "@/components/portal/api-page/try-it-result";

/** The form is a few fields; anything larger is not from the API page. */
const MAX_FORM_BYTES = 20_000;
const TIMEOUT_MS = 10_000;
/** Headers that describe the portal's own hop or carry the backend's cookies: not shown. */
const HIDDEN_HEADERS = new Set(["set-cookie", "set-cookie2", "connection", "keep-alive", "transfer-encoding"]);

const refuse = (status: number, error: string) => Response.json({ error }, { status, headers: { "cache-control": "no-store" } });

/**
 * Try it: sends one GET or HEAD operation of an API version to the gateway, with the key of the
 * signed-in user's chosen client version, and answers what came back. The browser cannot call
 * the gateway itself (it sends no CORS headers); the URL is planned by the domain, which only
 * ever builds one below the version's managed endpoint.
 */
export async function POST(request: Request, { params }: { params: Promise<{ org: string; api: string }> }) {
  const actor = await getActor();
  if (!actor) return refuse(401, "Sign in to try this API.");
  // A JSON body from this very site: a form on another site can send neither.
  if (!fromThisSite(request)) return refuse(403, "Try it answers the API page only.");
  if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) return refuse(415, "Send the form as JSON.");
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) return refuse(413, "That request is too large for Try it.");
  let form: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return refuse(400, "Send the form as a JSON object.");
    form = parsed as Record<string, unknown>;
  } catch {
    return refuse(400, "Send the form as JSON.");
  }

  const { org, api } = await params;
  const db = await getDb();
  let target: Awaited<ReturnType<typeof planTryItRequest>>;
  let apiKey: string | null = null;
  try {
    target = await planTryItRequest(db, actor, { ...form, org: safeDecode(org), api: safeDecode(api) } as Parameters<typeof planTryItRequest>[2]);
    if (target.clientVersionId) apiKey = (await revealApiKey(db, actor, target.clientVersionId)).apiKey;
  } catch (error) {
    if (isDomainError(error)) return refuse(error.status, error.message);
    throw error;
  }

  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: target.method,
      headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.5", ...(apiKey ? { "x-api-key": apiKey } : {}) },
      // A redirect is shown, never followed: it could point anywhere.
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return refuse(timedOut ? 504 : 502, timedOut ? "The gateway did not answer within 10 seconds." : "The gateway could not be reached.");
  }

  const { body, truncated } = await readCapped(response, TRY_IT_BODY_LIMIT);
  const result: TryItResult = {
    status: response.status,
    statusText: response.statusText,
    url: target.url,
    headers: [...response.headers].filter(([name]) => !HIDDEN_HEADERS.has(name.toLowerCase())),
    body,
    truncated,
    durationMs: Date.now() - started,
  };
  return Response.json(result, { headers: { "cache-control": "no-store" } });
}

/** No Origin (same-origin GETs, old browsers) passes; one naming another host does not. */
function fromThisSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  try {
    return new URL(origin).host === (request.headers.get("x-forwarded-host") ?? request.headers.get("host"));
  } catch {
    return false;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The body as text, at most `limit` bytes of it; the rest is not read. */
async function readCapped(response: Response, limit: number): Promise<{ body: string; truncated: boolean }> {
  if (!response.body) return { body: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) {
        chunks.push(value.subarray(0, limit - size));
        size = limit;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    truncated = true;
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // A multi-byte character cut at the limit decodes as one replacement mark, not an error.
  return { body: new TextDecoder().decode(bytes), truncated };
}
