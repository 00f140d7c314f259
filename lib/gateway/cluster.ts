import cluster, { type Worker } from "node:cluster";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import type { OpenDatabase } from "@/db/client";
import { type Change, onChanges } from "@/lib/domain/events";
import { installPostgresChangePublisher, PostgresChangeListener } from "./change-feed";
import { type FromWorker, isFromWorker, type ToWorker, WORKER_CONFIG_ENV, type WorkerConfig, type WorkerTask } from "./cluster-protocol";
import { startCounterAuthority } from "./counter-service";
import { runForwardedQuery } from "./database-bridge";
import { createGatewayLogger } from "./logger";
import { type Cleanups, openMetricsPort } from "./server";
import { DEFAULT_GATEWAY_SETTINGS, type GatewaySettings } from "./settings";

const WORKER_SCRIPT = path.resolve(import.meta.dirname, "../../scripts/gateway-worker.ts");
/** tsx's loader by its own path, so a worker starts whatever the working directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** How long a stopping worker may take to finish its requests and write its usage. */
const STOP_TIMEOUT_MS = 15_000;

export interface StartGatewayClusterOptions {
  /** Gateway worker processes serving the port (GATEWAY_WORKERS). */
  workers: number;
  /** 0 picks a free port; the one chosen is returned. */
  port: number;
  host?: string;
  /** This process's database: the workers query it through this process. */
  open: OpenDatabase;
  /** Counts in Redis instead of in this process's counter authority. */
  redisUrl?: string;
  logger?: Logger;
  /** Where the workers write their log lines: standard output (as the primary's default logger does) unless a file is named. */
  workerLogFile?: string;
  settings?: Partial<GatewaySettings>;
}

export interface RunningGatewayCluster {
  port: number;
  /** The port of /metrics (every worker's added up), /healthz and /readyz; undefined when settings.metricsPort is. */
  metricsPort: number | undefined;
  /** Resolves once every worker has applied the changes published so far. */
  settled(): Promise<void>;
  /** Has every worker write its collected usage now. */
  flushUsage(): Promise<void>;
  /** The workers running now: number, process id, and whether it serves yet. */
  workers(): { slot: number; pid: number | undefined; ready: boolean }[];
  /** Stops the workers (each finishes its requests and writes its usage), then everything else; the database stays open. */
  close(): Promise<void>;
}

interface WorkerState {
  worker: Worker;
  slot: number;
  /** Said hello: changes are sent to it from then on. */
  listening: boolean;
  ready: boolean;
  startedAt: number;
}

/** A worker's start failure, as the worker told it: the same fields as the error a listening server raises. */
class WorkerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly port: number | undefined,
  ) {
    super(message);
  }
}

/** V8 heap flags of this process (such as npm start's young generation size): the workers run with them too. */
function heapFlags(): string[] {
  return process.execArgv.filter((flag) => /^--(min-semi-space-size|max-semi-space-size|max-old-space-size)=/.test(flag));
}

/**
 * The gateway on several processes (node:cluster): this process, the primary, opens the database,
 * the counter authority and the metrics port, and keeps the workers' registries current; the
 * workers (cluster-worker.ts) accept connections on the shared port themselves (SCHED_NONE), so
 * whatever else this process does (rendering the portal) is never in the path of a request.
 */
