import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages } from "@/db/schema";
import { openTestDb } from "@/lib/domain/test-fixtures";
import { registerSender, runOutboxOnce, startOutboxWorker } from "./worker";

let open: OpenDatabase;
let db: Db;
const sent: string[] = [];

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  registerSender("email", {
    retryForMs: 24 * 60 * 60_000,
    send: async (_db, message) => {
      sent.push(message.eventId);
      return { ok: true };
    },
  });
});
afterAll(() => open?.close());

describe("the outbox worker", () => {
  it("sends a fresh message before a backlog of retries, and drains the backlog without waiting a tick per batch", async () => {
    const past = new Date(Date.now() - 60_000);
    await db.insert(outboxMessages).values(
      Array.from({ length: 45 }, (_, i) => ({ channel: "email" as const, eventId: `retry-${i}`, type: "decisions", payload: {}, attempts: 3, nextAttemptAt: past })),
    );
    // Due a second ago, later than every retry: only "never tried first" puts it ahead. (Due "now" by
    // the database's clock could still lie in the future of this process's millisecond clock.)
    await db.insert(outboxMessages).values({ channel: "email", eventId: "fresh", type: "account", payload: {}, nextAttemptAt: new Date(Date.now() - 1_000) });

    await runOutboxOnce(db);
    expect(sent[0]).toBe("fresh");
    expect(sent).toHaveLength(20);

    const stop = startOutboxWorker(async () => db, 10);
    await expect.poll(() => sent.length).toBe(46);
    await stop();
    expect(new Set(sent).size).toBe(46);
  });
});
