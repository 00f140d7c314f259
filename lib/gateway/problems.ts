import type { ServerResponse } from "node:http";

/** Every error the gateway answers with: status, stable code, title, and a sentence for people. */
const PROBLEMS = {
  key_missing: [401, "API key missing", "This API needs an API key: send it in the X-API-Key header or the apikey query parameter."],
  key_invalid: [401, "API key invalid", "That API key is unknown, expired or retired."],
  path_invalid: [400, "Path not allowed", "The path is ambiguous: dot segments, encoded slashes, double or malformed percent-encoding are refused."],
  api_not_found: [404, "API not found", "No published API version answers at this address."],
  api_retired: [410, "API retired", "This API version is retired and no longer answers."],
  no_contract: [403, "No contract", "This client has no active contract with this API version."],
  contract_pending: [403, "Contract awaiting approval", "This client's contract with this API version awaits the provider's approval."],
  contract_suspended: [403, "Contract suspended", "This contract is suspended by the API's provider."],
  contract_expired: [403, "Contract expired", "This contract has ended."],
  rate_limited: [429, "Rate limit exceeded", "Too many requests for this contract's plan; retry later."],
  quota_exceeded: [429, "Quota exceeded", "This contract's quota is used up; retry when it renews."],
  upstream_unavailable: [502, "Upstream unavailable", "The API's backend could not be reached."],
  upstream_forbidden: [502, "Upstream not allowed", "The API's backend resolves to an address the gateway may not forward to."],
  upstream_timeout: [504, "Upstream timeout", "The API's backend did not answer in time."],
} as const satisfies Record<string, readonly [number, string, string]>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Problem type URIs: stable identifiers, one per code (RFC 9457 allows URIs that do not resolve). */
export const PROBLEM_TYPE_PREFIX = "urn:portico:problem:";

export function problemStatus(code: ProblemCode): number {
  return PROBLEMS[code][0];
}

export interface ProblemOptions {
  requestId: string;
  /** Replaces the default sentence. */
  detail?: string;
  /** Extra response headers, such as Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
}

/** The RFC 9457 body of a problem. */
export function problemBody(code: ProblemCode, requestId: string, detail?: string) {
  const [status, title, sentence] = PROBLEMS[code];
  return { type: PROBLEM_TYPE_PREFIX + code, title, status, detail: detail ?? sentence, code, requestId };
}

/** Answers with an application/problem+json response, unless the caller is already gone. */
export function sendProblem(res: ServerResponse, code: ProblemCode, options: ProblemOptions): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(problemBody(code, options.requestId, options.detail));
  // An upload that was refused is not worth reading to the end: closing the connection drops it.
  const close = res.req && !res.req.complete ? { connection: "close" } : undefined;
  res.writeHead(PROBLEMS[code][0], {
    ...options.headers,
    ...close,
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-request-id": options.requestId,
  });
  res.end(body);
}