export async function startGatewayCluster(options: StartGatewayClusterOptions): Promise<RunningGatewayCluster> {
  const settings: GatewaySettings = { ...DEFAULT_GATEWAY_SETTINGS, ...options.settings };
  const ownLogger = !options.logger;
  const logger = options.logger ?? createGatewayLogger();
  const { open } = options;
  const cleanups: Cleanups = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  const states = new Map<number, WorkerState>();
  let stopping = false;
  let started = false;
  let startFailure: ((error: Error) => void) | undefined;
  let onReady: (() => void) | undefined;
  let nextTaskId = 0;
  /** Tasks asked of the workers, with the workers yet to answer. */
  const tasks = new Map<number, { waiting: Set<number>; resolve: () => void; reject: (error: Error) => void }>();
  const taskDone = (id: number, workerId: number) => {
    const task = tasks.get(id);
    if (!task || !task.waiting.delete(workerId) || task.waiting.size > 0) return;
    tasks.delete(id);
    task.resolve();
  };

  const send = (state: WorkerState, message: ToWorker) => {
    if (state.worker.isConnected()) state.worker.send(message);
  };
  const broadcast = (message: ToWorker) => {
    for (const state of states.values()) if (state.listening) send(state, message);
  };

  try {
    const counterAuthority = options.redisUrl ? undefined : await startCounterAuthority();
    if (counterAuthority) cleanups.push(() => counterAuthority.close());

    // Before any worker loads its registry: no change committed meanwhile is missed.
    cleanups.push(onChanges((changes: Change[]) => broadcast({ portico: "changes", changes })));
    if (open.kind === "postgres" && open.pool) {
      cleanups.push(installPostgresChangePublisher(open.pool, logger));
      const listener = new PostgresChangeListener({
        connection: open.pool.options,
        onChanges: (changes) => broadcast({ portico: "changes", changes }),
        onReconnected: () => broadcast({ portico: "reload" }),
        logger,
      });
      await listener.start();
      cleanups.push(() => listener.close());
    }

    let metricsPort: number | undefined;
    if (settings.metricsPort !== undefined) {
      // prom-client asks every worker for its metrics over the cluster channel and adds them up.
      const aggregator = new AggregatorRegistry();
      const source = { text: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
      const ready = () => started && !stopping && states.size === options.workers && [...states.values()].every((s) => s.ready);
      metricsPort = await openMetricsPort(source, ready, settings.metricsPort, options.host, logger, cleanups);
    }

    const config: Omit<WorkerConfig, "slot"> = {
      logLevel: logger.level,
      logFile: options.workerLogFile,
      port: options.port,
      host: options.host,
      redisUrl: options.redisUrl,
      counterSocket: counterAuthority?.socketPath,
      databaseKind: open.kind,
      settings: {
        connectTimeoutMs: settings.connectTimeoutMs,
        headersTimeoutMs: settings.headersTimeoutMs,
        bodyTimeoutMs: settings.bodyTimeoutMs,
        connectionsPerOrigin: settings.connectionsPerOrigin,
        usageFlushIntervalMs: settings.usageFlushIntervalMs,
        trustProxy: settings.trustProxy,
      },
    };
    // Workers accept connections themselves instead of the primary handing each one over.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: WORKER_SCRIPT, execArgv: [...heapFlags(), "--import", TSX_LOADER], serialization: "advanced" });

    let port = options.port;
    const onMessage = (worker: Worker, message: unknown) => {
      const state = states.get(worker.id);
      if (!state || !isFromWorker(message)) return;
      handle(state, message);
    };
    const handle = (state: WorkerState, message: FromWorker) => {
      switch (message.portico) {
        case "hello":
          state.listening = true;
          break;
        case "query":
          void runForwardedQuery(open, message).then((answer) => send(state, answer));
          break;
        case "ready":
          state.ready = true;
          port = message.port;
          if (started) logger.info({ worker: state.slot, pid: state.worker.process.pid }, "Gateway worker ready");
          onReady?.();
          break;
        case "failed":
          startFailure?.(new WorkerStartError(message.message, message.code, message.port));
          break;
        case "done": {
          const task = tasks.get(message.id);
          if (task && message.error) {
            tasks.delete(message.id);
            task.reject(new Error(message.error));
          } else taskDone(message.id, state.worker.id);
          break;
        }
      }
    };
    const fork = (slot: number) => {
      const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, slot } satisfies WorkerConfig) });
      states.set(worker.id, { worker, slot, listening: false, ready: false, startedAt: Date.now() });
      // A message to a worker on its way out fails: its exit is handled below, the failure only logged.
      worker.on("error", (error) => logger.warn({ worker: slot, err: error.message }, "Could not reach a gateway worker"));
    };
    let restartDelayMs = 500;
    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      const state = states.get(worker.id);
      if (!state) return;
      states.delete(worker.id);
      // What it was asked is not waited for any longer; a restarted worker loads everything anew.
      for (const id of [...tasks.keys()]) taskDone(id, worker.id);
      if (stopping) return;
      if (!started) {
        startFailure?.(new Error(`A gateway worker stopped while starting (exit code ${code}${signal ? `, ${signal}` : ""})`));
        return;
      }
      // A worker that keeps dying right after starting is restarted less and less often.
      restartDelayMs = Date.now() - state.startedAt > 30_000 ? 500 : Math.min(restartDelayMs * 2, 30_000);
      logger.error({ worker: state.slot, pid: worker.process.pid, code, signal, restartInMs: restartDelayMs }, "A gateway worker stopped; starting another");
      setTimeout(() => stopping || fork(state.slot), restartDelayMs).unref();
    };
    cluster.on("message", onMessage);
    cluster.on("exit", onExit);
    cleanups.push(() => {
      cluster.off("message", onMessage);
      cluster.off("exit", onExit);
    });

    const stopWorkers = async () => {
      stopping = true;
      const exits = [...states.values()].map(({ worker }) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once("exit", () => resolve()))));
      broadcast({ portico: "stop" });
      for (const state of states.values()) if (!state.listening) state.worker.kill();
      const timedOut = await Promise.race([Promise.all(exits).then(() => false), delay(STOP_TIMEOUT_MS).then(() => true)]);
      if (timedOut) {
        logger.error("Gateway workers did not stop in time; stopping them now");
        for (const state of states.values()) state.worker.process.kill("SIGKILL");
        await Promise.all(exits);
      }
      for (const task of tasks.values()) task.reject(new Error("The gateway is stopping"));
      tasks.clear();
    };
    cleanups.push(stopWorkers);

    for (let slot = 1; slot <= options.workers; slot++) fork(slot);
    await new Promise<void>((resolve, reject) => {
      startFailure = reject;
      onReady = () => [...states.values()].every((s) => s.ready) && resolve();
    });
    started = true;
    startFailure = undefined;
    onReady = undefined;
    logger.info({ port, metricsPort, workers: options.workers, counters: options.redisUrl ? "redis" : "shared" }, "Portico gateway listening");

    const ask = (task: WorkerTask) =>
      new Promise<void>((resolve, reject) => {
        const targets = [...states.values()].filter((s) => s.ready && s.worker.isConnected());
        if (targets.length === 0) return resolve();
        const id = ++nextTaskId;
        tasks.set(id, { waiting: new Set(targets.map((s) => s.worker.id)), resolve, reject });
        for (const state of targets) send(state, { portico: "task", id, task });
      });

    let closing: Promise<void> | undefined;
    return {
      port,
      metricsPort,
      settled: () => ask("settle"),
      flushUsage: () => ask("flush"),
      workers: () => [...states.values()].map((s) => ({ slot: s.slot, pid: s.worker.process.pid, ready: s.ready })).sort((a, b) => a.slot - b.slot),
      close() {
        closing ??= (async () => {
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
