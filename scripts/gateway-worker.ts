/**
 * A gateway worker process, forked by the gateway cluster (lib/gateway/cluster.ts) under
 * `npm start` and `npm run gateway`; not meant to be started by hand.
 */
import cluster from "node:cluster";
import { runGatewayWorker } from "@/lib/gateway/cluster-worker";

if (!cluster.isWorker) {
  console.error("scripts/gateway-worker.ts runs as a worker of the gateway cluster: start Portico with `npm start` or `npm run gateway`.");
  process.exit(1);
}
await runGatewayWorker();
