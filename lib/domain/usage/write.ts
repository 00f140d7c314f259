import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { addHistogram, addRefusals, LATENCY_BUCKET_COUNT } from "./histogram";

/** What a set of requests adds to a usage row. */
export interface Counts {
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latencyMsSum: number;
  /** Requests per latency bucket (lib/gateway/latency-buckets.ts). */
  buckets: number[];
  /** Requests the gateway refused itself, by problem code; undefined until the first. */
  refusals: Record<string, number> | undefined;
}

/** What the gateway counted for one contract in one minute (epoch ms of its start). */
export interface UsageMinute extends Counts {
  contractId: string;
  apiVersionId: string;
  minute: number;
}

/** Counts of no request yet, with a histogram of every bucket (the gateway's). */
export const emptyCounts = (): Counts => ({
  requests: 0,
  s2xx: 0,
  s3xx: 0,
  s4xx: 0,
  s5xx: 0,
  latencyMsSum: 0,
  buckets: new Array<number>(LATENCY_BUCKET_COUNT).fill(0),
  refusals: undefined,
});

/** Adds `c` to `row`: counters, histograms bucket by bucket, refusals code by code. */
export function addCounts(row: Counts, c: Counts): void {
  row.requests += c.requests;
  row.s2xx += c.s2xx;
  row.s3xx += c.s3xx;
  row.s4xx += c.s4xx;
  row.s5xx += c.s5xx;
  row.latencyMsSum += c.latencyMsSum;
  addHistogram(row.buckets, c.buckets);
  if (c.refusals) addRefusals((row.refusals ??= {}), c.refusals);
}

/** A row of one usage table as the write statement reads it (jsonb_to_recordset): key, period start, counters. */
interface GrainRow {
  k: string;
  t: string;
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latency: number;
  buckets: number[];
  refusals: Record<string, number>;
}

/** The minutes' counts added up per key (contract or API version) and period of `stepMs`, sorted by key and time. */
function grainRows(minutes: UsageMinute[], keyOf: (m: UsageMinute) => string, stepMs: number): GrainRow[] {
  const sums = new Map<string, { k: string; t: number; counts: Counts }>();
  for (const m of minutes) {
    const k = keyOf(m);
    const t = m.minute - (m.minute % stepMs);
    const id = `${k}@${t}`;
    let sum = sums.get(id);
    // No histogram until a minute brings one: a minute from before histograms has none.
    if (!sum) sums.set(id, (sum = { k, t, counts: { ...emptyCounts(), buckets: [] } }));
    addCounts(sum.counts, m);
  }
  return [...sums.values()]
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.t - b.t))
    .map(({ k, t, counts: c }) => ({
      k,
      t: new Date(t).toISOString(),
      requests: c.requests,
      s2xx: c.s2xx,
      s3xx: c.s3xx,
      s4xx: c.s4xx,
      s5xx: c.s5xx,
      latency: Math.round(c.latencyMsSum),
      buckets: c.buckets,
      refusals: c.refusals ?? {},
    }));
}

const GRAINS = [
  { time: "minute", stepMs: 60_000 },
  { time: "hour", stepMs: 3_600_000 },
  { time: "day", stepMs: 86_400_000 },
] as const;

const FAMILIES = [
  { short: "c", tables: ["contract_usage", "contract_usage_hourly", "contract_usage_daily"], key: "contract_id", owners: "contracts", keyOf: (m: UsageMinute) => m.contractId },
  { short: "a", tables: ["api_version_usage", "api_version_usage_hourly", "api_version_usage_daily"], key: "api_version_id", owners: "api_versions", keyOf: (m: UsageMinute) => m.apiVersionId },
] as const;

/**
 * Adds `rows` to a usage table: counters add up, histograms bucket by bucket and refusals code by
 * code, so every gateway's traffic lands in one row; a row from before histograms has none, and
 * takes these buckets. Joined to the owners: a contract or API version deleted since is skipped
 * instead of failing the batch.
 */
function addRows(table: string, key: string, time: string, owners: string, rows: GrainRow[]): SQL {
  const [t, k, at] = [sql.raw(table), sql.raw(key), sql.raw(time)];
  return sql`insert into ${t} as g (${k}, ${at}, requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
      select v.k, v.t, v.requests, v.s2xx, v.s3xx, v.s4xx, v.s5xx, v.latency, v.buckets, v.refusals
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(k uuid, t timestamptz, requests int, s2xx int, s3xx int, s4xx int, s5xx int, latency bigint, buckets int[], refusals jsonb)
      join ${sql.raw(owners)} o on o.id = v.k
      on conflict (${k}, ${at}) do update set
        requests = g.requests + excluded.requests,
        status_2xx = g.status_2xx + excluded.status_2xx,
        status_3xx = g.status_3xx + excluded.status_3xx,
        status_4xx = g.status_4xx + excluded.status_4xx,
        status_5xx = g.status_5xx + excluded.status_5xx,
        latency_ms_sum = g.latency_ms_sum + excluded.latency_ms_sum,
        latency_buckets = array(
          select coalesce(a, 0) + coalesce(b, 0)
          from unnest(g.latency_buckets, excluded.latency_buckets) with ordinality as x(a, b, i) order by i),
        refusals = case when excluded.refusals = '{}'::jsonb then g.refusals else (
          select coalesce(jsonb_object_agg(k, n), '{}'::jsonb)
          from (select k, sum(v::bigint) as n
                from (select * from jsonb_each_text(g.refusals) union all select * from jsonb_each_text(excluded.refusals)) as e(k, v)
                group by k) as merged) end
      returning 1`;
}

/**
 * Adds the minutes to the minute, hour and day rows of their contracts and API versions, in one
 * statement: the six tables take a batch whole or not at all, so every grain holds the same
 * requests. Rows are sorted by key and time in every process, so two writers meeting on the same
 * rows take their locks in one order.
 */
export async function addUsageMinutes(db: Queryable, minutes: UsageMinute[]): Promise<void> {
  if (minutes.length === 0) return;
  const parts: SQL[] = [];
  for (const family of FAMILIES)
    GRAINS.forEach((grain, i) => {
      const name = sql.raw(`${family.short}_${grain.time}`);
      parts.push(sql`${name} as (${addRows(family.tables[i], family.key, grain.time, family.owners, grainRows(minutes, family.keyOf, grain.stepMs))})`);
    });
  await db.execute(sql`with ${sql.join(parts, sql`, `)} select (select count(*) from c_minute)::int as n`);
}
