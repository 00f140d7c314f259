import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "@/db/client";
import { LATENCY_BUCKET_COUNT } from "./latency-buckets";

interface MinuteCounts {
  contractId: string;
  minute: number;
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latencyMsSum: number;
  /** Requests per latency bucket (latency-buckets.ts). */
  buckets: number[];
  /** Requests the gateway refused itself, by problem code; undefined until the first. */
  refusals: Record<string, number> | undefined;
}

interface KeyUse {
  clientVersionId: string;
  /** The key's digest: after a rotation, it decides which last-used column the time belongs to. */
  keyDigest: string;
  at: number;
}

/** One row per contract and minute: counts kept back by a failed write meet newer ones here. */
function merge(counts: MinuteCounts[]): MinuteCounts[] {
  const rows = new Map<string, MinuteCounts>();
  for (const c of counts) {
    const id = `${c.contractId}@${c.minute}`;
    const row = rows.get(id);
    if (!row) rows.set(id, { ...c, buckets: [...c.buckets], refusals: c.refusals && { ...c.refusals } });
    else {
      row.requests += c.requests;
      row.s2xx += c.s2xx;
      row.s3xx += c.s3xx;
      row.s4xx += c.s4xx;
      row.s5xx += c.s5xx;
      row.latencyMsSum += c.latencyMsSum;
      for (let i = 0; i < c.buckets.length; i++) row.buckets[i] += c.buckets[i];
      if (c.refusals) {
        row.refusals ??= {};
        for (const code in c.refusals) row.refusals[code] = (row.refusals[code] ?? 0) + c.refusals[code];
      }
    }
  }
  return [...rows.values()];
}

/** What the recorder has written and failed to write since it started, for the metrics. */
export interface UsageWriteStats {
  rowsWritten: number;
  rowsFailed: number;
}

/**
 * Collects per-contract counts per minute and key last-used times in memory, and writes them in
 * one batch every interval: the request path never waits for the database.
 */
export class UsageRecorder {
  // The minute being counted per contract; earlier minutes wait in `done` for the next write.
  private counts = new Map<string, MinuteCounts>();
  private done: MinuteCounts[] = [];
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
   * Counts one request of a contract: its status, latency and bucket (latencyBucket()), and the
   * problem code when the gateway refused it itself.
   */
  record(contractId: string, status: number, latencyMs: number, bucket: number, refusal: string | undefined, now: number): void {
    const minute = now - (now % 60_000);
    let c = this.counts.get(contractId);
    if (c?.minute !== minute) {
      if (c) this.done.push(c);
      c = { contractId, minute, requests: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, latencyMsSum: 0, buckets: new Array<number>(LATENCY_BUCKET_COUNT).fill(0), refusals: undefined };
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
    let rows: MinuteCounts[] = [];
    try {
      if (counts.length > 0) {
        rows = merge(counts);
        await this.writeCounts(rows);
        this.stats.rowsWritten += rows.length;
        rows = [];
      }
      if (keyUses.size > 0) await this.writeKeyUses([...keyUses.values()]);
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, "Could not write gateway usage; keeping it for the next attempt");
      this.stats.rowsFailed += rows.length;
      // Written again with the next batch; the rows are merged then. Counts already written (only the
      // key uses failed) are not kept: they would be added twice.
      if (rows.length > 0) {
        this.done.push(...counts);
        if (this.writingSince !== undefined) this.pendingSince = Math.min(this.writingSince, this.pendingSince ?? Infinity);
      }
      for (const [keyDigest, use] of keyUses) if (!this.keyUses.has(keyDigest)) this.keyUses.set(keyDigest, use);
    } finally {
      this.writingSince = undefined;
    }
  }

  private async writeCounts(rows: MinuteCounts[]): Promise<void> {
    // The same order in every process, so two gateways upserting the same rows cannot deadlock.
    rows.sort((a, b) => (a.contractId < b.contractId ? -1 : a.contractId > b.contractId ? 1 : a.minute - b.minute));
    for (let i = 0; i < rows.length; i += 1000) {
      const values = sql.join(
        rows
          .slice(i, i + 1000)
          .map(
            (r) =>
              sql`(${r.contractId}::uuid, ${new Date(r.minute).toISOString()}::timestamptz, ${r.requests}::int, ${r.s2xx}::int, ${r.s3xx}::int, ${r.s4xx}::int, ${r.s5xx}::int, ${Math.round(r.latencyMsSum)}::bigint, ${`{${r.buckets.join(",")}}`}::int[], ${JSON.stringify(r.refusals ?? {})}::jsonb)`,
          ),
        sql`, `,
      );
      // Joined to contracts: a contract deleted since (with its client) is skipped instead of failing the batch.
      // Histograms add up bucket by bucket and refusals code by code, so every gateway's traffic lands in one row;
      // a row from before histograms has none, and takes this batch's buckets.
      await this.db.execute(sql`
        insert into contract_usage (contract_id, minute, requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
        select v.contract_id, v.minute, v.requests, v.s2xx, v.s3xx, v.s4xx, v.s5xx, v.latency, v.buckets, v.refusals
        from (values ${values}) as v(contract_id, minute, requests, s2xx, s3xx, s4xx, s5xx, latency, buckets, refusals)
        join contracts c on c.id = v.contract_id
        on conflict (contract_id, minute) do update set
          requests = contract_usage.requests + excluded.requests,
          status_2xx = contract_usage.status_2xx + excluded.status_2xx,
          status_3xx = contract_usage.status_3xx + excluded.status_3xx,
          status_4xx = contract_usage.status_4xx + excluded.status_4xx,
          status_5xx = contract_usage.status_5xx + excluded.status_5xx,
          latency_ms_sum = contract_usage.latency_ms_sum + excluded.latency_ms_sum,
          latency_buckets = array(
            select coalesce(a, 0) + coalesce(b, 0)
            from unnest(contract_usage.latency_buckets, excluded.latency_buckets) with ordinality as x(a, b, i) order by i),
          refusals = case when excluded.refusals = '{}'::jsonb then contract_usage.refusals else (
            select coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
            from (select k, sum(v::bigint) as n
                  from (select * from jsonb_each_text(contract_usage.refusals) union all select * from jsonb_each_text(excluded.refusals)) as e(k, v)
                  group by k) as merged) end`);
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
