import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { outboxMessages } from "@/db/schema";

/**
 * Sends the outbox's due messages: email and webhook deliveries written in the transaction of the
 * change they tell. Each row is leased to one sender (`lockedUntil`) before it is sent, marked
 * sent after, and retried with exponential backoff on failure until its channel gives up; a
 * restart loses nothing (an expired lease makes the row due again).
 */

export type OutboxMessage = typeof outboxMessages.$inferSelect;
export type OutboxChannel = OutboxMessage["channel"];

export interface DeliveryResult {
  ok: boolean;
  /** The receiver's HTTP status, for webhooks. */
  statusCode?: number;
  /** Why it failed, for the delivery log: never a secret. */
  error?: string;
}

export interface ChannelSender {
  send(db: Queryable, message: OutboxMessage): Promise<DeliveryResult>;
  /** How long to keep retrying a message after it was written; past it, the message is failed. */
  retryForMs: number;
}

const senders = new Map<OutboxChannel, ChannelSender>();

/** Installs the sender of a channel (lib/outbox/email.ts, lib/outbox/webhook.ts). */
export function registerSender(channel: OutboxChannel, sender: ChannelSender): void {
  senders.set(channel, sender);
}

const LEASE_MS = 60_000;
const BATCH = 20;
const MAX_BATCHES_PER_TICK = 25;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60 * 60_000;

/** 5 s, 10 s, 20 s … doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Up to BATCH due messages of the installed channels: never-tried ones first, so a backlog of
 * retries (a receiver or SMTP server that was down) never holds back a fresh message such as a
 * password reset; then the oldest due first.
 */
async function dueIds(db: Queryable, now: Date): Promise<string[]> {
  const channels = [...senders.keys()];
  if (channels.length === 0) return [];
  const due = await db
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .where(
      and(
        eq(outboxMessages.status, "pending"),
        lte(outboxMessages.nextAttemptAt, now),
        or(isNull(outboxMessages.lockedUntil), lte(outboxMessages.lockedUntil, now)),
        inArray(outboxMessages.channel, channels),
      ),
    )
    .orderBy(asc(outboxMessages.attempts), asc(outboxMessages.nextAttemptAt))
    .limit(BATCH);
  return due.map((row) => row.id);
}

/** Leases one message to this run, unless another run took it since it was found: one sender per message. */
async function lease(db: Queryable, id: string, at: Date): Promise<OutboxMessage | undefined> {
  const [row] = await db
    .update(outboxMessages)
    .set({ lockedUntil: new Date(at.getTime() + LEASE_MS) })
    .where(and(eq(outboxMessages.id, id), eq(outboxMessages.status, "pending"), or(isNull(outboxMessages.lockedUntil), lte(outboxMessages.lockedUntil, at))))
    .returning();
  return row;
}

/** Sends what is due once; answers how many were sent and how many failed this time. */
export async function runOutboxOnce(db: Queryable, now = new Date()): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  // Each message is leased just before it is sent, at `now` plus the time this run has taken: a
  // batch of slow deliveries never sends a message whose lease already ran out (another process
  // could have taken it meanwhile).
  const started = Date.now();
  for (const id of await dueIds(db, now)) {
    const message = await lease(db, id, new Date(now.getTime() + (Date.now() - started)));
    if (!message) continue;
    const sender = senders.get(message.channel)!;
    let result: DeliveryResult;
    try {
      result = await sender.send(db, message);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : "delivery failed" };
    }
    const attempts = message.attempts + 1;
    if (result.ok) {
      sent++;
      await db
        .update(outboxMessages)
        .set({ status: "sent", attempts, sentAt: now, lockedUntil: null, lastError: null, lastStatusCode: result.statusCode ?? null })
        .where(eq(outboxMessages.id, message.id));
      continue;
    }
    failed++;
    const giveUp = now.getTime() - message.createdAt.getTime() >= sender.retryForMs;
    await db
      .update(outboxMessages)
      .set({
        status: giveUp ? "failed" : "pending",
        attempts,
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
        lockedUntil: null,
        lastError: result.error?.slice(0, 500) ?? null,
        lastStatusCode: result.statusCode ?? null,
      })
      .where(eq(outboxMessages.id, message.id));
  }
  return { sent, failed };
}

/**
 * Runs the outbox every `intervalMs` until stopped; a failing run is logged and the next one tries
 * again. Stopping waits for the run in progress, so no message is left between sent and marked.
 */
export function startOutboxWorker(db: () => Promise<Queryable>, intervalMs = 2_000): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // A full batch means more may be due: keep going, up to a bound, before waiting again.
      for (let batch = 0; batch < MAX_BATCHES_PER_TICK && !stopped; batch++) {
        const { sent, failed } = await runOutboxOnce(await db());
        if (sent + failed < BATCH) break;
      }
    } catch (error) {
      console.error("outbox run failed:", error instanceof Error ? error.message : error);
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), intervalMs);
  };
  timer = setTimeout(() => (running = tick()), intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
