import { z } from "zod";
import { getDb } from "@/db/client";
import { type DomainErrorCode, DomainError, isDomainError, parseInput } from "@/lib/domain/errors";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  requestFingerprint,
  type StoredAnswer,
} from "@/lib/domain/idempotency";
import type { Actor } from "@/lib/domain/permissions";
import { authenticateAccessToken, requireTokenScope } from "@/lib/domain/tokens";
import { PROBLEM_TYPE_PREFIX } from "@/lib/gateway/problems";
import { readJsonBody } from "./body";
import { type Operation, Reply } from "./operation";
import { apiRateLimiter, rateLimitHeaders } from "./rate-limit";

/**
 * Serves an operation as a Next.js route handler: authenticates the bearer token through the
 * domain, applies the token's rate limit and scope, reads the path, query and body through the
 * operation's schemas, honours Idempotency-Key on POST, runs the handler as the token's user, and
 * turns every DomainError into an RFC 9457 problem. Rules and permissions stay in lib/domain.
 *
 *   export const POST = route(createClient);
 */

/** Next.js resolves `params` to undefined for a route without dynamic segments. */
type RouteContext = { params: Promise<Record<string, string | string[] | undefined> | undefined> };

const BEARER = /^Bearer +(\S+) *$/i;
const NO_STORE = { "cache-control": "no-store" };
/** Headers a replayed answer keeps. */
const REPLAYED_HEADERS = ["content-type", "location", "etag", "link"];

/** The token of an Authorization header, or undefined when there is none or it is not a bearer token. */
function bearerToken(request: Request): string | undefined {
  return BEARER.exec(request.headers.get("authorization") ?? "")?.[1];
}

/** "token_invalid" -> "Token invalid": a short title per code; the detail carries the sentence. */
function titleOf(code: string): string {
  const words = code.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function problemResponse(
  code: DomainErrorCode | "internal_error",
  status: number,
  detail: string,
  extra: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
): Response {
  const body = { type: PROBLEM_TYPE_PREFIX + code, title: titleOf(code), status, detail, code, ...(extra.fields && { fields: extra.fields }) };
  const headers: Record<string, string> = { ...NO_STORE, ...extra.headers, "content-type": "application/problem+json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="portico"';
  return new Response(JSON.stringify(body), { status, headers });
}

function errorResponse(error: unknown, headers: Record<string, string>): Response {
  if (isDomainError(error)) return problemResponse(error.code, error.status, error.message, { fields: error.fields, headers });
  console.error(error);
  return problemResponse("internal_error", 500, "Something went wrong on our side.", { headers });
}

/** First values of the query string; repeated parameters keep their first value. */
function queryRecord(url: URL): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of url.searchParams) record[name] ??= value;
  return record;
}

/** Route params as strings; Next.js has decoded them once already. */
function pathParams(raw: Record<string, string | string[] | undefined> | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (typeof value !== "string") throw new DomainError("not_found");
    params[name] = value;
  }
  return params;
}

async function toResponse(operation: Operation, result: unknown, headers: Record<string, string>): Promise<Response> {
  const { body, init } = result instanceof Reply ? result : { body: result, init: {} };
  const status = init.status ?? operation.status ?? (operation.response ? 200 : 204);
  const merged = { ...NO_STORE, ...headers, ...init.headers };
  if (status === 204) return new Response(null, { status, headers: merged });
  return Response.json(body, { status, headers: merged });
}

async function storedAnswer(response: Response): Promise<StoredAnswer> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.clone().text() };
}

function replayResponse(answer: StoredAnswer, headers: Record<string, string>): Response {
  const body = answer.status === 204 ? null : answer.body;
  return new Response(body, { status: answer.status, headers: { ...NO_STORE, ...headers, ...answer.headers, "idempotent-replayed": "true" } });
}

export function route(operation: Operation): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    const headers: Record<string, string> = {};
    let claimId: string | undefined;
    const db = await getDb();
    try {
      let actor: Actor | undefined;
      if (operation.scope !== "public") {
        const token = bearerToken(request);
        if (token === undefined) throw new DomainError("token_invalid", "Send an access token: Authorization: Bearer pat_…");
        const authenticated = await authenticateAccessToken(db, token);
        const decision = apiRateLimiter().take(authenticated.tokenId);
        Object.assign(headers, rateLimitHeaders(decision));
        if (!decision.allowed) throw new DomainError("rate_limited", `Too many requests with this access token; retry in ${decision.retryAfterSeconds} s.`);
        requireTokenScope(authenticated.scope, operation.scope);
        actor = authenticated.actor;
      }
      const url = new URL(request.url);
      const params = pathParams(await context.params);
      const query = parseInput(operation.query ?? z.object({}), queryRecord(url));
      const raw = operation.body ? await readJsonBody(request) : undefined;
      const body = operation.body ? parseInput(operation.body, raw?.value) : undefined;

      const idempotencyKey = request.headers.get("idempotency-key");
      if (operation.method === "POST" && idempotencyKey !== null && actor) {
        const fingerprint = requestFingerprint(request.method, url.pathname + url.search, raw?.text ?? "");
        const claim = await claimIdempotencyKey(db, actor.userId, idempotencyKey, fingerprint);
        if (claim.kind === "replay") return replayResponse(claim.answer, headers);
        claimId = claim.id;
      }

      let response: Response;
      try {
        const result = await operation.handler({ request, url, db, actor: actor!, params, query, body, ifMatch: request.headers.get("if-match") ?? undefined });
        response = await toResponse(operation, result, headers);
      } catch (error) {
        response = errorResponse(error, headers);
      }
      if (claimId) {
        if (response.status >= 500) await releaseIdempotencyKey(db, claimId);
        else await completeIdempotencyKey(db, claimId, await storedAnswer(response));
      }
      return response;
    } catch (error) {
      if (claimId) await releaseIdempotencyKey(db, claimId).catch(() => undefined);
      return errorResponse(error, headers);
    }
  };
}
