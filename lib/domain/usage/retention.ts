import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { floorToStep, STEP_MS, type UsageStep } from "./ranges";
import { rowsOf, USAGE_TABLES, type UsageFamily } from "./read";
import { type UsageRetention, usageRetentionFromEnv } from "./settings";

export interface RetentionOptions {
  /** Rows deleted per statement. */
  batchSize?: number;
  /** Statements per table and run at most; the next run carries on. */
  maxBatches?: number;
}

export interface RetentionResult {
  /** Minute rows deleted, of contracts and API versions. */
  minutesDeleted: number;
  /** Hourly rows deleted, of contracts and API versions. */
  hoursDeleted: number;
  /** False when maxBatches stopped a table before it was done. */
  complete: boolean;
}

/** Where each family's keys come from: retention walks them to reach old rows through the primary key. */
const OWNERS: Record<UsageFamily, string> = { contract: "contracts", apiVersion: "api_versions" };

/**
 * Deletes one batch of rows of `table` older than `cutoff`. Rows are found owner by owner
 * through the (key, time) primary key: the tables have no index on time alone, and a scan of
 * every row for each batch would grow with the table. SKIP LOCKED lets two runs share the work
 * and keeps a run from waiting on the gateway's writes.
 */
async function deleteBatch(db: Db, family: UsageFamily, step: UsageStep, cutoff: Date, batchSize: number): Promise<number> {
  const { key, tables } = USAGE_TABLES[family];
  const [t, k, time] = [sql.raw(tables[step]), sql.raw(key), sql.raw(step)];
  const deleted = await rowsOf<{ n: number }>(
    db,
    sql`with gone as (
        delete from ${t} as r
        using (select old.${k}, old.${time} from ${sql.raw(OWNERS[family])} o
               cross join lateral (
                 select ${k}, ${time} from ${t} where ${k} = o.id and ${time} < ${cutoff.toISOString()}::timestamptz
                 order by ${time} limit ${batchSize} for update skip locked) as old
               limit ${batchSize}) as picked
        where r.${k} = picked.${k} and r.${time} = picked.${time}
        returning 1)
      select count(*)::int as n from gone`,
  );
  return deleted[0]?.n ?? 0;
}

async function deleteAll(db: Db, family: UsageFamily, step: UsageStep, cutoff: Date, options: Required<RetentionOptions>) {
  let deleted = 0;
  for (let batch = 0; batch < options.maxBatches; batch++) {
    const n = await deleteBatch(db, family, step, cutoff, options.batchSize);
    deleted += n;
    if (n < options.batchSize) return { deleted, complete: true };
  }
  return { deleted, complete: false };
}

/**
 * Deletes minute rows older than `minuteHours` and hourly rows older than `hourDays`, of contracts
 * and API versions; daily rows stay as long as their owner. Nothing is moved: the gateway wrote
 * every request to its hour and day when it wrote its minute, so what goes is already counted at
 * the coarser grains. The cutoffs fall on whole hours and UTC days, the bounds ranges.ts reads
 * finer grains from. Safe to run every few minutes, twice at once, or again with the same clock.
 */
export async function applyUsageRetention(
  db: Db,
  now = new Date(),
  settings: UsageRetention = usageRetentionFromEnv(),
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const opts = { batchSize: options.batchSize ?? 5000, maxBatches: options.maxBatches ?? 100 };
  const minuteCutoff = new Date(floorToStep(now.getTime() - settings.minuteHours * STEP_MS.hour, "hour"));
  const hourCutoff = new Date(floorToStep(now.getTime() - settings.hourDays * STEP_MS.day, "day"));
  const result: RetentionResult = { minutesDeleted: 0, hoursDeleted: 0, complete: true };
  for (const family of ["contract", "apiVersion"] as const) {
    const minutes = await deleteAll(db, family, "minute", minuteCutoff, opts);
    const hours = await deleteAll(db, family, "hour", hourCutoff, opts);
    result.minutesDeleted += minutes.deleted;
    result.hoursDeleted += hours.deleted;
    result.complete &&= minutes.complete && hours.complete;
  }
  return result;
}
