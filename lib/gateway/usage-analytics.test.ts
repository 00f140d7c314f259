import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiVersionUsage, apiVersionUsageDaily, contractUsage, contractUsageDaily, contractUsageHourly, LATENCY_BUCKETS_MS } from "@/db/schema";
import { LATENCY_BUCKET_COUNT, latencyBucket } from "./latency-buckets";
import { type RunningGateway, startGateway } from "./server";
import { UsageRecorder } from "./usage";
import { call, openScene, type Scene, silentLogger } from "./test-support";

let scene: Scene;

beforeAll(async () => {
  scene = await openScene();
});
afterAll(() => scene.close());

/** Waits for the next minute when fewer than `marginMs` are left of this one: the requests then share one usage row. */
async function withinOneMinute(marginMs = 5_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** The contract's usage rows, once every request is counted (a request is counted when its exchange closes). */
async function usageOf(contractId: string, requests: number, gateways: RunningGateway[] = [scene.gateway]) {
  for (let attempt = 0; ; attempt++) {
    for (const g of gateways) await g.flushUsage();
    const rows = await scene.db.select().from(contractUsage).where(eq(contractUsage.contractId, contractId));
    if (rows.reduce((n, r) => n + r.requests, 0) >= requests || attempt > 50) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const get = (url: string, key: string) => call(url, { headers: { "x-api-key": key } });

describe("latency buckets", () => {
  it("put a latency in the first bucket whose bound it does not exceed, and anything slower in the overflow bucket", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.01)).toBe(1);
    expect(latencyBucket(50)).toBe(LATENCY_BUCKETS_MS.indexOf(50));
    expect(latencyBucket(10_000)).toBe(LATENCY_BUCKETS_MS.length - 1);
    expect(latencyBucket(10_001)).toBe(LATENCY_BUCKETS_MS.length);
  });
});

describe("usage per contract and minute", () => {
  it("writes a latency histogram and the refusals by code: a request refused by the rate limit counts under rate_limited", async () => {
    const api = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 2, period: "hour" }] });
    const c = await scene.makeClientWithContract(api);
    await withinOneMinute();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(`${scene.base}${api.path}/x`, c.apiKey)).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);

    const rows = await usageOf(c.contractId, 5);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ requests: 5, status2xx: 2, status4xx: 3, refusals: { rate_limited: 3 } });
    expect(row.minute.getTime() % 60_000).toBe(0);
    expect(row.latencyBuckets).toHaveLength(LATENCY_BUCKET_COUNT);
    expect(row.latencyBuckets.reduce((n, b) => n + b, 0)).toBe(5);
    // A local backend answers well within 2 s.
    expect(row.latencyBuckets.slice(LATENCY_BUCKETS_MS.indexOf(2000) + 1).every((b) => b === 0)).toBe(true);
  });

  it("counts the requests of a contract awaiting approval under contract_pending, and no refusal for answered ones", async () => {
    const api = await scene.makeApi({ requiresApproval: true });
    const c = await scene.makeClientWithContract(api);
    await withinOneMinute();
    expect((await get(`${scene.base}${api.path}/x`, c.apiKey)).status).toBe(403);
    const [row] = await usageOf(c.contractId, 1);
    expect(row).toMatchObject({ requests: 1, status4xx: 1, refusals: { contract_pending: 1 } });

    const open = await scene.makeApi();
    const answered = await scene.makeClientWithContract(open);
    expect((await get(`${scene.base}${open.path}/x`, answered.apiKey)).status).toBe(200);
    const [plain] = await usageOf(answered.contractId, 1);
    expect(plain.refusals).toEqual({});
  });

  it("adds up two gateways' traffic in one row per contract and minute: counters, histogram buckets and refusals", async () => {
    const api = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 3, period: "hour" }] });
    const c = await scene.makeClientWithContract(api);
    // Local counters: each gateway lets 3 requests through before refusing.
    const second = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger: silentLogger() });
    try {
      await withinOneMinute();
      const bases = [scene.base, `http://127.0.0.1:${second.port}`];
      for (const base of bases) for (let i = 0; i < 4; i++) await get(`${base}${api.path}/x`, c.apiKey);
      // Each gateway writes its own batch; the second one lands on the first one's row.
      await scene.gateway.flushUsage();
      await second.flushUsage();
      const rows = await usageOf(c.contractId, 8, [scene.gateway, second]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ requests: 8, status2xx: 6, status4xx: 2, refusals: { rate_limited: 2 } });
      expect(rows[0].latencyBuckets).toHaveLength(LATENCY_BUCKET_COUNT);
      expect(rows[0].latencyBuckets.reduce((n, b) => n + b, 0)).toBe(8);
      // The same requests in the contract's hour and day, and in the API version's minute, hour and day.
      const counted = { requests: 8, status2xx: 6, status4xx: 2, refusals: { rate_limited: 2 }, latencyBuckets: rows[0].latencyBuckets };
      const minute = rows[0].minute;
      const hour = new Date(minute.getTime() - (minute.getTime() % 3_600_000));
      const day = new Date(minute.getTime() - (minute.getTime() % 86_400_000));
      expect(await scene.db.select().from(contractUsageHourly).where(eq(contractUsageHourly.contractId, c.contractId))).toEqual([{ ...counted, contractId: c.contractId, hour, status3xx: 0, status5xx: 0, latencyMsSum: rows[0].latencyMsSum }]);
      expect(await scene.db.select().from(contractUsageDaily).where(eq(contractUsageDaily.contractId, c.contractId))).toEqual([{ ...counted, contractId: c.contractId, day, status3xx: 0, status5xx: 0, latencyMsSum: rows[0].latencyMsSum }]);
      expect(await scene.db.select().from(apiVersionUsage).where(eq(apiVersionUsage.apiVersionId, api.apiVersionId))).toEqual([
        { ...counted, apiVersionId: api.apiVersionId, minute, status3xx: 0, status5xx: 0, latencyMsSum: rows[0].latencyMsSum },
      ]);
      expect(await scene.db.select().from(apiVersionUsageDaily).where(eq(apiVersionUsageDaily.apiVersionId, api.apiVersionId))).toEqual([
        { ...counted, apiVersionId: api.apiVersionId, day, status3xx: 0, status5xx: 0, latencyMsSum: rows[0].latencyMsSum },
      ]);
    } finally {
      await second.close();
    }
  });

  it("adds a histogram to a row written before histograms, and refusals to a row's other codes", async () => {
    const api = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 1, period: "hour" }] });
    const c = await scene.makeClientWithContract(api);
    await withinOneMinute();
    const minute = new Date(Date.now() - (Date.now() % 60_000));
    await scene.db.execute(sql`
      insert into contract_usage (contract_id, minute, requests, status_4xx, latency_buckets, refusals)
      values (${c.contractId}::uuid, ${minute.toISOString()}::timestamptz, 4, 4, '{}'::integer[], '{"quota_exceeded": 4}'::jsonb)`);
    await get(`${scene.base}${api.path}/x`, c.apiKey);
    await get(`${scene.base}${api.path}/x`, c.apiKey);
    const [row] = await usageOf(c.contractId, 6);
    expect(row).toMatchObject({ requests: 6, status2xx: 1, status4xx: 5, refusals: { quota_exceeded: 4, rate_limited: 1 } });
    expect(row.latencyBuckets).toHaveLength(LATENCY_BUCKET_COUNT);
    expect(row.latencyBuckets.reduce((n, b) => n + b, 0)).toBe(2);
  });
});

