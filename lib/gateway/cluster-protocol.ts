import type { Change } from "@/lib/domain/events";
import type { QueryAnswer, QueryRequest } from "./database-bridge";
import type { GatewaySettings } from "./settings";

/** The settings a gateway worker gets from the primary, in its environment (WORKER_CONFIG_ENV) as JSON. */
export interface WorkerConfig {
  /** The worker's number, from 1; a worker started in place of one that stopped takes its number. */
  slot: number;
  /** The primary logger's level, which the worker's own logger takes. */
  logLevel: string;
  /** A file for the worker's log lines; undefined: standard output. */
  logFile: string | undefined;
  port: number;
  host: string | undefined;
  redisUrl: string | undefined;
  /** The counter authority's socket; undefined when Redis keeps the counts. */
  counterSocket: string | undefined;
  databaseKind: "pglite" | "postgres";
  /** The tunables that travel as plain values; the others come from the worker's environment, as the primary's do. */
  settings: Partial<Pick<GatewaySettings, "connectTimeoutMs" | "headersTimeoutMs" | "bodyTimeoutMs" | "connectionsPerOrigin" | "usageFlushIntervalMs" | "trustProxy">>;
}

export const WORKER_CONFIG_ENV = "PORTICO_GATEWAY_WORKER";

/** What the primary asks a worker, and waits for its "done": apply the changes queued so far, write its usage. */
export type WorkerTask = "settle" | "flush";

/** Messages from the primary to a worker. */
export type ToWorker =
  | QueryAnswer
  | { portico: "changes"; changes: Change[] }
  | { portico: "reload" }
  | { portico: "task"; id: number; task: WorkerTask }
  | { portico: "stop" };

/** Messages from a worker to the primary. */
export type FromWorker =
  | QueryRequest
  /** The worker listens for messages: changes from now on reach it. */
  | { portico: "hello" }
  | { portico: "ready"; port: number }
  | { portico: "failed"; message: string; code?: string; port?: number }
  | { portico: "done"; id: number; error?: string };

export function isFromWorker(message: unknown): message is FromWorker {
  return typeof message === "object" && message !== null && typeof (message as { portico?: unknown }).portico === "string";
}

export function isToWorker(message: unknown): message is ToWorker {
  return typeof message === "object" && message !== null && typeof (message as { portico?: unknown }).portico === "string";
}
