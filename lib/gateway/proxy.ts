import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import { type ProblemCode, sendProblem } from "./problems";
import type { GatewaySettings } from "./settings";

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. Host is set for the backend,
// Expect is answered by this server, and the X-Forwarded-* and X-Request-Id fields are rewritten.
const REQUEST_HEADERS_NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "expect",
  "x-api-key",
  "x-request-id",
  "x-forwarded-for",
]);
const RESPONSE_HEADERS_NOT_FORWARDED = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"];

/** One keep-alive connection pool per backend origin, shared by every request to it. */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly settings: GatewaySettings) {}

  pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.settings.connectionsPerOrigin,
        connect: { timeout: this.settings.connectTimeoutMs },
        headersTimeout: this.settings.headersTimeoutMs,
        bodyTimeout: this.settings.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

export interface ForwardOptions {
  req: IncomingMessage;
  res: ServerResponse;
  pool: Dispatcher;
  /** Path and query for the backend, key already removed. */
  path: string;
  requestId: string;
  /** Added to the backend's response headers (RateLimit fields). */
  responseHeaders?: OutgoingHttpHeaders;
  settings: GatewaySettings;
}

function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** Headers for the backend: the caller's, minus hop-by-hop fields and the key, plus X-Forwarded-* and X-Request-Id. */
export function forwardedRequestHeaders(req: IncomingMessage, requestId: string, trustProxy: boolean): { headers: string[]; hasBody: boolean } {
  const raw = req.rawHeaders;
  const headers: string[] = [];
  let hasBody = false;
  let forwardedFor = "";
  let forwardedProto: string | undefined;
  let forwardedHost: string | undefined;
  let host = "";
  let connectionTokens: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === "connection") connectionTokens = raw[i + 1].toLowerCase().split(",").map((t) => t.trim());
    else if (name === "host") host = raw[i + 1];
    else if (name === "x-forwarded-for") forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
    else if (name === "content-length" || name === "transfer-encoding") hasBody = hasBody || name === "transfer-encoding" || raw[i + 1] !== "0";
    if (REQUEST_HEADERS_NOT_FORWARDED.has(name)) continue;
    if (name === "x-forwarded-proto") {
      if (trustProxy) forwardedProto ??= raw[i + 1];
      continue;
    }
    if (name === "x-forwarded-host") {
      if (trustProxy) forwardedHost ??= raw[i + 1];
      continue;
    }
    headers.push(raw[i], raw[i + 1]);
  }
  if (connectionTokens) {
    // Fields named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    for (let i = headers.length - 2; i >= 0; i -= 2) if (connectionTokens.includes(headers[i].toLowerCase())) headers.splice(i, 2);
  }
  const address = clientAddress(req);
  headers.push(
    "x-forwarded-for",
    forwardedFor ? `${forwardedFor}, ${address}` : address,
    "x-forwarded-proto",
    forwardedProto ?? ("encrypted" in req.socket ? "https" : "http"),
    "x-forwarded-host",
    forwardedHost ?? host,
    "x-request-id",
    requestId,
  );
  return { headers, hasBody };
}

function responseHeadersFrom(upstream: IncomingHttpHeaders, extra: OutgoingHttpHeaders | undefined, requestId: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...upstream };
  const connection = upstream.connection;
  if (typeof connection === "string") for (const token of connection.split(",")) delete headers[token.trim().toLowerCase()];
  for (const name of RESPONSE_HEADERS_NOT_FORWARDED) delete headers[name];
  if (extra) Object.assign(headers, extra);
  headers["x-request-id"] = requestId;
  return headers;
}

/** Which problem an undici failure before the response started becomes. */
export function problemForUpstreamError(error: Error): ProblemCode {
  const code = (error as { code?: string }).code;
  return code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" ? "upstream_timeout" : "upstream_unavailable";
}

class CallerGoneError extends Error {
  constructor() {
    super("The caller went away");
    this.name = "CallerGoneError";
  }
}

/**
 * Streams the request to the backend and its response back, both ways with backpressure:
 * nothing is buffered beyond the sockets' own chunks. When the caller goes away, the backend
 * request is aborted.
 */
export function forward(options: ForwardOptions): void {
  const { req, res, pool, requestId, settings } = options;
  const { headers, hasBody } = forwardedRequestHeaders(req, requestId, settings.trustProxy);
  let controller: Dispatcher.DispatchController | undefined;
  let callerGone = false;
  let done = false;

  const onCallerClose = () => {
    if (done) return;
    callerGone = true;
    controller?.abort(new CallerGoneError());
  };
  res.once("close", onCallerClose);
  res.on("drain", () => controller?.resume());

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (callerGone) c.abort(new CallerGoneError());
    },
    onResponseStart(c, statusCode, upstreamHeaders, statusMessage) {
      // Informational responses are handled by the client; only the final one is relayed.
      if (statusCode < 200) return;
      res.writeHead(statusCode, statusMessage || undefined, responseHeadersFrom(upstreamHeaders, options.responseHeaders, requestId));
    },
    onResponseData(c, chunk) {
      if (!res.write(chunk)) c.pause();
    },
    onResponseEnd() {
      done = true;
      res.end();
    },
    onResponseError(_c, error) {
      done = true;
      if (callerGone || error instanceof CallerGoneError) return;
      if (!res.headersSent) {
        sendProblem(res, problemForUpstreamError(error), { requestId });
      } else {
        // Too late for a status: cutting the connection tells the caller the body is incomplete.
        res.destroy(error);
      }
    },
  };

  pool.dispatch(
    {
      path: options.path,
      method: req.method ?? "GET",
      headers,
      body: hasBody ? req : null,
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
    },
    handler,
  );
}
