import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { addHistogram, addRefusals } from "./histogram";
import { STEP_MS, floorToStep } from "./ranges";
import { rowsOf, USAGE_TABLES } from "./read";
import { type UsageRetention, usageRetentionFromEnv } from "./settings";

type Grain = (typeof USAGE_TABLES)[number];

export interface RollupOptions {
  /** Source rows moved per transaction. */
  batchSize?: number;
  /** Transactions per grain and run at most; the next run carries on. */
  maxBatches?: number;
}

export interface RollupResult {
  minutesMoved: number;
  hoursWritten: number;
  hoursMoved: number;
  daysWritten: number;
  /** False when maxBatches stopped a grain before it was done. */
  complete: boolean;
}

interface MovedRow {
  contract_id: string;
  t: number;
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latency: number;
  buckets: string;
  refusals: string;
}

interface Rolled {
  contractId: string;
  at: number;
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latency: number;
  buckets: number[];
  refusals: Record<string, number>;
}

/** Adds moved rows up per contract and target period (hour or UTC day). */
function rollRows(rows: MovedRow[], targetStepMs: number): Rolled[] {
  const rolled = new Map<string, Rolled>();
  for (const r of rows) {
    const at = r.t - (r.t % targetStepMs);
    const id = `${r.contract_id}@${at}`;
    let target = rolled.get(id);
    if (!target) {
      target = { contractId: r.contract_id, at, requests: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, latency: 0, buckets: [], refusals: {} };
      rolled.set(id, target);
    }
    target.requests += r.requests;
    target.s2xx += r.s2xx;
    target.s3xx += r.s3xx;
    target.s4xx += r.s4xx;
    target.s5xx += r.s5xx;
    target.latency += r.latency;
    if (r.buckets) addHistogram(target.buckets, r.buckets.split(",").map(Number));
    addRefusals(target.refusals, JSON.parse(r.refusals) as Record<string, number>);
  }
  // Sorted like the gateway's writes, so concurrent writers take row locks in one order.
  return [...rolled.values()].sort((a, b) => (a.contractId < b.contractId ? -1 : a.contractId > b.contractId ? 1 : a.at - b.at));
}

/**
 * Moves one batch of `source` rows older than `cutoff` into `target`, in one transaction: the rows
 * are deleted and their sums added to the target rows (created when missing). SKIP LOCKED lets two
 * runs share the work; the additive upsert lets them meet on the same target row without losing counts.
 * Rows are found contract by contract, through the (contract_id, time) primary key: the tables have
 * no index on time alone, and a scan of every row for each batch would grow with the whole history.
 */
async function moveBatch(db: Db, source: Grain, target: Grain, cutoff: Date, batchSize: number): Promise<{ moved: number; written: number }> {
  return db.transaction(async (tx) => {
    const s = sql.raw(source.table);
    const time = sql.raw(source.time);
    const moved = await rowsOf<MovedRow>(
      tx,
      sql`delete from ${s} as r
        using (select old.contract_id, old.${time} from contracts k
               cross join lateral (
                 select contract_id, ${time} from ${s} where contract_id = k.id and ${time} < ${cutoff.toISOString()}::timestamptz
                 order by ${time} limit ${batchSize} for update skip locked) as old
               limit ${batchSize}) as picked
        where r.contract_id = picked.contract_id and r.${time} = picked.${time}
        returning r.contract_id, (extract(epoch from r.${time}) * 1000)::float8 as t, r.requests, r.status_2xx as s2xx, r.status_3xx as s3xx,
          r.status_4xx as s4xx, r.status_5xx as s5xx, r.latency_ms_sum::float8 as latency,
          array_to_string(r.latency_buckets, ',') as buckets, r.refusals::text as refusals`,
    );
    if (moved.length === 0) return { moved: 0, written: 0 };
    const rolled = rollRows(moved, STEP_MS[target.time]);
    const t = sql.raw(target.table);
    const targetTime = sql.raw(target.time);
    const values = sql.join(
      rolled.map(
        (r) =>
          sql`(${r.contractId}::uuid, ${new Date(r.at).toISOString()}::timestamptz, ${r.requests}::int, ${r.s2xx}::int, ${r.s3xx}::int, ${r.s4xx}::int, ${r.s5xx}::int, ${Math.round(r.latency)}::bigint, ${`{${Array.from(r.buckets, (n) => n ?? 0).join(",")}}`}::int[], ${JSON.stringify(r.refusals)}::jsonb)`,
      ),
      sql`, `,
    );
    await tx.execute(sql`
      insert into ${t} as g (contract_id, ${targetTime}, requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
      values ${values}
      on conflict (contract_id, ${targetTime}) do update set
        requests = g.requests + excluded.requests,
        status_2xx = g.status_2xx + excluded.status_2xx,
        status_3xx = g.status_3xx + excluded.status_3xx,
        status_4xx = g.status_4xx + excluded.status_4xx,
        status_5xx = g.status_5xx + excluded.status_5xx,
        latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
        latency_buckets = array(
          select coalesce(a, 0) + coalesce(b, 0)
          from unnest(g.latency_buckets, excluded.latency_buckets) with ordinality as x(a, b, i) order by i),
        refusals = (
          select coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
          from (select k, sum(v::bigint) as n
                from (select * from jsonb_each_text(g.refusals) union all select * from jsonb_each_text(excluded.refusals)) as e(k, v)
                group by k) as merged)`);
    return { moved: moved.length, written: rolled.length };
  });
}

async function moveAll(db: Db, source: Grain, target: Grain, cutoff: Date, options: Required<RollupOptions>) {
  let moved = 0;
  let written = 0;
  for (let batch = 0; batch < options.maxBatches; batch++) {
    const result = await moveBatch(db, source, target, cutoff, options.batchSize);
    moved += result.moved;
    written += result.written;
    if (result.moved < options.batchSize) return { moved, written, complete: true };
  }
  return { moved, written, complete: false };
}

/**
 * Moves minute rows older than `minuteHours` into hourly rows, then hourly rows older than
 * `hourDays` into daily rows (daily rows stay as long as their contract). Counters add up,
 * histograms bucket by bucket, refusals by code; what moved is deleted in the same transaction.
 * Only whole hours and UTC days behind the cutoffs move, never the current hour the gateway is
 * writing; a minute written late for an hour already rolled up is added on the next run. Safe to
 * run every few minutes, twice at once, or again with the same clock (it then moves nothing).
 */
export async function rollUpUsage(
  db: Db,
  now = new Date(),
  settings: UsageRetention = usageRetentionFromEnv(),
  options: RollupOptions = {},
): Promise<RollupResult> {
  const opts = { batchSize: options.batchSize ?? 5000, maxBatches: options.maxBatches ?? 100 };
  const [minutes, hours, days] = USAGE_TABLES;
  const minuteCutoff = new Date(floorToStep(now.getTime() - settings.minuteHours * STEP_MS.hour, "hour"));
  const hourCutoff = new Date(floorToStep(now.getTime() - settings.hourDays * STEP_MS.day, "day"));
  const toHours = await moveAll(db, minutes, hours, minuteCutoff, opts);
  const toDays = await moveAll(db, hours, days, hourCutoff, opts);
  return {
    minutesMoved: toHours.moved,
    hoursWritten: toHours.written,
    hoursMoved: toDays.moved,
    daysWritten: toDays.written,
    complete: toHours.complete && toDays.complete,
  };
}
