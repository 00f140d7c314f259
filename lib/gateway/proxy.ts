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
const RESPONSE_HEADERS_NOT_FORWARDED = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"]);

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
  /**
   * Set when the caller already listens for the response's "close" and calls the returned relay's
   * callerClosed() from there: one listener per request instead of two.
   */
  closeWatchedByCaller?: boolean;
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
  const connection = upstream.connection;
  const named = typeof connection === "string" ? connection.toLowerCase().split(",").map((t) => t.trim()) : undefined;
  // Copied rather than deleted from: objects that lose properties get slow.
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (RESPONSE_HEADERS_NOT_FORWARDED.has(name) || named?.includes(name)) continue;
    headers[name] = upstream[name];
  }
  if (extra) for (const name in extra) headers[name] = extra[name];
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

/** Relays one backend response to the caller; one instance per request, its methods shared by all. */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private callerGone = false;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly requestId: string,
    private readonly extraHeaders: OutgoingHttpHeaders | undefined,
  ) {}

  /** The caller closed the connection: the backend request is aborted, whatever its stage. */
  callerClosed(): void {
    if (this.done) return;
    this.callerGone = true;
    this.controller?.abort(new CallerGoneError());
  }

  drained(): void {
    this.controller?.resume();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.callerGone) controller.abort(new CallerGoneError());
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    // Informational responses are handled by the client; only the final one is relayed.
    if (statusCode < 200) return;
    this.res.writeHead(statusCode, statusMessage || undefined, responseHeadersFrom(headers, this.extraHeaders, this.requestId));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.done = true;
    this.res.end();
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, error: Error): void {
    this.done = true;
    if (this.callerGone || error instanceof CallerGoneError) return;
    if (!this.res.headersSent) sendProblem(this.res, problemForUpstreamError(error), { requestId: this.requestId });
    // Too late for a status: cutting the connection tells the caller the body is incomplete.
    else this.res.destroy(error);
  }
}

/**
 * Streams the request to the backend and its response back, both ways with backpressure:
 * nothing is buffered beyond the sockets' own chunks. When the caller goes away, the backend
 * request is aborted.
 */
export function forward(options: ForwardOptions): ResponseRelay {
  const { req, res, settings } = options;
  const { headers, hasBody } = forwardedRequestHeaders(req, options.requestId, settings.trustProxy);
  const relay = new ResponseRelay(res, options.requestId, options.responseHeaders);
  if (!options.closeWatchedByCaller) res.on("close", () => relay.callerClosed());
  res.on("drain", () => relay.drained());
  options.pool.dispatch(
    {
      path: options.path,
      method: req.method ?? "GET",
      headers,
      body: hasBody ? req : null,
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
    },
    relay,
  );
  return relay;
}
