import { readFileSync } from "node:fs";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { apiVersionUsage, apiVersionUsageDaily, apiVersionUsageHourly, contractUsage, contractUsageDaily, contractUsageHourly } from "@/db/schema";
import { openTestDb } from "../test-fixtures";
import { getApiVersionUsage, getContractUsage } from "./queries";
import { addUsage, makeUsageScene } from "./test-support";
import { addUsageMinutes, emptyCounts, type UsageMinute } from "./write";

let open: OpenDatabase;
let db: Db;
let scene: Awaited<ReturnType<typeof makeUsageScene>>;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  scene = await makeUsageScene(db);
});
afterAll(() => open.close());

const TABLES = {
  contract: [
    [contractUsage, contractUsage.contractId, contractUsage.minute],
    [contractUsageHourly, contractUsageHourly.contractId, contractUsageHourly.hour],
    [contractUsageDaily, contractUsageDaily.contractId, contractUsageDaily.day],
  ],
  apiVersion: [
    [apiVersionUsage, apiVersionUsage.apiVersionId, apiVersionUsage.minute],
    [apiVersionUsageHourly, apiVersionUsageHourly.apiVersionId, apiVersionUsageHourly.hour],
    [apiVersionUsageDaily, apiVersionUsageDaily.apiVersionId, apiVersionUsageDaily.day],
  ],
} as const;

/** Every row of a contract or API version at each grain: time, requests, 4xx, histogram and refusals. */
async function grains(family: keyof typeof TABLES, id: string) {
  return Promise.all(
    TABLES[family].map(async ([table, key, time]) =>
      (await db.select().from(table).where(eq(key, id)).orderBy(asc(time))).map((r) => {
        const at = "minute" in r ? r.minute : "hour" in r ? r.hour : r.day;
        return [at.toISOString(), r.requests, r.status4xx, r.latencyBuckets, r.refusals];
      }),
    ),
  );
}

const minute = (contractId: string, apiVersionId: string, at: string, requests: number, bucket: number, refusal?: string): UsageMinute => {
  const c = { ...emptyCounts(), contractId, apiVersionId, minute: new Date(at).getTime() };
  c.requests = requests;
  c.s2xx = refusal ? requests - 1 : requests;
  c.s4xx = refusal ? 1 : 0;
  c.latencyMsSum = requests * 3;
  c.buckets[bucket] = requests;
  if (refusal) c.refusals = { [refusal]: 1 };
  return c;
};

const histogram = (counts: Record<number, number>) => Array.from({ length: 14 }, (_, i) => counts[i] ?? 0);

