import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { OpenDatabase } from "@/db/client";
import { onChanges } from "@/lib/domain/events";
import { digestApiKey } from "@/lib/domain/key-vault";
import { fingerprintOfDigest } from "@/lib/domain/keys";
import { installPostgresChangePublisher, PostgresChangeListener } from "./change-feed";
import { type CounterStore, LocalCounters, RedisCounters } from "./counters";
import { createGatewayLogger, RequestLog } from "./logger";
import { type PolicyVerdict, rateLimitPolicyHeader } from "./policies";
import { joinUpstreamPath, pathRefusal } from "./paths";
import { sendProblem } from "./problems";
import { forward, type ResponseRelay, Upstreams } from "./proxy";
import { type ApiRoute, type ContractEntry, fingerprintOf, type KeyMatch, Registry } from "./registry";
import { RequestIds } from "./request-id";
import { DEFAULT_GATEWAY_SETTINGS, type GatewaySettings } from "./settings";
import { UsageRecorder } from "./usage";

export { installPostgresChangePublisher } from "./change-feed";
export { createGatewayLogger } from "./logger";
export { gatewaySettingsFromEnv, type GatewaySettings } from "./settings";

export interface StartGatewayOptions {
  /** 0 picks a free port; the one chosen is returned. */
  port: number;
  host?: string;
  open: OpenDatabase;
  /** Shares rate-limit and quota counters with every gateway process using the same Redis. */
  redisUrl?: string;
  /** One line per request at info level; pass pino({ level: "silent" }) to keep tests quiet. */
  logger?: Logger;
  settings?: Partial<GatewaySettings>;
}

