import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "@/db/client";
import { addCounts, addUsageMinutes, emptyCounts, type UsageMinute } from "@/lib/domain/usage/write";

/** Contract-minute rows per write statement. */
const ROWS_PER_STATEMENT = 1000;

interface KeyUse {
  clientVersionId: string;
  /** The key's digest: after a rotation, it decides which last-used column the time belongs to. */
  keyDigest: string;
  at: number;
}

/** One row per contract and minute: counts kept back by a failed write meet newer ones here. */
function merge(counts: UsageMinute[]): UsageMinute[] {
  const rows = new Map<string, UsageMinute>();
  for (const c of counts) {
    const id = `${c.contractId}@${c.minute}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { contractId: c.contractId, apiVersionId: c.apiVersionId, minute: c.minute, ...emptyCounts() }));
    addCounts(row, c);
  }
  // The same order in every process, so two gateways upserting the same rows cannot deadlock.
  return [...rows.values()].sort((a, b) => (a.contractId < b.contractId ? -1 : a.contractId > b.contractId ? 1 : a.minute - b.minute));
}

/** What the recorder has written and failed to write since it started, for the metrics. */
export interface UsageWriteStats {
  rowsWritten: number;
  rowsFailed: number;
}

/**
 * Collects per-contract counts per minute and key last-used times in memory, and writes them in
 * one batch every interval (to the minute, hour and day rows of the contract and of its API
 * version): the request path never waits for the database.
 */
export class UsageRecorder {
  // The minute being counted per contract; earlier minutes wait in `done` for the next write.
  private counts = new Map<string, UsageMinute>();
  private done: UsageMinute[] = [];
  private keyUses = new Map<string, KeyUse>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  /** Arrival (epoch ms) of the oldest request counted since the last write began; undefined when none. */
  private pendingSince: number | undefined;
  /** The same for the counts a running write holds. */
  private writingSince: number | undefined;
  readonly stats: UsageWriteStats = { rowsWritten: 0, rowsFailed: 0 };

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs).unref();
  }

  /**
   * Counts one request of a contract (with its API version, whose usage counts it too): its status,
   * latency and bucket (latencyBucket()), and the problem code when the gateway refused it itself.
   */
  record(contractId: string, apiVersionId: string, status: number, latencyMs: number, bucket: number, refusal: string | undefined, now: number): void {
    const minute = now - (now % 60_000);
    let c = this.counts.get(contractId);
    if (c?.minute !== minute) {
      if (c) this.done.push(c);
      c = { contractId, apiVersionId, minute, ...emptyCounts() };
      this.counts.set(contractId, c);
    }
    this.pendingSince ??= now;
    c.requests++;
    if (status < 300) c.s2xx++;
    else if (status < 400) c.s3xx++;
    else if (status < 500) c.s4xx++;
    else c.s5xx++;
    c.latencyMsSum += latencyMs;
    c.buckets[bucket]++;
    if (refusal !== undefined) {
      c.refusals ??= {};
      c.refusals[refusal] = (c.refusals[refusal] ?? 0) + 1;
    }
  }

  /** Milliseconds since the arrival of the oldest request whose count is not written yet; 0 when all are. */
  writeLagMs(now = Date.now()): number {
    const oldest = Math.min(this.pendingSince ?? now, this.writingSince ?? now);
    return Math.max(0, now - oldest);
  }

  /** Notes that a key, given by its digest, was used (a valid key, whether or not a contract let the request through). */
  keyUsed(clientVersionId: string, keyDigest: string, now: number): void {
    const use = this.keyUses.get(keyDigest);
    if (use) use.at = now;
    else this.keyUses.set(keyDigest, { clientVersionId, keyDigest, at: now });
  }

  /** Writes what was collected; on failure, keeps it for the next attempt. */
  flush(): Promise<void> {
    // One flush at a time: a second caller waits for the running one, then flushes what came since.
    this.flushing = (this.flushing ?? Promise.resolve()).then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const counts = [...this.done, ...this.counts.values()];
    const keyUses = this.keyUses;
    if (counts.length === 0 && keyUses.size === 0) return;
    this.counts = new Map();
    this.done = [];
    this.keyUses = new Map();
    this.writingSince = this.pendingSince;
    this.pendingSince = undefined;
    // Merged and sorted; written a statement at a time, and what is left after a failure is kept.
    let unwritten: UsageMinute[] = counts.length > 0 ? merge(counts) : [];
    try {
      while (unwritten.length > 0) {
        const batch = unwritten.slice(0, ROWS_PER_STATEMENT);
        await addUsageMinutes(this.db, batch);
        this.stats.rowsWritten += batch.length;
        unwritten = unwritten.slice(batch.length);
      }
      if (keyUses.size > 0) await this.writeKeyUses([...keyUses.values()]);
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, "Could not write gateway usage; keeping it for the next attempt");
      this.stats.rowsFailed += unwritten.length;
      // Written again with the next batch; the rows are merged then. Counts already written (only the
      // key uses failed, or an earlier statement went through) are not kept: they would be added twice.
      if (unwritten.length > 0) {
        this.done.push(...unwritten);
        if (this.writingSince !== undefined) this.pendingSince = Math.min(this.writingSince, this.pendingSince ?? Infinity);
      }
      for (const [keyDigest, use] of keyUses) if (!this.keyUses.has(keyDigest)) this.keyUses.set(keyDigest, use);
    } finally {
      this.writingSince = undefined;
    }
  }

  private async writeKeyUses(uses: KeyUse[]): Promise<void> {
    // An UPDATE ... FROM applies one source row per target row: both keys of one client version (during a
    // rotation's grace period) go in separate passes.
    const passes: KeyUse[][] = [];
    const seen = new Map<string, number>();
    for (const use of uses) {
      const pass = seen.get(use.clientVersionId) ?? 0;
      seen.set(use.clientVersionId, pass + 1);
      (passes[pass] ??= []).push(use);
    }
    for (const pass of passes) {
      pass.sort((a, b) => (a.clientVersionId < b.clientVersionId ? -1 : a.clientVersionId > b.clientVersionId ? 1 : 0));
      for (let i = 0; i < pass.length; i += 1000) {
        const values = sql.join(
          pass.slice(i, i + 1000).map((u) => sql`(${u.clientVersionId}::uuid, ${u.keyDigest}::text, ${new Date(u.at).toISOString()}::timestamptz)`),
          sql`, `,
        );
        // A key rotated since it was used: its time goes to whichever column holds that key now, or nowhere.
        await this.db.execute(sql`
          update client_versions cv set
            api_key_last_used_at = case when cv.api_key_digest = v.digest then greatest(cv.api_key_last_used_at, v.at) else cv.api_key_last_used_at end,
            previous_api_key_last_used_at = case when cv.previous_api_key_digest = v.digest then greatest(cv.previous_api_key_last_used_at, v.at) else cv.previous_api_key_last_used_at end
          from (values ${values}) as v(id, digest, at)
          where cv.id = v.id and (cv.api_key_digest = v.digest or cv.previous_api_key_digest = v.digest)`);
      }
    }
  }
}
