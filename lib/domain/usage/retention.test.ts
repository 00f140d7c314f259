import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { apiVersionUsage, apiVersionUsageDaily, apiVersionUsageHourly, contractUsage, contractUsageDaily, contractUsageHourly } from "@/db/schema";
import { openTestDb } from "../test-fixtures";
import { getApiVersionUsage, getContractUsage } from "./queries";
import { applyUsageRetention } from "./retention";
import { DEFAULT_USAGE_RETENTION } from "./settings";
import { addUsage, makeUsageScene } from "./test-support";

let open: OpenDatabase;
let db: Db;
let scene: Awaited<ReturnType<typeof makeUsageScene>>;
const now = new Date("2026-03-15T12:34:56Z");
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Math.floor((now.getTime() - ms) / 60_000) * 60_000);

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  scene = await makeUsageScene(db);
});
afterAll(() => open.close());

const times = (rows: { at: Date; requests: number }[]) => rows.map((r) => [r.at.toISOString(), r.requests]);

const contractRows = async (contractId: string) => ({
  minutes: times(await db.select({ at: contractUsage.minute, requests: contractUsage.requests }).from(contractUsage).where(eq(contractUsage.contractId, contractId)).orderBy(asc(contractUsage.minute))),
  hours: times(
    await db
      .select({ at: contractUsageHourly.hour, requests: contractUsageHourly.requests })
      .from(contractUsageHourly)
      .where(eq(contractUsageHourly.contractId, contractId))
      .orderBy(asc(contractUsageHourly.hour)),
  ),
  days: times(
    await db.select({ at: contractUsageDaily.day, requests: contractUsageDaily.requests }).from(contractUsageDaily).where(eq(contractUsageDaily.contractId, contractId)).orderBy(asc(contractUsageDaily.day)),
  ),
});

const apiVersionRows = async (apiVersionId: string) => ({
  minutes: times(
    await db
      .select({ at: apiVersionUsage.minute, requests: apiVersionUsage.requests })
      .from(apiVersionUsage)
      .where(eq(apiVersionUsage.apiVersionId, apiVersionId))
      .orderBy(asc(apiVersionUsage.minute)),
  ),
  hours: times(
    await db
      .select({ at: apiVersionUsageHourly.hour, requests: apiVersionUsageHourly.requests })
      .from(apiVersionUsageHourly)
      .where(eq(apiVersionUsageHourly.apiVersionId, apiVersionId))
      .orderBy(asc(apiVersionUsageHourly.hour)),
  ),
  days: times(
    await db
      .select({ at: apiVersionUsageDaily.day, requests: apiVersionUsageDaily.requests })
      .from(apiVersionUsageDaily)
      .where(eq(apiVersionUsageDaily.apiVersionId, apiVersionId))
      .orderBy(asc(apiVersionUsageDaily.day)),
  ),
});

