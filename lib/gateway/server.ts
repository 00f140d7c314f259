import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { OpenDatabase } from "@/db/client";
import { onChanges } from "@/lib/domain/events";
import { installPostgresChangePublisher, PostgresChangeListener } from "./change-feed";
import { type CounterStore, LocalCounters, RedisCounters } from "./counters";
import { createGatewayLogger, droppedLogLines, RequestLog } from "./logger";
import { GatewayMetrics } from "./metrics";
import { createMetricsServer, type MetricsSource } from "./metrics-server";
import { RequestPipeline } from "./pipeline";
import { Upstreams } from "./proxy";
import { Registry } from "./registry";
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
  /** A usage recorder of the caller's (the benchmark measures the gateway without one that records); closed with the gateway. */
  usage?: UsageRecorder;
  /** Counters to use instead of this process's own (or Redis's); closed with the gateway. */
  counters?: CounterStore;
  /** Where requests are counted for /metrics when another process serves that port (a cluster's primary). */
  metrics?: GatewayMetrics;
  /**
   * Keeps the registry current from elsewhere (a cluster's primary) instead of this process's
   * changes and PostgreSQL's notifications; answers how to stop. Called before the registry loads.
   */
  followChanges?: (registry: Registry) => () => void;
}

export interface RunningGateway {
  port: number;
  /** The port of /metrics, /healthz and /readyz; undefined when settings.metricsPort is. */
  metricsPort: number | undefined;
  registry: Registry;
  /** Writes collected usage now instead of at the next interval. */
  flushUsage(): Promise<void>;
  /** Stops accepting requests, lets running ones finish (5 s at most), writes usage and lets go of every connection. */
  close(): Promise<void>;
}

/** What to undo on close, last opened first. */
export type Cleanups = (() => Promise<void> | void)[];

/**
 * The composition root: opens the metrics port (when asked), the registry, counters, usage
 * recorder and upstream pools, hands them to the request pipeline (pipeline.ts) and listens.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const settings: GatewaySettings = { ...DEFAULT_GATEWAY_SETTINGS, ...options.settings };
  const ownLogger = !options.logger;
  const logger = options.logger ?? createGatewayLogger();
  const { open } = options;
  const cleanups: Cleanups = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  let closing: Promise<void> | undefined;
  let serving = false;
  try {
    const registry = new Registry(open.db, logger, settings.upstreamRules);
    cleanups.push(() => registry.close());
    // First: /healthz answers and /readyz says 503 while the registry loads.
    const metrics = options.metrics ?? (settings.metricsPort === undefined ? undefined : new GatewayMetrics(droppedLogLines(logger)));
    const metricsPort =
      metrics && settings.metricsPort !== undefined
        ? await openMetricsPort(metrics, () => serving && registry.loaded && !closing, settings.metricsPort, options.host, logger, cleanups)
        : undefined;
    metrics?.watchRegistry(registry);
    if (options.followChanges) {
      cleanups.push(options.followChanges(registry));
      await registry.load();
    } else await openRegistry(registry, open, logger, cleanups);
    const counters = options.counters ?? (await openCounters(options.redisUrl, logger, cleanups));
    if (options.counters) cleanups.push(() => options.counters!.close());
    const usage = options.usage ?? new UsageRecorder(open.db, logger, settings.usageFlushIntervalMs);
    cleanups.push(() => usage.close());
    metrics?.watchUsage(usage);
    const upstreams = new Upstreams(settings, logger);
    cleanups.push(() => upstreams.close());

    const pipeline = new RequestPipeline({ registry, counters, usage, upstreams, requestLog: new RequestLog(logger), settings, traffic: metrics?.traffic });
    const server = createServer(pipeline.handle);
    const closed = new Promise<void>((resolve) => server.once("close", resolve));
    const port = await listen(server, options.port, options.host);
    serving = true;
    const counting = options.counters ? "shared" : options.redisUrl ? "redis" : "local";
    logger.info({ port, metricsPort, host: options.host ?? "::", counters: counting }, "Portico gateway listening");

    return {
      port,
      metricsPort,
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

/** The metrics port, listening; returns the port taken. */
export async function openMetricsPort(metrics: MetricsSource, ready: () => boolean, port: number, host: string | undefined, logger: Logger, cleanups: Cleanups): Promise<number> {
  const server = createMetricsServer({ metrics, ready, logger });
  const taken = await listen(server, port, host);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return taken;
}

/** Loads the registry, and keeps it current with this process's changes and, on PostgreSQL, every other process's. */
async function openRegistry(registry: Registry, open: OpenDatabase, logger: Logger, cleanups: Cleanups): Promise<void> {
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
}

/** Rate-limit and quota counters: in this process, or shared through Redis (falling back to this process's while Redis is away). */
export async function openCounters(redisUrl: string | undefined, logger: Logger, cleanups: Cleanups): Promise<CounterStore> {
  const local = new LocalCounters();
  cleanups.push(() => local.close());
  if (!redisUrl) return local;
  const redis = new RedisCounters(redisUrl, local, logger);
  cleanups.push(() => redis.close());
  await redis.ready().catch((error: Error) => logger.warn({ err: error.message }, "Redis is not answering; counting in this process until it does"));
  return redis;
}

/** Listens on the port (0: a free one) and returns the port taken. */
export async function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
