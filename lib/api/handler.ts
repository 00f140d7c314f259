import { getDb } from "@/db/client";
import { type DomainErrorCode, DomainError, isDomainError } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { type AccessTokenScope, authenticateAccessToken, requireTokenScope } from "@/lib/domain/tokens";
import { PROBLEM_TYPE_PREFIX } from "@/lib/gateway/problems";

/**
 * The one wrapper every /api/v1 route goes through: it authenticates the bearer token through the
 * domain, checks the token's scope, runs the handler as the token's user, and turns every
 * DomainError into an RFC 9457 problem. Rules and permissions stay in lib/domain.
 */

export interface ApiContext<P> {
  request: Request;
  actor: Actor;
  scope: AccessTokenScope;
  params: P;
}

type RouteContext<P> = { params: Promise<P> };

const BEARER = /^Bearer +(\S+) *$/i;
const NO_STORE = { "cache-control": "no-store" };

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
  extra: { fields?: Record<string, string> } = {},
): Response {
  const body = { type: PROBLEM_TYPE_PREFIX + code, title: titleOf(code), status, detail, code, ...(extra.fields && { fields: extra.fields }) };
  const headers: Record<string, string> = { ...NO_STORE, "content-type": "application/problem+json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="portico"';
  return new Response(JSON.stringify(body), { status, headers });
}

function errorResponse(error: unknown): Response {
  if (isDomainError(error)) return problemResponse(error.code, error.status, error.message, { fields: error.fields });
  console.error(error);
  return problemResponse("internal_error", 500, "Something went wrong on our side.");
}

/** A /api/v1 route handler; `scope: "write"` refuses read-only tokens before the body runs. */
export function apiRoute<P = Record<string, never>>(
  options: { scope: AccessTokenScope },
  body: (context: ApiContext<P>) => Promise<unknown>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      const db = await getDb();
      const token = bearerToken(request);
      if (token === undefined) throw new DomainError("token_invalid", "Send an access token: Authorization: Bearer pat_…");
      const { actor, scope } = await authenticateAccessToken(db, token);
      requireTokenScope(scope, options.scope);
      const result = await body({ request, actor, scope, params: await context.params });
      return result instanceof Response ? result : Response.json(result, { headers: NO_STORE });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
