import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import type { Change } from "@/lib/domain/events";
import { type FromWorker, isToWorker, WORKER_CONFIG_ENV, type WorkerConfig } from "./cluster-protocol";
import { RemoteCounters } from "./counter-service";
import { LocalCounters } from "./counters";
import { forwardedDatabase } from "./database-bridge";
import { createGatewayLogger, droppedLogLines } from "./logger";
import { GatewayMetrics } from "./metrics";
import type { Registry } from "./registry";
import { type RunningGateway, startGateway } from "./server";
import { gatewaySettingsFromEnv } from "./settings";

function tell(message: FromWorker): void {
  process.send?.(message);
}

/** PostgreSQL's error code of an error or one of its causes (drizzle wraps the driver's error). */
function codeOf(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (typeof e.code === "string") return e.code;
  return undefined;
}

/**
 * A gateway worker of the cluster (cluster.ts): the whole request pipeline, listening on the
 * port the workers share; the registry's queries and the usage writes go through the primary,
 * the counts to the counter authority (or Redis), the metrics to the primary when it asks.
 */
export async function runGatewayWorker(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "") as WorkerConfig;
  // Lines of up to PIPE_BUF bytes per write: the workers share standard output, and such writes never interleave.
  const logger = createGatewayLogger(config.logFile ?? 1, 4096);
  logger.level = config.logLevel;
  let registry: Registry | undefined;
  let gateway: RunningGateway | undefined;
  // Changes that come before the registry exists are covered by its first load, which starts later.
  const follow = { changes: (_changes: Change[]) => {}, reload: () => {} };
  const database = forwardedDatabase((request) => tell(request));

  const stop = async () => {
    if (gateway) await gateway.close();
    logger.flush();
    process.stdout.write("", () => process.exit(0));
  };

  process.on("message", (m: unknown) => {
    if (!isToWorker(m)) return;
    switch (m.portico) {
      case "query-answer":
        database.answer(m);
        break;
      case "changes":
        follow.changes(m.changes);
        break;
      case "reload":
        follow.reload();
        break;
      case "task": {
        const run = m.task === "settle" ? registry?.settled() : gateway?.flushUsage();
        Promise.resolve(run).then(
          () => tell({ portico: "done", id: m.id }),
          (error: Error) => tell({ portico: "done", id: m.id, error: error.message }),
        );
        break;
      }
      case "stop":
        void stop();
        break;
    }
  });
  // The primary gone, nothing can be written any more.
  process.on("disconnect", () => {
    database.failAll("The gateway's primary process is gone");
    logger.flush();
    process.exit(1);
  });
  // Signals to the whole process group reach the primary too, which stops the workers in order.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => {});
  tell({ portico: "hello" });

  // Answers the primary's requests for this worker's metrics (prom-client's cluster support).
  const metrics = new GatewayMetrics(droppedLogLines(logger), config.slot);
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);

  try {
    const counters = config.counterSocket ? await connectCounters(config.counterSocket, logger) : undefined;
    const settings = { ...gatewaySettingsFromEnv(), ...config.settings, metricsPort: undefined };
    gateway = await startGateway({
      port: config.port,
      host: config.host,
      open: { kind: config.databaseKind, db: database.db, close: async () => {} },
      redisUrl: config.redisUrl,
      logger,
      settings,
      counters,
      metrics,
      followChanges(r) {
        registry = r;
        follow.changes = (changes) => r.enqueue(changes);
        follow.reload = () => r.requestReload();
        return () => {
          follow.changes = () => {};
          follow.reload = () => {};
        };
      },
    });
    tell({ portico: "ready", port: gateway.port });
  } catch (error) {
    const { message, port } = error as { message: string; port?: number };
    tell({ portico: "failed", message, code: codeOf(error), port });
    logger.flush();
    process.stdout.write("", () => process.exit(1));
  }
}

async function connectCounters(socketPath: string, logger: Logger): Promise<RemoteCounters> {
  const counters = new RemoteCounters(socketPath, new LocalCounters(), logger);
  await counters.start();
  return counters;
}
