import { createServer, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
/** What /metrics answers: one process's metrics (GatewayMetrics), or a cluster's added up. */
export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServerOptions {
  metrics: MetricsSource;
  /** True once the gateway can serve API traffic (its registry loaded) and until it starts closing. */
  ready: () => boolean;
  logger: Logger;
}

function answer(res: ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store" }).end(body);
}

/**
 * The operators' port, apart from API traffic: /metrics (Prometheus text), /healthz (the process
 * serves) and /readyz (the gateway can answer API requests). Not listening unless
 * GATEWAY_METRICS_PORT is set: the public gateway port never serves these.
 */
export function createMetricsServer(options: MetricsServerOptions): Server {
  const { metrics, ready, logger } = options;
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method !== "GET" && req.method !== "HEAD") return answer(res, 405, '{"error":"method_not_allowed"}');
    if (path === "/healthz") return answer(res, 200, '{"status":"ok"}');
    if (path === "/readyz") return ready() ? answer(res, 200, '{"status":"ready"}') : answer(res, 503, '{"status":"not_ready"}');
    if (path !== "/metrics") return answer(res, 404, '{"error":"not_found","paths":["/metrics","/healthz","/readyz"]}');
    metrics.text().then(
      (text) => answer(res, 200, text, metrics.contentType),
      (error: Error) => {
        logger.error({ err: error.message }, "Could not collect the gateway's metrics");
        answer(res, 500, '{"error":"metrics_failed"}');
      },
    );
  });
}
