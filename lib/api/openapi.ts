import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { type DomainErrorCode, errorStatus } from "@/lib/domain/errors";
import type { Operation } from "./operation";
import { OPERATIONS } from "./registry";
import { problemSchema } from "./schemas";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operations the route files serve: their
 * paths, schemas, scopes and the problem codes they may answer.
 */

export const API_PREFIX = "/api/v1";

const PARAM_DESCRIPTIONS: Record<string, string> = {
  org: "The organization's identifier (slug).",
  api: "The API's identifier (slug).",
  client: "The client's identifier (slug).",
  plan: "The plan's identifier (slug).",
  version: "A version name, as in the portal's URLs (1.0).",
  id: "An id, as the portal uses it.",
  userId: "A member's user id.",
  planVersionId: "The id of an offered plan version.",
};

const problemContent = { "application/problem+json": { schema: problemSchema } };

/** The codes an operation may answer: its own and those every operation of its kind may. */
export function operationErrors(operation: Operation): DomainErrorCode[] {
  const codes = new Set<DomainErrorCode>(operation.errors ?? []);
  if (operation.scope !== "public") codes.add("token_invalid").add("rate_limited");
  if (operation.scope === "write") codes.add("token_read_only");
  if (operation.query || operation.body) codes.add("validation_failed");
  if (operation.body) codes.add("unsupported_media_type").add("body_too_large");
  if (operation.method === "POST" && operation.scope !== "public") codes.add("validation_failed").add("idempotency_key_reused").add("idempotency_in_progress");
  if (operation.etag && operation.method !== "GET") codes.add("precondition_failed");
  return [...codes];
}

function pathParamsSchema(path: string) {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  return z.object(Object.fromEntries(names.map((name) => [name, z.string().meta({ description: PARAM_DESCRIPTIONS[name] ?? name })])));
}

function headerParams(operation: Operation) {
  const headers: Record<string, z.ZodType> = {};
  if (operation.method === "POST" && operation.scope !== "public") {
    headers["Idempotency-Key"] = z
      .string()
      .max(255)
      .optional()
      .meta({ description: "A retry with the same key and request gets the first answer instead of acting twice (kept 24 hours)." });
  }
  if (operation.etag && operation.method !== "GET") {
    headers["If-Match"] = z.string().optional().meta({ description: "The ETag you read; a stale one gets 412 instead of overwriting." });
  }
  return Object.keys(headers).length > 0 ? z.object(headers) : undefined;
}

function responses(operation: Operation): ZodOpenApiResponsesObject {
  const status = operation.status ?? (operation.response ? 200 : 204);
  const successHeaders: Record<string, z.ZodType> = {};
  if (operation.paged) successHeaders.Link = z.string().meta({ description: 'The next page: `<url>; rel="next"`, absent on the last page.' });
  if (operation.etag) successHeaders.ETag = z.string().meta({ description: "The representation's version, for If-Match." });
  if (operation.scope !== "public") successHeaders["RateLimit-Remaining"] = z.string().meta({ description: "Requests this token may still make now." });
  const result: ZodOpenApiResponsesObject = {
    [String(status)]: {
      description: operation.summary,
      ...(Object.keys(successHeaders).length > 0 && { headers: z.object(successHeaders) }),
      ...(operation.response && { content: { "application/json": { schema: operation.response } } }),
    },
  };
  const byStatus = new Map<number, DomainErrorCode[]>();
  for (const code of operationErrors(operation)) byStatus.set(errorStatus(code), [...(byStatus.get(errorStatus(code)) ?? []), code]);
  for (const [errorStatusCode, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    result[`${errorStatusCode}` as `4${string}`] = {
      description: `Problem: ${codes.map((code) => `\`${code}\``).join(", ")}.`,
      ...(errorStatusCode === 429 && { headers: z.object({ "Retry-After": z.string().meta({ description: "Seconds to wait." }) }) }),
      content: problemContent,
    };
  }
  return result;
}

function operationObject(operation: Operation): ZodOpenApiOperationObject {
  const query = operation.query;
  return {
    operationId: operation.id,
    summary: operation.summary,
    ...(operation.description && { description: operation.description }),
    tags: [operation.tag],
    security: operation.scope === "public" ? [] : [{ accessToken: [] }],
    ...(operation.scope === "write" && { "x-portico-scope": "write" }),
    requestParams: {
      path: pathParamsSchema(operation.path),
      ...(query && { query: query as z.ZodObject }),
      ...(headerParams(operation) && { header: headerParams(operation) }),
    },
    ...(operation.body && { requestBody: { required: true, content: { "application/json": { schema: operation.body } } } }),
    responses: responses(operation),
  };
}

export function buildOpenApiDocument(operations: readonly Operation[] = OPERATIONS) {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of operations) {
    const item = (paths[API_PREFIX + operation.path] ??= {});
    (item as Record<string, ZodOpenApiOperationObject>)[operation.method.toLowerCase()] = operationObject(operation);
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Portico API",
      version: "1.0.0",
      description:
        "Everything the portal and API Management do, for programs. Authenticate with a personal access token " +
        "(Settings → Access tokens) as `Authorization: Bearer pat_…`; a token acts as its user. Errors are " +
        "`application/problem+json` with a stable `code`. Lists page with `cursor` and a `Link` header; POST accepts " +
        "`Idempotency-Key`; resources with an `ETag` honour `If-Match`.",
    },
    servers: [{ url: "/" }],
    components: { securitySchemes: { accessToken: { type: "http", scheme: "bearer", description: "A personal access token, pat_…" } } },
    paths,
  });
}

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;

/** The document, built once per process. */
export function openApiDocument() {
  return (cached ??= buildOpenApiDocument());
}
