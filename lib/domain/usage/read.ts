import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { UsageStep } from "./ranges";

/** Who a usage row counts: one contract, or one API version (the sum of its contracts). */
export type UsageFamily = "contract" | "apiVersion";

/**
 * The usage tables by family and grain. Every grain is complete (the gateway adds each batch to
 * all three), so a range reads the one table of its step.
 */
export const USAGE_TABLES: Record<UsageFamily, { key: string; tables: Record<UsageStep, string> }> = {
  contract: { key: "contract_id", tables: { minute: "contract_usage", hour: "contract_usage_hourly", day: "contract_usage_daily" } },
  apiVersion: { key: "api_version_id", tables: { minute: "api_version_usage", hour: "api_version_usage_hourly", day: "api_version_usage_daily" } },
};

/** What a reading covers: the rows of one family whose key is in a subquery. */
export interface UsageScope {
  family: UsageFamily;
  keys: SQL;
}

export const scopeOfContract = (contractId: string): UsageScope => ({ family: "contract", keys: sql`select ${contractId}::uuid` });
export const scopeOfClientVersion = (clientVersionId: string): UsageScope => ({
  family: "contract",
  keys: sql`select id from contracts where client_version_id = ${clientVersionId}::uuid`,
});
export const scopeOfApiVersion = (apiVersionId: string): UsageScope => ({ family: "apiVersion", keys: sql`select ${apiVersionId}::uuid` });
/** The contracts of an API version, for what only the per-contract rows can tell (its busiest clients). */
export const scopeOfApiVersionContracts = (apiVersionId: string): UsageScope => ({
  family: "contract",
  keys: sql`select id from contracts where api_version_id = ${apiVersionId}::uuid`,
});
export const scopeOfOrganizationApis = (orgId: string): UsageScope => ({
  family: "apiVersion",
  keys: sql`select av.id from api_versions av join apis a on a.id = av.api_id where a.org_id = ${orgId}::uuid`,
});

/**
 * The rows of the scope in [from, to) from the table of `step`, as one relation `u` (key, at,
 * counters, latency_buckets, refusals). `from` and `to` must lie on `step` boundaries.
 */
export function usageRows(scope: UsageScope, step: UsageStep, from: Date, to: Date): SQL {
  const { key, tables } = USAGE_TABLES[scope.family];
  const time = sql.raw(step);
  return sql`with u as (
    select ${sql.raw(key)} as key, ${time} as at, requests, status_2xx, status_3xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals
    from ${sql.raw(tables[step])}
    where ${sql.raw(key)} in (${scope.keys}) and ${time} >= ${from.toISOString()}::timestamptz and ${time} < ${to.toISOString()}::timestamptz)`;
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

/** Counters per point start (epoch ms): the rows of the range's step, one point per row time. */
export function countsByPoint(scope: UsageScope, step: UsageStep, from: Date, to: Date) {
  return sql`${usageRows(scope, step, from, to)}
    select (extract(epoch from at) * 1000)::float8 as t, ${COUNTER_SUMS}
    from u group by at order by at`;
}

/** The merged latency histogram of the rows: bucket index (1-based) and count. */
export function histogramOf(scope: UsageScope, step: UsageStep, from: Date, to: Date) {
  return sql`${usageRows(scope, step, from, to)}
    select b.i::int as i, sum(b.v)::float8 as n from u, unnest(u.latency_buckets) with ordinality as b(v, i) group by b.i order by b.i`;
}

/** Refusals by problem code over the rows. */
export function refusalsOf(scope: UsageScope, step: UsageStep, from: Date, to: Date) {
  return sql`${usageRows(scope, step, from, to)}
    select e.k as code, sum(e.v::float8)::float8 as n from u, jsonb_each_text(u.refusals) as e(k, v) group by e.k`;
}