describe("addUsageMinutes", () => {
  it("adds a batch to the minute, hour and day rows of each contract and of its API version", async () => {
    const { consumerA, otherA } = scene.contracts;
    const api = scene.apiA.apiVersionId;
    await addUsageMinutes(db, [
      minute(consumerA, api, "2026-04-01T23:58:00Z", 2, 1),
      minute(consumerA, api, "2026-04-01T23:59:00Z", 3, 2, "rate_limited"),
      minute(consumerA, api, "2026-04-02T00:00:00Z", 4, 1),
      minute(otherA, api, "2026-04-01T23:59:00Z", 5, 2, "quota_exceeded"),
    ]);
    expect(await grains("contract", consumerA)).toEqual([
      [
        ["2026-04-01T23:58:00.000Z", 2, 0, histogram({ 1: 2 }), {}],
        ["2026-04-01T23:59:00.000Z", 3, 1, histogram({ 2: 3 }), { rate_limited: 1 }],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
      [
        ["2026-04-01T23:00:00.000Z", 5, 1, histogram({ 1: 2, 2: 3 }), { rate_limited: 1 }],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
      [
        ["2026-04-01T00:00:00.000Z", 5, 1, histogram({ 1: 2, 2: 3 }), { rate_limited: 1 }],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
    ]);
    expect((await grains("contract", otherA)).map((rows) => rows.map((r) => r[1]))).toEqual([[5], [5], [5]]);
    const both = { rate_limited: 1, quota_exceeded: 1 };
    expect(await grains("apiVersion", api)).toEqual([
      [
        ["2026-04-01T23:58:00.000Z", 2, 0, histogram({ 1: 2 }), {}],
        ["2026-04-01T23:59:00.000Z", 8, 2, histogram({ 2: 8 }), both],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
      [
        ["2026-04-01T23:00:00.000Z", 10, 2, histogram({ 1: 2, 2: 8 }), both],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
      [
        ["2026-04-01T00:00:00.000Z", 10, 2, histogram({ 1: 2, 2: 8 }), both],
        ["2026-04-02T00:00:00.000Z", 4, 0, histogram({ 1: 4 }), {}],
      ],
    ]);
  });

  it("adds two writers' batches up at every grain, even when they write at once", async () => {
    const { consumerB } = scene.contracts;
    const api = scene.apiB.apiVersionId;
    const batch = (n: number) => [minute(consumerB, api, "2026-04-03T10:00:00Z", n, 3, "rate_limited"), minute(consumerB, api, "2026-04-03T10:01:00Z", n, 4)];
    await Promise.all([addUsageMinutes(db, batch(1)), addUsageMinutes(db, batch(10)), addUsageMinutes(db, batch(100))]);
    for (const rows of [await grains("contract", consumerB), await grains("apiVersion", api)]) {
      expect(rows[0].map((r) => [r[1], r[4]])).toEqual([
        [111, { rate_limited: 3 }],
        [111, {}],
      ]);
      expect(rows[1]).toEqual([["2026-04-03T10:00:00.000Z", 222, 3, histogram({ 3: 111, 4: 111 }), { rate_limited: 3 }]]);
      expect(rows[2]).toEqual([["2026-04-03T00:00:00.000Z", 222, 3, histogram({ 3: 111, 4: 111 }), { rate_limited: 3 }]]);
    }
  });

  it("skips the rows of a contract deleted since, and writes the rest", async () => {
    const api = scene.apiB.apiVersionId;
    await addUsageMinutes(db, [minute("00000000-0000-4000-8000-000000000000", api, "2026-04-04T10:00:00Z", 7, 1), minute(scene.contracts.consumerB, api, "2026-04-04T10:00:00Z", 1, 1)]);
    const [rows] = await grains("contract", scene.contracts.consumerB);
    expect(rows.at(-1)?.slice(0, 2)).toEqual(["2026-04-04T10:00:00.000Z", 1]);
    // The API version counted every request it answered.
    const [apiRows] = await grains("apiVersion", api);
    expect(apiRows.at(-1)?.slice(0, 2)).toEqual(["2026-04-04T10:00:00.000Z", 8]);
  });
});

describe("reading a range from one grain", () => {
  it("gives the same totals from hourly and daily rows as the minutes add up to", async () => {
    const now = new Date("2026-05-10T12:30:00Z");
    const { otherA } = scene.contracts;
    let sum = 0;
    for (let m = 0; m < 36 * 60; m += 37) {
      const at = new Date(now.getTime() - (m + 1) * 60_000);
      const requests = 1 + (m % 7);
      sum += requests;
      await addUsage(db, otherA, at, { requests, buckets: { [m % 14]: requests }, refusals: m % 3 === 0 ? { rate_limited: 1 } : undefined });
    }
    const byMinute = await getContractUsage(db, scene.other, { contractId: otherA, from: "2026-05-10T10:00:00Z", to: now.toISOString() }, now);
    expect(byMinute.range.step).toBe("minute");
    const byHour = await getContractUsage(db, scene.other, { contractId: otherA, from: "2026-05-09T00:30:00Z", to: now.toISOString() }, now);
    expect(byHour.range.step).toBe("hour");
    const byDay = await getContractUsage(db, scene.other, { contractId: otherA, from: "2026-05-01T00:00:00Z", to: "2026-05-11T00:00:00Z" }, now);
    expect(byDay.range.step).toBe("day");
    const minutes = await db.select().from(contractUsage).where(eq(contractUsage.contractId, otherA));
    const inMay = minutes.filter((r) => r.minute >= new Date("2026-05-01T00:00:00Z"));
    expect(inMay.reduce((n, r) => n + r.requests, 0)).toBe(sum);
    for (const report of [byHour, byDay]) {
      expect(report.totals.requests).toBe(sum);
      expect(report.totals.refused).toBe(inMay.reduce((n, r) => n + (r.refusals.rate_limited ?? 0), 0));
      expect(report.latency.sampled).toBe(sum);
    }
    // Each hour's point is the sum of its minutes.
    const lastHours = byMinute.points.reduce((n, p) => n + p.requests, 0);
    expect(byHour.points.filter((p) => p.at >= new Date("2026-05-10T10:00:00Z")).reduce((n, p) => n + p.requests, 0)).toBe(lastHours);
    const api = await getApiVersionUsage(db, scene.provider, { apiVersionId: scene.apiA.apiVersionId, from: "2026-05-01T00:00:00Z", to: "2026-05-11T00:00:00Z" }, now);
    expect(api.totals.requests).toBe(sum);
    expect(api.topClients.map((c) => [c.clientVersionId, c.requests])).toEqual([[scene.cv2.clientVersionId, sum]]);
  });
});

describe("the migration to complete grains", () => {
  it("adds the minutes to hours and everything to days, and the contracts' rows to their API versions'", async () => {
    const backfill = readFileSync(new URL("../../../db/migrations/0008_usage_every_grain.sql", import.meta.url), "utf8")
      .split("--> statement-breakpoint")
      .filter((statement) => /insert into/i.test(statement));
    expect(backfill).toHaveLength(5);
    const { consumerA, consumerB, otherA } = scene.contracts;
    const ids = sql`(${consumerA}::uuid, ${consumerB}::uuid, ${otherA}::uuid)`;
    for (const table of ["contract_usage", "contract_usage_hourly", "contract_usage_daily"]) await db.execute(sql`delete from ${sql.raw(table)} where contract_id in ${ids}`);
    for (const table of ["api_version_usage", "api_version_usage_hourly", "api_version_usage_daily"]) await db.execute(sql`delete from ${sql.raw(table)}`);
    // As the rollup left them: each request in one table only, a late minute in an hour already rolled up.
    await db.execute(sql`
      insert into contract_usage (contract_id, minute, requests, status_4xx, latency_buckets, refusals) values
        (${consumerA}::uuid, '2026-06-10T10:05:00Z', 3, 1, '{1,2}', '{"rate_limited": 1}'),
        (${consumerA}::uuid, '2026-06-10T10:06:00Z', 4, 0, '{0,4}', '{}'),
        (${otherA}::uuid, '2026-06-10T10:06:00Z', 5, 2, '{}', '{"rate_limited": 1, "quota_exceeded": 1}'),
        (${consumerA}::uuid, '2026-06-08T07:00:00Z', 6, 0, '{6}', '{}')`);
    await db.execute(sql`
      insert into contract_usage_hourly (contract_id, hour, requests, status_4xx, latency_buckets, refusals) values
        (${consumerA}::uuid, '2026-06-08T07:00:00Z', 10, 1, '{10}', '{"quota_exceeded": 1}'),
        (${consumerA}::uuid, '2026-06-08T09:00:00Z', 20, 0, '{20}', '{}'),
        (${consumerB}::uuid, '2026-06-08T09:00:00Z', 30, 0, '{}', '{}')`);
    await db.execute(sql`
      insert into contract_usage_daily (contract_id, day, requests, status_4xx, latency_buckets, refusals) values
        (${consumerA}::uuid, '2026-01-01T00:00:00Z', 100, 0, '{100}', '{}')`);
    for (const statement of backfill) await db.execute(sql.raw(statement));

    expect(await grains("contract", consumerA)).toEqual([
      [
        ["2026-06-08T07:00:00.000Z", 6, 0, [6], {}],
        ["2026-06-10T10:05:00.000Z", 3, 1, [1, 2], { rate_limited: 1 }],
        ["2026-06-10T10:06:00.000Z", 4, 0, [0, 4], {}],
      ],
      [
        ["2026-06-08T07:00:00.000Z", 16, 1, [16], { quota_exceeded: 1 }],
        ["2026-06-08T09:00:00.000Z", 20, 0, [20], {}],
        ["2026-06-10T10:00:00.000Z", 7, 1, [1, 6], { rate_limited: 1 }],
      ],
      [
        ["2026-01-01T00:00:00.000Z", 100, 0, [100], {}],
        ["2026-06-08T00:00:00.000Z", 36, 1, [36], { quota_exceeded: 1 }],
        ["2026-06-10T00:00:00.000Z", 7, 1, [1, 6], { rate_limited: 1 }],
      ],
    ]);
    const a = await grains("apiVersion", scene.apiA.apiVersionId);
    expect(a[0].map((r) => r.slice(0, 2))).toEqual([
      ["2026-06-08T07:00:00.000Z", 6],
      ["2026-06-10T10:05:00.000Z", 3],
      ["2026-06-10T10:06:00.000Z", 9],
    ]);
    expect(a[1]).toEqual([
      ["2026-06-08T07:00:00.000Z", 16, 1, [16], { quota_exceeded: 1 }],
      ["2026-06-08T09:00:00.000Z", 20, 0, [20], {}],
      ["2026-06-10T10:00:00.000Z", 12, 3, [1, 6], { rate_limited: 2, quota_exceeded: 1 }],
    ]);
    expect(a[2].map((r) => r.slice(0, 2))).toEqual([
      ["2026-01-01T00:00:00.000Z", 100],
      ["2026-06-08T00:00:00.000Z", 36],
      ["2026-06-10T00:00:00.000Z", 12],
    ]);
    expect((await grains("apiVersion", scene.apiB.apiVersionId)).map((rows) => rows.map((r) => r.slice(0, 2)))).toEqual([
      [],
      [["2026-06-08T09:00:00.000Z", 30]],
      [["2026-06-08T00:00:00.000Z", 30]],
    ]);
  });
});
