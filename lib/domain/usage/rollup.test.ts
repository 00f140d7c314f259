import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { contractUsage, contractUsageDaily, contractUsageHourly } from "@/db/schema";
import { openTestDb } from "../test-fixtures";
import { getContractUsage } from "./queries";
import { rollUpUsage } from "./rollup";
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

const tableRows = async (contractId: string) => ({
  minutes: await db.select().from(contractUsage).where(eq(contractUsage.contractId, contractId)).orderBy(asc(contractUsage.minute)),
  hours: await db.select().from(contractUsageHourly).where(eq(contractUsageHourly.contractId, contractId)).orderBy(asc(contractUsageHourly.hour)),
  days: await db.select().from(contractUsageDaily).where(eq(contractUsageDaily.contractId, contractId)).orderBy(asc(contractUsageDaily.day)),
});

describe("rollUpUsage", () => {
  it("moves old minutes to hours and old hours to days, keeping every count once", async () => {
    const c = scene.contracts.consumerA;
    await addUsage(db, "minute", c, ago(1 * HOUR), { requests: 1 });
    await addUsage(db, "minute", c, ago(47 * HOUR), { requests: 2 });
    // Two minutes of one hour, 50 hours back, with histograms and refusals, and that hour already partly rolled up.
    await addUsage(db, "minute", c, "2026-03-13T10:05:00Z", { requests: 4, buckets: { 0: 3, 13: 1 }, refusals: { rate_limited: 1 } });
    await addUsage(db, "minute", c, "2026-03-13T10:40:00Z", { requests: 8, buckets: { 0: 2, 5: 6 }, refusals: { rate_limited: 2, quota_exceeded: 1 } });
    await addUsage(db, "hour", c, "2026-03-13T10:00:00Z", { requests: 16, buckets: { 1: 16 }, refusals: { quota_exceeded: 4 } });
    await addUsage(db, "hour", c, "2026-01-14T08:00:00Z", { requests: 32 });
    await addUsage(db, "day", c, "2025-12-01T00:00:00Z", { requests: 64 });
    // Written late by a gateway that could not reach the database: already past both cutoffs.
    await addUsage(db, "minute", c, "2025-12-01T13:07:00Z", { requests: 128 });
    const all = { contractId: c, from: "2025-11-20T00:00:00Z", to: now.toISOString() };
    const recent = { contractId: c, from: ago(72 * HOUR).toISOString(), to: now.toISOString() };
    const before = await getContractUsage(db, scene.consumer, all, now);
    const recentBefore = await getContractUsage(db, scene.consumer, recent, now);
    expect(before.totals.requests).toBe(255);
    expect(recentBefore.totals.requests).toBe(31);

    const first = await rollUpUsage(db, now, DEFAULT_USAGE_RETENTION);
    expect(first).toEqual({ minutesMoved: 3, hoursWritten: 2, hoursMoved: 1, daysWritten: 1, complete: true });
    const second = await rollUpUsage(db, now, DEFAULT_USAGE_RETENTION);
    expect(second).toEqual({ minutesMoved: 0, hoursWritten: 0, hoursMoved: 0, daysWritten: 0, complete: true });

    const rows = await tableRows(c);
    expect(rows.minutes.map((r) => r.requests)).toEqual([2, 1]);
    expect(rows.hours.map((r) => [r.hour.toISOString(), r.requests])).toEqual([
      ["2026-01-14T08:00:00.000Z", 32],
      ["2026-03-13T10:00:00.000Z", 28],
    ]);
    const hour = rows.hours[1];
    expect(hour.latencyBuckets).toEqual([5, 16, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(hour.refusals).toEqual({ rate_limited: 3, quota_exceeded: 5 });
    expect(hour.status4xx).toBe(8);
    expect(rows.days.map((r) => [r.day.toISOString(), r.requests])).toEqual([["2025-12-01T00:00:00.000Z", 192]]);

    const after = await getContractUsage(db, scene.consumer, all, now);
    const recentAfter = await getContractUsage(db, scene.consumer, recent, now);
    expect(after.totals).toEqual(before.totals);
    expect(after.latency).toEqual(before.latency);
    expect(after.refusals).toEqual(before.refusals);
    // The range straddles the minute/hour boundary: the same points before and after the rollup.
    expect(recentAfter.range.step).toBe("hour");
    expect(recentAfter.points).toEqual(recentBefore.points);
    expect(recentAfter.points.find((p) => p.at.toISOString() === "2026-03-13T10:00:00.000Z")).toMatchObject({ requests: 28, refused: 8 });
  });

  it("never touches the current hour, works in bounded batches and says when it stopped early", async () => {
    const c = scene.contracts.otherA;
    const settings = { minuteHours: 1, hourDays: 90 };
    await addUsage(db, "minute", c, "2026-03-15T12:05:00Z", { requests: 1 });
    await addUsage(db, "minute", c, "2026-03-15T11:10:00Z", { requests: 1 });
    for (let m = 0; m < 5; m++) await addUsage(db, "minute", c, `2026-03-15T10:0${m}:00Z`, { requests: 1 });

    const early = await rollUpUsage(db, now, settings, { batchSize: 2, maxBatches: 1 });
    expect(early).toMatchObject({ minutesMoved: 2, complete: false });
    const rest = await rollUpUsage(db, now, settings, { batchSize: 2 });
    expect(rest.complete).toBe(true);
    // Five minutes of this contract, and the 47-hour-old minute of the first test, now past a 1-hour cutoff.
    expect(early.minutesMoved + rest.minutesMoved).toBe(6);
    const rows = await tableRows(c);
    expect(rows.minutes.map((r) => r.minute.toISOString())).toEqual(["2026-03-15T11:10:00.000Z", "2026-03-15T12:05:00.000Z"]);
    expect(rows.hours.map((r) => [r.hour.toISOString(), r.requests])).toEqual([["2026-03-15T10:00:00.000Z", 5]]);
  });

  it("loses nothing when two runs meet", async () => {
    const c = scene.contracts.consumerB;
    for (let m = 0; m < 20; m++) await addUsage(db, "minute", c, new Date(Date.UTC(2026, 2, 10, 6, m)), { requests: 1, buckets: { 2: 1 }, refusals: { rate_limited: 1 } });
    await Promise.all([rollUpUsage(db, now, DEFAULT_USAGE_RETENTION, { batchSize: 3 }), rollUpUsage(db, now, DEFAULT_USAGE_RETENTION, { batchSize: 3 })]);
    const rows = await tableRows(c);
    expect(rows.minutes).toEqual([]);
    expect(rows.hours).toHaveLength(1);
    expect(rows.hours[0]).toMatchObject({ requests: 20, refusals: { rate_limited: 20 } });
    expect(rows.hours[0].latencyBuckets[2]).toBe(20);
  });
});
