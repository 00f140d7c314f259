import pg from "pg";
import type { Logger } from "pino";
import { type Change, changeOrigin, getRemotePublisher, setRemotePublisher } from "@/lib/domain/events";

/** The PostgreSQL channel that carries domain changes between Portico processes. */
export const CHANGES_CHANNEL = "portico_changes";

// NOTIFY payloads must stay under 8000 bytes: a change takes about 50.
const CHANGES_PER_NOTIFICATION = 100;

interface Notification {
  /** The publishing process. */
  o: string;
  /** [kind, id] pairs. */
  c: [Change["kind"], string][];
}

const KINDS: ReadonlySet<string> = new Set(["contract", "clientVersion", "apiVersion", "planVersion"]);

/** Reads a notification's changes; anything malformed is ignored rather than trusted. */
export function parseNotification(payload: string | undefined): { origin: string; changes: Change[] } | undefined {
  if (!payload) return undefined;
  try {
    const data = JSON.parse(payload) as Notification;
    if (typeof data.o !== "string" || !Array.isArray(data.c)) return undefined;
    const changes: Change[] = [];
    for (const item of data.c) {
      if (Array.isArray(item) && KINDS.has(item[0]) && typeof item[1] === "string") changes.push({ kind: item[0], id: item[1] } as Change);
    }
    return { origin: data.o, changes };
  } catch {
    return undefined;
  }
}

/**
 * Makes this process announce its domain changes with NOTIFY, so gateways in other processes
 * refresh too. Returns a function that removes it again (if still the one installed).
 */
export function installPostgresChangePublisher(pool: pg.Pool, logger: Logger): () => void {
  const publisher = async (changes: Change[]) => {
    for (let i = 0; i < changes.length; i += CHANGES_PER_NOTIFICATION) {
      const payload: Notification = { o: changeOrigin(), c: changes.slice(i, i + CHANGES_PER_NOTIFICATION).map((c) => [c.kind, c.id]) };
      try {
        await pool.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, JSON.stringify(payload)]);
      } catch (error) {
        // The change is committed; failing the user's action now would only mislead them.
        logger.error({ err: (error as Error).message }, "Could not announce changes to other gateway processes");
      }
    }
  };
  setRemotePublisher(publisher);
  return () => {
    if (getRemotePublisher() === publisher) setRemotePublisher(undefined);
  };
}

export interface ChangeListenerOptions {
  /** Connection settings of the dedicated LISTEN connection (those of the process pool). */
  connection: pg.ClientConfig;
  onChanges: (changes: Change[]) => void;
  /** Called after a lost connection is back: notifications may have been missed meanwhile. */
  onReconnected: () => void;
  logger: Logger;
  /** How often the connection is checked, to notice a silent network failure. */
  heartbeatMs?: number;
}

/**
 * Listens for other processes' changes on one dedicated connection (a pooled one would be
 * handed to other queries), reconnecting with backoff when it is lost.
 */
export class PostgresChangeListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retryDelayMs = 100;

  constructor(private readonly options: ChangeListenerOptions) {}

  /** Connects and listens; fails when the first connection cannot be made. */
  async start(): Promise<void> {
    await this.connect();
    const heartbeatMs = this.options.heartbeatMs ?? 30_000;
    this.heartbeat = setInterval(() => {
      const client = this.client;
      client?.query("select 1").catch((error: Error) => this.lost(client, error));
    }, heartbeatMs).unref();
  }

  /** The server process id of the LISTEN connection (tests cut it to prove reconnection). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.options.connection, keepAlive: true, query_timeout: 10_000 });
    client.on("notification", (message) => {
      if (message.channel !== CHANGES_CHANNEL) return;
      const parsed = parseNotification(message.payload);
      // This process's own changes were already delivered in-process.
      if (parsed && parsed.origin !== changeOrigin() && parsed.changes.length > 0) this.options.onChanges(parsed.changes);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${CHANGES_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.options.logger.warn({ err: error?.message }, "Lost the PostgreSQL connection that carries gateway changes; reconnecting");
    client.removeAllListeners();
    client.on("error", () => {});
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      try {
        await this.connect();
        if (this.closed) {
          await this.client?.end().catch(() => {});
          return;
        }
        this.retryDelayMs = 100;
        this.options.logger.info("Listening for gateway changes again; reloading the registry");
        this.options.onReconnected();
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message, retryInMs: this.retryDelayMs }, "PostgreSQL is still unreachable");
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
        this.scheduleReconnect();
      }
    }, this.retryDelayMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}
