/**
 * A gateway-only process (`npm run gateway`): serves API traffic beside the portal, from the same
 * PostgreSQL database, kept current through LISTEN/NOTIFY; with GATEWAY_WORKERS above 1 (the
 * default on a machine of several cores), through worker processes of its own.
 */
import { openPostgres } from "@/db/client";
import { readConfig } from "@/lib/config";
import { startGatewayCluster } from "@/lib/gateway/cluster";
import { createGatewayLogger, gatewaySettingsFromEnv, startGateway } from "@/lib/gateway/server";

const logger = createGatewayLogger();

function fail(message: string): never {
  logger.flush();
  console.error(message);
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  fail(
    "npm run gateway needs DATABASE_URL (postgres://user:password@host:5432/portico): a gateway process beside the portal " +
      "reads the portal's PostgreSQL database. The embedded database serves only `npm start`, which already runs a gateway.",
  );
}

const port = Number(process.env.GATEWAY_PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`GATEWAY_PORT must be a port number, not "${process.env.GATEWAY_PORT}"`);

let workers: number;
try {
  workers = readConfig().gatewayWorkers;
} catch (error) {
  fail((error as Error).message);
}

const open = await openPostgres(databaseUrl);
let gateway: { close(): Promise<void> };
try {
  const options = {
    port,
    host: process.env.GATEWAY_HOST || undefined,
    open,
    redisUrl: process.env.REDIS_URL || undefined,
    logger,
    settings: gatewaySettingsFromEnv(),
  };
  gateway = workers > 1 ? await startGatewayCluster({ ...options, workers }) : await startGateway(options);
} catch (error) {
  await open.close().catch(() => {});
  // Drizzle wraps the driver's error: the PostgreSQL code is on a cause.
  let code: string | undefined;
  for (let e = error as { code?: string; cause?: unknown } | undefined; e && !code; e = e.cause as typeof e) code = e.code;
  if (code === "42P01") fail("The database has no Portico tables yet: run `npm run db:migrate` (or start the portal once) first.");
  if (code === "EADDRINUSE") {
    // The metrics port opens first: the error names whichever port was taken.
    const taken = (error as { port?: number }).port;
    const name = taken !== undefined && taken !== port && taken === Number(process.env.GATEWAY_METRICS_PORT) ? "GATEWAY_METRICS_PORT" : "GATEWAY_PORT";
    fail(`Port ${taken ?? port} is taken: set ${name} to a free one.`);
  }
  fail(`The gateway could not start: ${(error as Error).message}`);
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "Stopping the gateway");
  await gateway.close();
  await open.close();
  logger.flush();
  // Exits once standard output has taken the last lines.
  process.stdout.write("", () => process.exit(0));
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