describe("applyUsageRetention", () => {
  it("deletes minute rows past 48 hours and hourly rows past 90 days, of contracts and API versions, and keeps every day", async () => {
    const c = scene.contracts.consumerB;
    const apiVersionId = scene.apiB.apiVersionId;
    await addUsage(db, c, ago(1 * HOUR), { requests: 1 });
    await addUsage(db, c, ago(47 * HOUR), { requests: 2 });
    await addUsage(db, c, "2026-03-13T10:05:00Z", { requests: 4, buckets: { 0: 3, 13: 1 }, refusals: { rate_limited: 1 } });
    await addUsage(db, c, "2026-03-13T10:40:00Z", { requests: 8, buckets: { 0: 2, 5: 6 }, refusals: { rate_limited: 2, quota_exceeded: 1 } });
    await addUsage(db, c, "2025-12-01T13:07:00Z", { requests: 16 });
    const recent = { from: ago(72 * HOUR).toISOString(), to: now.toISOString() };
    const all = { from: "2025-11-20T00:00:00Z", to: now.toISOString() };
    const before = await getContractUsage(db, scene.consumer, { contractId: c, ...recent }, now);
    const apiBefore = await getApiVersionUsage(db, scene.provider, { apiVersionId, ...recent }, now);
    const allBefore = await getContractUsage(db, scene.consumer, { contractId: c, ...all }, now);

    const first = await applyUsageRetention(db, now, DEFAULT_USAGE_RETENTION);
    // Per family: the two minutes of 2026-03-13 10:00 and the one of 2025-12-01; the hour of 2025-12-01.
    expect(first).toEqual({ minutesDeleted: 6, hoursDeleted: 2, complete: true });
    expect(await applyUsageRetention(db, now, DEFAULT_USAGE_RETENTION)).toEqual({ minutesDeleted: 0, hoursDeleted: 0, complete: true });

    for (const rows of [await contractRows(c), await apiVersionRows(apiVersionId)]) {
      expect(rows.minutes).toEqual([
        [ago(47 * HOUR).toISOString(), 2],
        [ago(1 * HOUR).toISOString(), 1],
      ]);
      expect(rows.hours.map(([, n]) => n)).toEqual([12, 2, 1]);
      expect(rows.days).toEqual([
        ["2025-12-01T00:00:00.000Z", 16],
        ["2026-03-13T00:00:00.000Z", 14],
        ["2026-03-15T00:00:00.000Z", 1],
      ]);
    }
    // What was deleted is still counted at the coarser grains the ranges read.
    const after = await getContractUsage(db, scene.consumer, { contractId: c, ...recent }, now);
    expect(after.range.step).toBe("hour");
    expect(after).toEqual(before);
    expect(await getApiVersionUsage(db, scene.provider, { apiVersionId, ...recent }, now)).toEqual(apiBefore);
    expect(await getContractUsage(db, scene.consumer, { contractId: c, ...all }, now)).toEqual(allBefore);
    expect(after.points.find((p) => p.at.toISOString() === "2026-03-13T10:00:00.000Z")).toMatchObject({ requests: 12, refused: 4 });
    expect(after.latency.sampled).toBe(12);
  });

  it("never touches the current hour, works in bounded batches and says when it stopped early", async () => {
    const c = scene.contracts.otherA;
    const settings = { minuteHours: 1, hourDays: 90 };
    await addUsage(db, c, "2026-03-15T12:05:00Z", { requests: 1 });
    await addUsage(db, c, "2026-03-15T11:10:00Z", { requests: 1 });
    for (let m = 0; m < 5; m++) await addUsage(db, c, `2026-03-15T10:0${m}:00Z`, { requests: 1 });

    const early = await applyUsageRetention(db, now, settings, { batchSize: 2, maxBatches: 1 });
    expect(early).toMatchObject({ minutesDeleted: 4, complete: false });
    const rest = await applyUsageRetention(db, now, settings, { batchSize: 2 });
    expect(rest.complete).toBe(true);
    // Five minutes of this contract and of its API version, and the 47-hour-old minute of the first test, twice.
    expect(early.minutesDeleted + rest.minutesDeleted).toBe(12);
    const rows = await contractRows(c);
    expect(rows.minutes).toEqual([
      ["2026-03-15T11:10:00.000Z", 1],
      ["2026-03-15T12:05:00.000Z", 1],
    ]);
    expect(rows.hours).toEqual([
      ["2026-03-15T10:00:00.000Z", 5],
      ["2026-03-15T11:00:00.000Z", 1],
      ["2026-03-15T12:00:00.000Z", 1],
    ]);
  });

  it("deletes each row once when two runs meet", async () => {
    const c = scene.contracts.consumerA;
    for (let m = 0; m < 20; m++) await addUsage(db, c, new Date(Date.UTC(2026, 2, 10, 6, m)), { requests: 1, buckets: { 2: 1 }, refusals: { rate_limited: 1 } });
    const runs = await Promise.all([applyUsageRetention(db, now, DEFAULT_USAGE_RETENTION, { batchSize: 3 }), applyUsageRetention(db, now, DEFAULT_USAGE_RETENTION, { batchSize: 3 })]);
    expect(runs[0].minutesDeleted + runs[1].minutesDeleted).toBe(40);
    const rows = await contractRows(c);
    expect(rows.minutes).toEqual([]);
    expect(rows.hours).toEqual([["2026-03-10T06:00:00.000Z", 20]]);
    const [hour] = await db.select().from(contractUsageHourly).where(eq(contractUsageHourly.contractId, c));
    expect(hour).toMatchObject({ refusals: { rate_limited: 20 } });
    expect(hour.latencyBuckets[2]).toBe(20);
  });
});
