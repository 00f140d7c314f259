/**
 * Thirty days of gateway traffic on one API version, as the usage tables hold it once retention
 * has run: minute rows for the last 48 hours, hourly and daily rows for all 30 days, per contract
 * and for the API version (the gateway writes every grain at once; retention deletes minutes
 * after 48 hours and hours after 90 days). Seeded the way an installation upgraded from the rollup
 * reached it: minute rows for 48 hours and hourly rows for the 28 days before, then the
 * migration's backfill (db/migrations/0008_usage_every_grain.sql) adds each grain up into the
 * coarser ones and the contracts into their API version.
 *
 * A share of the API version's contracts calls it: each such contract in one minute of four
 * (staggered) and every hour, and one contract, the busiest, in every minute. The minutes go on
 * for AHEAD_MINUTES past the seeding, as traffic still coming in, so that a page's last hour holds
 * calls however long the benchmark runs.
 */
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

const MINUTES = 48 * 60;
export const AHEAD_MINUTES = 3 * 60;
const HOURS = 30 * 24 - 48;
/** Callers seeded per statement: keeps each insert to a few hundred thousand rows. */
const CALLERS_PER_BATCH = 200;

export interface UsageSeed {
  contracts: number;
  callers: number;
  /** Rows per contract: */
  minuteRows: number;
  hourlyRows: number;
  dailyRows: number;
  /** Rows of the API version at every grain. */
  apiVersionRows: number;
}

/** The statements of the migration that make every grain whole from the rollup's layout. */
function backfillStatements(): string[] {
  return readFileSync(new URL("../../db/migrations/0008_usage_every_grain.sql", import.meta.url), "utf8")
    .split("--> statement-breakpoint")
    .filter((statement) => /insert into/i.test(statement));
}

/**
 * Counters of `requests` calls: one in eight refused with 429 by the rate limit, now and then a
 * 5xx, latencies spread over the 5, 10 and 20 ms buckets. `requests` and `salt` are SQL integers.
 */
function counters(requests: ReturnType<typeof sql>, salt: ReturnType<typeof sql>) {
  return sql`${requests} as requests,
    ${requests} - ${requests} / 8 - (case when ${salt} % 97 = 0 then 1 else 0 end) as status_2xx,
    ${requests} / 8 as status_4xx,
    case when ${salt} % 97 = 0 then 1 else 0 end as status_5xx,
    ${requests} * (6 + ${salt} % 9) as latency_ms_sum,
    array[0, 0, ${requests} / 4, ${requests} / 2, ${requests} - ${requests} / 2 - ${requests} / 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]::integer[] as latency_buckets,
    case when ${requests} / 8 > 0 then jsonb_build_object('rate_limited', ${requests} / 8) else '{}'::jsonb end as refusals`;
}

export async function seedUsage(db: Db, options: { apiVersionId: string; busiestContractId: string; share: number }, onProgress: (done: number, of: number) => void): Promise<UsageSeed> {
  const contracts = Number(
    ((await db.execute(sql`select count(*) as n from contracts where api_version_id = ${options.apiVersionId}::uuid`)) as unknown as { rows: { n: string }[] }).rows[0].n,
  );
  const callers = Math.max(1, Math.round(contracts * options.share));
  const now = sql`date_trunc('minute', now())`;
  // The callers, numbered: the busiest is 0 and calls every minute; the others every fourth minute.
  const numbered = sql`(
    select ${options.busiestContractId}::uuid as id, 0 as n, 1 as every
    union all
    select id, n::int, 4 from (
      select id, row_number() over (order by created_at, id) as n from contracts
      where api_version_id = ${options.apiVersionId}::uuid and id <> ${options.busiestContractId}::uuid
    ) others where n < ${callers}::int
  ) a`;

  for (let from = 0; from < callers; from += CALLERS_PER_BATCH) {
    const batch = sql`a.n >= ${from}::int and a.n < ${from + CALLERS_PER_BATCH}::int`;
    await db.execute(sql`
      insert into contract_usage (contract_id, minute, requests, status_2xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
      select a.id, ${now} - m.k * interval '1 minute', ${counters(sql`(1 + (a.n * 7 + m.k * 13) % 20)`, sql`(a.n + m.k)`)}
      from ${numbered} cross join lateral (select k from generate_series(-${AHEAD_MINUTES}::int, ${MINUTES - 1}::int) k where (k + a.n) % a.every = 0) m
      where ${batch}`);
    // Hours before the minutes' first hour, as the rollup leaves them.
    await db.execute(sql`
      insert into contract_usage_hourly (contract_id, hour, requests, status_2xx, status_4xx, status_5xx, latency_ms_sum, latency_buckets, refusals)
      select a.id, date_trunc('hour', ${now} - ${MINUTES - 1}::int * interval '1 minute') - h.k * interval '1 hour',
        ${counters(sql`((60 / a.every) * (1 + (a.n * 7 + h.k * 13) % 20))`, sql`(a.n + h.k)`)}
      from ${numbered} cross join generate_series(1, ${HOURS}::int) h(k)
      where ${batch}`);
    onProgress(Math.min(callers, from + CALLERS_PER_BATCH), callers);
  }
  for (const statement of backfillStatements()) await db.execute(sql.raw(statement));
  const count = async (table: string) => Number(((await db.execute(sql`select count(*) as n from ${sql.raw(table)}`)) as unknown as { rows: { n: string }[] }).rows[0].n);
  return {
    contracts,
    callers,
    minuteRows: await count("contract_usage"),
    hourlyRows: await count("contract_usage_hourly"),
    dailyRows: await count("contract_usage_daily"),
    apiVersionRows: (await count("api_version_usage")) + (await count("api_version_usage_hourly")) + (await count("api_version_usage_daily")),
  };
}