describe("a failed usage write", () => {
  it("writes no grain of the batch, and the next flush writes it once", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    // The last table of the statement refuses for a while: a failure after the other five tables took their rows.
    await scene.db.execute(sql`create table usage_write_refused (refused boolean)`);
    await scene.db.execute(sql`insert into usage_write_refused values (true)`);
    await scene.db.execute(sql.raw(`
      create function refuse_usage_write() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from usage_write_refused) then raise exception 'refused for the test'; end if;
        return new;
      end $$`));
    await scene.db.execute(sql.raw("create trigger refuse_usage_write before insert on api_version_usage_daily for each row execute function refuse_usage_write()"));
    const recorder = new UsageRecorder(scene.db, silentLogger(), 60_000);
    try {
      const at = Date.UTC(2026, 0, 5, 10, 30, 15);
      recorder.record(c.contractId, api.apiVersionId, 200, 4, latencyBucket(4), undefined, at);
      recorder.record(c.contractId, api.apiVersionId, 429, 1, latencyBucket(1), "rate_limited", at + 60_000);
      await recorder.flush();
      expect(recorder.stats).toEqual({ rowsWritten: 0, rowsFailed: 2 });
      expect(recorder.writeLagMs(at + 120_000)).toBe(120_000);
      const requests = async () =>
        Promise.all(
          [contractUsage, contractUsageHourly, contractUsageDaily].map(async (t) =>
            (await scene.db.select().from(t).where(eq(t.contractId, c.contractId))).reduce((n, r) => n + r.requests, 0),
          ),
        );
      const apiRequests = async () =>
        Promise.all(
          [apiVersionUsage, apiVersionUsageDaily].map(async (t) => (await scene.db.select().from(t).where(eq(t.apiVersionId, api.apiVersionId))).reduce((n, r) => n + r.requests, 0)),
        );
      expect(await requests()).toEqual([0, 0, 0]);
      expect(await apiRequests()).toEqual([0, 0]);

      await scene.db.execute(sql`delete from usage_write_refused`);
      await recorder.flush();
      expect(recorder.stats).toEqual({ rowsWritten: 2, rowsFailed: 2 });
      expect(await requests()).toEqual([2, 2, 2]);
      expect(await apiRequests()).toEqual([2, 2]);
      const [day] = await scene.db.select().from(contractUsageDaily).where(eq(contractUsageDaily.contractId, c.contractId));
      expect(day).toMatchObject({ status2xx: 1, status4xx: 1, latencyMsSum: 5, refusals: { rate_limited: 1 } });
    } finally {
      await recorder.close();
      for (const statement of ["drop trigger refuse_usage_write on api_version_usage_daily", "drop function refuse_usage_write()", "drop table usage_write_refused"])
        await scene.db.execute(sql.raw(statement));
    }
  });
});
