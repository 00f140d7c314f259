import type { LookupAddress } from "node:dns";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { isIP, type LookupFunction } from "node:net";
import type { Logger } from "pino";
import { buildConnector, Pool } from "undici";
import type { Dispatcher } from "undici";
import { isPortalCookie } from "@/lib/auth/cookie-names";
import { addressRefusal } from "@/lib/domain/upstream-rules";
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

/** A connection the upstream rules refuse: the address a backend's host name resolved to is off limits. */
export class UpstreamForbiddenError extends Error {
  readonly code = "UPSTREAM_FORBIDDEN";
  constructor(reason: string) {
    super(reason);
    this.name = "UpstreamForbiddenError";
  }
}

/**
 * Connects to a backend only at an address the upstream rules allow. The address is judged after
 * resolution, connection by connection: a host name that resolves (or rebinds) to a forbidden
 * address is refused before anything is sent to it.
 */
function guardedConnector(origin: string, demoBackend: boolean, settings: GatewaySettings, logger: Logger | undefined): buildConnector.connector {
  const url = new URL(origin);
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const refuse = (host: string, address: string): UpstreamForbiddenError | undefined => {
    const reason = addressRefusal(settings.upstreamRules, host, address, port, demoBackend);
    if (!reason) return undefined;
    logger?.warn({ origin, address, reason }, "Backend connection refused by the upstream rules");
    return new UpstreamForbiddenError(reason);
  };
  const lookup: LookupFunction = (hostname, options, callback) => {
    settings.lookup(hostname, { ...options, all: true }, (error, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (error) return callback(error, "", 0);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      for (const { address } of addresses) {
        const refused = refuse(hostname, address);
        if (refused) return callback(refused, "", 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const connect = buildConnector({ timeout: settings.connectTimeoutMs, lookup });
  return (options, callback) => {
    // An address in the URL is never looked up: it is judged here instead.
    const literal = options.hostname.startsWith("[") ? options.hostname.slice(1, -1) : options.hostname;
    const refused = isIP(literal) ? refuse(literal, literal) : undefined;
    if (refused) callback(refused, null);
    else connect(options, callback);
  };
}

/** One keep-alive connection pool per backend origin, shared by every request to it. */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly settings: GatewaySettings,
    private readonly logger?: Logger,
  ) {}

  /** `demoBackend`: requests go to the portal's demo backend path only, the one path its port may serve. */
  pool(origin: string, demoBackend = false): Pool {
    // A demo backend's pool may reach the portal's port, so it is never shared with other endpoints.
    const key = demoBackend ? `demo ${origin}` : origin;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.settings.connectionsPerOrigin,
        connect: guardedConnector(origin, demoBackend, this.settings, this.logger),
        headersTimeout: this.settings.headersTimeoutMs,
        bodyTimeout: this.settings.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
      });
      this.pools.set(key, pool);
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

/**
 * A Cookie header without the portal's cookies, the others kept in order; "" when none is left.
 * Portal and gateway on one host share cookies: a backend must never receive a portal session.
 */
export function withoutPortalCookies(header: string): string {
  const kept: string[] = [];
  let removed = false;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    // A pair without "=" is a bare name to some servers: judged by that name too.
    if (isPortalCookie(eq === -1 ? pair : pair.slice(0, eq))) removed = true;
    else if (pair.trim() !== "") kept.push(pair.trim());
  }
  // Untouched when nothing was removed: the backend gets the caller's bytes.
  return removed ? kept.join("; ") : header;
}

/** Headers for the backend: the caller's, minus hop-by-hop fields, the key and the portal's cookies, plus X-Forwarded-* and X-Request-Id. */
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
    if (name === "cookie") {
      const kept = withoutPortalCookies(raw[i + 1]);
      if (kept) headers.push(raw[i], kept);
      continue;
    }
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

/** A backend's Set-Cookie fields, minus those naming a portal cookie: cookies ignore ports, so a backend could plant a session in the portal. */
function setCookiesWithoutPortalCookies(value: string | string[] | undefined): string[] {
  const fields = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return fields.filter((field) => {
    const eq = field.indexOf("=");
    const semicolon = field.indexOf(";");
    return !isPortalCookie(field.slice(0, eq === -1 ? (semicolon === -1 ? field.length : semicolon) : eq));
  });
}

function responseHeadersFrom(upstream: IncomingHttpHeaders, extra: OutgoingHttpHeaders | undefined, requestId: string): OutgoingHttpHeaders {
  const connection = upstream.connection;
  const named = typeof connection === "string" ? connection.toLowerCase().split(",").map((t) => t.trim()) : undefined;
  // Copied rather than deleted from: objects that lose properties get slow.
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (RESPONSE_HEADERS_NOT_FORWARDED.has(name) || named?.includes(name)) continue;
    if (name === "set-cookie") {
      const kept = setCookiesWithoutPortalCookies(upstream[name]);
      if (kept.length > 0) headers[name] = kept;
      continue;
    }
    headers[name] = upstream[name];
  }
  if (extra) for (const name in extra) headers[name] = extra[name];
  headers["x-request-id"] = requestId;
  return headers;
}

/** Which problem an undici failure before the response started becomes. */
export function problemForUpstreamError(error: Error): ProblemCode {
  const code = (error as { code?: string }).code;
  if (error instanceof UpstreamForbiddenError) return "upstream_forbidden";
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
  /** Set when the backend failed this request (not when the caller left): for the metrics. */
  failure: "error" | "timeout" | undefined;

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
    const problem = problemForUpstreamError(error);
    this.failure = problem === "upstream_timeout" ? "timeout" : "error";
    if (!this.res.headersSent) sendProblem(this.res, problem, { requestId: this.requestId });
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
