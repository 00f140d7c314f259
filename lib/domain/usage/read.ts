import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";

/** The usage tables, finest first; each row lives in exactly one of them (the rollup moves, never copies). */
export const USAGE_TABLES = [
  { table: "contract_usage", time: "minute" },
  { table: "contract_usage_hourly", time: "hour" },
  { table: "contract_usage_daily", time: "day" },
] as const;

/** Which contracts a reading covers: a subquery answering contract ids. */
export type ContractScope = SQL;

export const scopeOfContract = (contractId: string): ContractScope => sql`select ${contractId}::uuid`;
export const scopeOfClientVersion = (clientVersionId: string): ContractScope =>
  sql`select id from contracts where client_version_id = ${clientVersionId}::uuid`;
export const scopeOfApiVersion = (apiVersionId: string): ContractScope => sql`select id from contracts where api_version_id = ${apiVersionId}::uuid`;
export const scopeOfOrganizationApis = (orgId: string): ContractScope =>
  sql`select k.id from contracts k join api_versions av on av.id = k.api_version_id join apis a on a.id = av.api_id where a.org_id = ${orgId}::uuid`;

/**
 * The rows of every grain within [from, to), as one relation `u` (contract_id, at, counters,
 * latency_buckets, refusals, refused). Reading all three grains is what keeps a range that
 * straddles a rollup boundary whole: a row is in one table only, so it is counted exactly once.
 */
export function usageRows(scope: ContractScope, from: Date, to: Date): SQL {
  const parts = USAGE_TABLES.map(
    ({ table, time }) => sql`
      select contract_id, ${sql.raw(time)} as at, requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals
      from ${sql.raw(table)}
      where contract_id in (${scope}) and ${sql.raw(time)} >= ${from.toISOString()}::timestamptz and ${sql.raw(time)} < ${to.toISOString()}::timestamptz`,
  );
  return sql`with u as (${sql.join(parts, sql` union all `)})`;
}

export async function rowsOf<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Counters summed over a set of rows; `refused` is also inside status4xx. */
export interface RawCounts {
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  latency: number;
  refused: number;
}

/** Sums of the counters; float8 so both drivers answer plain numbers. */
export const COUNTER_SUMS = sql.raw(`
  coalesce(sum(requests), 0)::float8 as requests,
  coalesce(sum(status_2xx), 0)::float8 as s2xx,
  coalesce(sum(status_3xx), 0)::float8 as s3xx,
  coalesce(sum(status_4xx), 0)::float8 as s4xx,
  coalesce(sum(status_5xx), 0)::float8 as s5xx,
  coalesce(sum(latency_ms_sum), 0)::float8 as latency,
  coalesce(sum((select sum(v::float8) from jsonb_each_text(refusals) as e(k, v))), 0)::float8 as refused`);

/** Counters per point start (epoch ms), for points `stepMs` apart from the epoch (UTC days included). */
export function countsByPoint(scope: ContractScope, from: Date, to: Date, stepMs: number) {
  const stepSeconds = stepMs / 1000;
  return sql`${usageRows(scope, from, to)}
    select (floor(extract(epoch from at) / ${stepSeconds}::float8) * ${stepSeconds}::float8 * 1000)::float8 as t, ${COUNTER_SUMS}
    from u group by 1 order by 1`;
}

/** The merged latency histogram of the rows: bucket index (1-based) and count. */
export function histogramOf(scope: ContractScope, from: Date, to: Date) {
  return sql`${usageRows(scope, from, to)}
    select b.i::int as i, sum(b.v)::float8 as n from u, unnest(u.latency_buckets) with ordinality as b(v, i) group by b.i order by b.i`;
}

/** Refusals by problem code over the rows. */
export function refusalsOf(scope: ContractScope, from: Date, to: Date) {
  return sql`${usageRows(scope, from, to)}
    select e.k as code, sum(e.v::float8)::float8 as n from u, jsonb_each_text(u.refusals) as e(k, v) group by e.k`;
}