export interface RunningGateway {
  port: number;
  registry: Registry;
  /** Writes collected usage now instead of at the next interval. */
  flushUsage(): Promise<void>;
  /** Stops accepting requests, lets running ones finish (5 s at most), writes usage and lets go of every connection. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;
const WWW_AUTHENTICATE = 'ApiKey realm="Portico gateway", header="X-API-Key", query="apikey"';

/** Per request: what the log line and the usage counts need. */
interface Exchange {
  started: number;
  /** Epoch ms at arrival: for the key's last use, the policy windows and the usage minute. */
  arrivedAt: number;
  requestId: string;
  contract: ContractEntry | undefined;
  fingerprint: string | undefined;
  /** Set once the request goes to the backend: told when the caller leaves. */
  relay: ResponseRelay | undefined;
}

const NO_QUERY: { key: undefined; rest: string } = { key: undefined, rest: "" };

/** Splits the caller's query into the API key (first `apikey` parameter) and what is forwarded. */
export function takeKeyFromQuery(query: string): { key: string | undefined; rest: string } {
  // Fast path: most queries carry neither the parameter nor percent-encoded names.
  if (!query.includes("apikey") && !query.includes("%")) return { key: undefined, rest: query };
  let key: string | undefined;
  const kept: string[] = [];
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq === -1 ? part : part.slice(0, eq);
    if (safeDecode(rawName) === "apikey") {
      if (key === undefined && eq !== -1) key = safeDecode(part.slice(eq + 1)) || undefined;
      continue;
    }
    kept.push(part);
  }
  return { key, rest: kept.join("&") };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** The backend path for the rest of the caller's path (already through pathRefusal) and query. */
function upstreamPath(route: ApiRoute, restPath: string, query: string): string {
  const upstream = route.upstream!;
  const path = joinUpstreamPath(upstream.basePath, restPath);
  const fullQuery = upstream.baseQuery && query ? `${upstream.baseQuery}&${query}` : upstream.baseQuery || query;
  return fullQuery ? `${path}?${fullQuery}` : path;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const settings: GatewaySettings = { ...DEFAULT_GATEWAY_SETTINGS, ...options.settings };
  const ownLogger = !options.logger;
  const logger = options.logger ?? createGatewayLogger();
  const { open } = options;
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  try {
    const registry = new Registry(open.db, logger, settings.upstreamRules);
    cleanups.push(() => registry.close());
    cleanups.push(onChanges((changes) => registry.enqueue(changes)));

    if (open.kind === "postgres" && open.pool) {
      cleanups.push(installPostgresChangePublisher(open.pool, logger));
      const listener = new PostgresChangeListener({
        connection: open.pool.options,
        onChanges: (changes) => registry.enqueue(changes),
        onReconnected: () => registry.requestReload(),
        logger,
      });
      // Listening before loading: nothing committed between the two is missed.
      await listener.start();
      cleanups.push(() => listener.close());
    }
    await registry.load();

    const local = new LocalCounters();
    let counters: CounterStore = local;
    cleanups.push(() => local.close());
    if (options.redisUrl) {
      const redis = new RedisCounters(options.redisUrl, local, logger);
      cleanups.push(() => redis.close());
      await redis.ready().catch((error: Error) => logger.warn({ err: error.message }, "Redis is not answering; counting in this process until it does"));
      counters = redis;
    }

    const usage = new UsageRecorder(open.db, logger, settings.usageFlushIntervalMs);
    cleanups.push(() => usage.close());
    const upstreams = new Upstreams(settings, logger);
    cleanups.push(() => upstreams.close());

    const requestLog = new RequestLog(logger);
    const requestIds = new RequestIds();
    // The response's one "close" listener: stops the backend request if the caller left, then logs and counts.
    const finish = (req: IncomingMessage, res: ServerResponse, exchange: Exchange) => {
      exchange.relay?.callerClosed();
      const latencyMs = performance.now() - exchange.started;
      // 499: the caller left before an answer (the nginx convention).
      const status = res.headersSent ? res.statusCode : 499;
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      requestLog.write(
        {
          method: req.method ?? "GET",
          path: q === -1 ? url : url.slice(0, q),
          status,
          latencyMs,
          contractId: exchange.contract?.id,
          key: exchange.fingerprint,
          requestId: exchange.requestId,
          aborted: !res.writableFinished,
        },
        // The clock read at arrival, moved on by the latency: one system clock read per request instead of two.
        exchange.arrivedAt + Math.floor(latencyMs),
      );
      if (exchange.contract) usage.record(exchange.contract.id, status, latencyMs, exchange.arrivedAt);
    };

    const proceed = (req: IncomingMessage, res: ServerResponse, exchange: Exchange, route: ApiRoute, restPath: string, query: string, headers?: OutgoingHttpHeaders) => {
      if (res.destroyed) return;
      if (!route.upstream) {
        sendProblem(res, "upstream_unavailable", { requestId: exchange.requestId, detail: "This API version has no usable backend endpoint." });
        return;
      }
      exchange.relay = forward({
        req,
        res,
        pool: upstreams.pool(route.upstream.origin, route.upstream.demoBackend),
        path: upstreamPath(route, restPath, query),
        requestId: exchange.requestId,
        responseHeaders: headers,
        settings,
        closeWatchedByCaller: true,
      });
    };

    const applyVerdict = (req: IncomingMessage, res: ServerResponse, exchange: Exchange, route: ApiRoute, restPath: string, query: string, contract: ContractEntry, verdict: PolicyVerdict, now: number) => {
      const headers: OutgoingHttpHeaders = { "ratelimit-policy": rateLimitPolicyHeader(contract.plan, now), ratelimit: verdict.rateLimitHeader };
      if (verdict.refused) {
        sendProblem(res, verdict.refused.code, { requestId: exchange.requestId, headers: { ...(headers as Record<string, string>), "retry-after": String(verdict.refused.retryAfterSeconds) } });
        return;
      }
      proceed(req, res, exchange, route, restPath, query, headers);
    };

    const handle = (req: IncomingMessage, res: ServerResponse) => {
      // X-API-Key and X-Request-Id, read straight from the raw headers (the parsed object is built on demand, at a cost).
      const raw = req.rawHeaders;
      let header: string | undefined;
      let incomingId: string | undefined;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        if (name.length === 9 && name.toLowerCase() === "x-api-key") header = header === undefined ? raw[i + 1] : `${header}, ${raw[i + 1]}`;
        else if (name.length === 12 && name.toLowerCase() === "x-request-id") incomingId ??= raw[i + 1];
      }
      const exchange: Exchange = {
        started: performance.now(),
        arrivedAt: Date.now(),
        requestId: incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : requestIds.create(),
        contract: undefined,
        fingerprint: undefined,
        relay: undefined,
      };
      // "close" comes once, whether the answer was sent or the caller left.
      res.on("close", () => finish(req, res, exchange));
      const { requestId } = exchange;
      const url = req.url ?? "/";

      // "/org/api/version" ends at the third slash after the first, or at the query, or at the end.
      const s1 = url.indexOf("/", 1);
      const s2 = s1 === -1 ? -1 : url.indexOf("/", s1 + 1);
      if (s2 === -1 || url.charCodeAt(0) !== 47) {
        if (url === "/_health") {
          res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end('{"status":"ok"}');
          return;
        }
        sendProblem(res, "api_not_found", { requestId });
        return;
      }
      let end = s2 + 1;
      while (end < url.length && url.charCodeAt(end) !== 47 && url.charCodeAt(end) !== 63) end++;
      const route = registry.findRoute(url.slice(1, end));
      if (!route) {
        sendProblem(res, "api_not_found", { requestId });
        return;
      }
      if (route.retired) {
        sendProblem(res, "api_retired", { requestId });
        return;
      }

      const q = url.indexOf("?", end);
      const restPath = q === -1 ? url.slice(end) : url.slice(end, q);
      // Before any key is looked at: a refused path tells nothing about keys or contracts.
      const pathRefused = pathRefusal(restPath);
      if (pathRefused) {
        sendProblem(res, "path_invalid", { requestId, detail: pathRefused });
        return;
      }
      const fromQuery = q === -1 ? NO_QUERY : takeKeyFromQuery(url.slice(q + 1));
      const key = header || fromQuery.key;
      if (route.isPublic) {
        proceed(req, res, exchange, route, restPath, fromQuery.rest);
        return;
      }
      if (!key) {
        sendProblem(res, "key_missing", { requestId, headers: { "www-authenticate": WWW_AUTHENTICATE } });
        return;
      }
      const now = exchange.arrivedAt;
      // The registry knows keys only by their digests: one SHA-256 per keyed request.
      const keyDigest = digestApiKey(key);
      const match: KeyMatch | undefined = registry.findKey(keyDigest, now);
      if (!match) {
        exchange.fingerprint = fingerprintOfDigest(keyDigest);
        sendProblem(res, "key_invalid", { requestId });
        return;
      }
      exchange.fingerprint = fingerprintOf(match);
      usage.keyUsed(match.client.id, keyDigest, now);
      const contract = match.client.contracts.get(route.id);
      if (!contract) {
        sendProblem(res, "no_contract", { requestId });
        return;
      }
      if (!contract.active) {
        sendProblem(res, "contract_pending", { requestId });
        return;
      }
      exchange.contract = contract;
      if (contract.plan.policies.length === 0) {
        proceed(req, res, exchange, route, restPath, fromQuery.rest);
        return;
      }
      const verdict = counters.hit(contract.id, contract.plan, now);
      if (verdict instanceof Promise) {
        verdict.then((v) => applyVerdict(req, res, exchange, route, restPath, fromQuery.rest, contract, v, now));
      } else {
        applyVerdict(req, res, exchange, route, restPath, fromQuery.rest, contract, verdict, now);
      }
    };

    const server = createServer(handle);
    const closed = new Promise<void>((resolve) => server.once("close", resolve));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    logger.info({ port, host: options.host ?? "::", counters: options.redisUrl ? "redis" : "local" }, "Portico gateway listening");

    let closing: Promise<void> | undefined;
    return {
      port,
      registry,
      flushUsage: () => usage.flush(),
      close() {
        closing ??= (async () => {
          server.close();
          server.closeIdleConnections();
          await Promise.race([closed, delay(5_000)]);
          server.closeAllConnections();
          await cleanUp();
          if (ownLogger) logger.flush();
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
