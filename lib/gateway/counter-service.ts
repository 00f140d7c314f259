import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Policy } from "@/db/schema";
import type { CounterStore, LocalCounters } from "./counters";
import { type PlanPolicies, type PolicyVerdict, verdictFromCounts } from "./policies";

/**
 * The thread's first code: registers tsx's loader through its API (`--import tsx` registers it in
 * a process's main thread only), then loads counter-thread.ts.
 */
function threadBootstrap(): string {
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const entry = new URL("./counter-thread.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
}

export interface CounterAuthority {
  /** The Unix domain socket the gateway workers count through. */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Starts the counter authority (counter-thread.ts) in a worker thread of this process, listening
 * on a socket in a directory of its own that only this user may enter.
 */
export async function startCounterAuthority(): Promise<CounterAuthority> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portico-counters-"));
  const socketPath = path.join(dir, "counters.sock");
  const thread = new Worker(threadBootstrap(), { eval: true, workerData: { socketPath } });
  try {
    await new Promise<void>((resolve, reject) => {
      thread.once("error", reject);
      thread.once("exit", (code) => reject(new Error(`The counter thread stopped (exit code ${code}) before it listened`)));
      thread.on("message", (message: { listening?: string; failed?: string }) => {
        if (message.listening) resolve();
        else if (message.failed) reject(new Error(`The counter thread could not listen: ${message.failed}`));
      });
    });
  } catch (error) {
    await thread.terminate();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  thread.removeAllListeners();
  return {
    socketPath,
    async close() {
      await thread.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Waiting = (counts: number[] | undefined) => void;

/**
 * Counters kept by the cluster's counter authority, shared by every gateway worker: one line over
 * a Unix domain socket per request. While the authority cannot be reached, requests are counted
 * in this process, so limits still hold per worker.
 */
export class RemoteCounters implements CounterStore {
  private socket: Socket | undefined;
  private connected = false;
  private closed = false;
  private corked = false;
  private buffered = "";
  // Answers come in the order of the requests.
  private waiting: Waiting[] = [];
  private retryDelayMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly policiesJson = new WeakMap<readonly Policy[], string>();

  constructor(
    private readonly socketPath: string,
    private readonly fallback: LocalCounters,
    private readonly logger: Logger,
  ) {}

  /** Connects; resolves once connected, or fails when the first connection cannot be made. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.connect();
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
  }

  hit(contractId: string, plan: PlanPolicies, now: number): PolicyVerdict | Promise<PolicyVerdict> {
    const socket = this.socket;
    if (!socket || !this.connected) return this.fallback.hit(contractId, plan, now);
    let policies = this.policiesJson.get(plan.policies);
    if (policies === undefined) {
      policies = JSON.stringify(plan.policies);
      this.policiesJson.set(plan.policies, policies);
    }
    // Requests of one turn of the event loop go out in one write.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(`${contractId}\t${now}\t${policies}\n`);
    return new Promise((resolve) => {
      this.waiting.push((counts) => resolve(counts ? verdictFromCounts(plan, counts, now) : this.fallback.hit(contractId, plan, now)));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.answerAll(undefined);
    await this.fallback.close();
  }

  private connect(): Socket {
    const socket = connect(this.socketPath);
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      this.connected = true;
      this.retryDelayMs = 100;
      if (this.failing) this.logger.info("Shared counters are back");
      this.failing = false;
    });
    socket.on("data", (chunk: string) => this.read(chunk));
    socket.on("error", (error) => this.lost(socket, error));
    socket.on("close", () => this.lost(socket));
    return socket;
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    let start = 0;
    for (let end = this.buffered.indexOf("\n"); end !== -1; end = this.buffered.indexOf("\n", start)) {
      const line = this.buffered.slice(start, end);
      start = end + 1;
      const counts = line === "" ? undefined : line.split(",").map(Number);
      if (counts === undefined) this.logger.error("The counter authority refused a request; counted in this worker");
      this.waiting.shift()?.(counts);
    }
    this.buffered = this.buffered.slice(start);
  }

  /** Requests on the way get counted here; the connection is made again, sooner or later. */
  private lost(socket: Socket, error?: Error): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.connected = false;
    this.buffered = "";
    socket.destroy();
    this.answerAll(undefined);
    if (this.closed) return;
    if (!this.failing) this.logger.warn({ err: error?.message }, "Shared counters unavailable; counting in this worker until they answer");
    this.failing = true;
    this.retryTimer = setTimeout(() => this.connect(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
  }

  private answerAll(counts: undefined): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const answer of waiting) answer(counts);
  }
}
