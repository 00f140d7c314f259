import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractUsage, LATENCY_BUCKETS_MS } from "@/db/schema";
import { LATENCY_BUCKET_COUNT, latencyBucket } from "./latency-buckets";
import { type RunningGateway, startGateway } from "./server";
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
