import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { expectCode, makeUser, openTestDb } from "../test-fixtures";
import { getApiVersionUsage, getClientVersionUsage, getContractUsage, getOrganizationApiUsage } from "./queries";
import { getContractQuotas, quotaPeriod } from "./quota";
import { addUsage, makeUsageScene } from "./test-support";

let open: OpenDatabase;
let db: Db;
let scene: Awaited<ReturnType<typeof makeUsageScene>>;
const now = new Date("2026-03-15T12:34:56Z");
const minutesAgo = (n: number) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - n * 60_000);

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  scene = await makeUsageScene(db);
  const { consumerA, consumerB, otherA } = scene.contracts;
  // The last hour: the consumer calls A and B, the other consumer calls A.
  await addUsage(db, consumerA, minutesAgo(10), { requests: 10, s4xx: 1, latencyMsSum: 400, buckets: { 3: 8, 6: 2 }, refusals: { rate_limited: 1 } });
  await addUsage(db, consumerB, minutesAgo(5), { requests: 5, s5xx: 1, latencyMsSum: 100, buckets: { 3: 5 } });
  await addUsage(db, otherA, minutesAgo(3), { requests: 20, s3xx: 2, latencyMsSum: 200, buckets: { 3: 19, 13: 1 } });
  // Earlier this month, for the quotas: today before noon, yesterday, two weeks ago; last month does not count.
  await addUsage(db, consumerA, "2026-03-15T00:00:00Z", { requests: 30, refusals: { rate_limited: 5, quota_exceeded: 2 } });
  await addUsage(db, consumerA, "2026-03-14T23:59:00Z", { requests: 7 });
  await addUsage(db, consumerA, "2026-03-02T05:00:00Z", { requests: 100 });
  await addUsage(db, consumerA, "2026-02-28T00:00:00Z", { requests: 500 });
});
afterAll(() => open.close());

describe("usage of a contract and a client version", () => {
  it("gives the consumer a minute series of their contract with outcomes, latency and refusals", async () => {
    const usage = await getContractUsage(db, scene.consumer, { contractId: scene.contracts.consumerA, preset: "1h" }, now);
    expect(usage.range.step).toBe("minute");
    expect(usage.points).toHaveLength(60);
    const point = usage.points.find((p) => p.at.getTime() === minutesAgo(10).getTime());
    expect(point).toMatchObject({ requests: 10, s2xx: 8, s4xx: 1, refused: 1, meanLatencyMs: 40 });
    expect(usage.totals).toEqual({ requests: 10, s2xx: 8, s3xx: 0, s4xx: 1, s5xx: 0, refused: 1, latencyMsSum: 400 });
    expect(usage.latency).toMatchObject({ meanMs: 40, sampled: 10, p50: { ms: 10 }, p95: { ms: 100 }, p99: { ms: 100 } });
    expect(usage.refusals).toEqual([{ code: "rate_limited", count: 1 }]);
  });

  it("adds up every contract of a client version", async () => {
    const usage = await getClientVersionUsage(db, scene.consumer, { clientVersionId: scene.cv1.clientVersionId, preset: "1h" }, now);
    expect(usage.totals).toMatchObject({ requests: 15, s2xx: 12, s4xx: 1, s5xx: 1, refused: 1 });
    expect(usage.latency.p50?.ms).toBe(10);
    expect(usage.points.reduce((sum, p) => sum + p.requests, 0)).toBe(15);
  });

  it("answers not_found to anyone who may not see the client", async () => {
    await expectCode(getContractUsage(db, scene.stranger, { contractId: scene.contracts.consumerA }, now), "contract_not_found", 404);
    await expectCode(getContractUsage(db, scene.other, { contractId: scene.contracts.consumerA }, now), "contract_not_found", 404);
    await expectCode(getContractUsage(db, scene.consumer, { contractId: "not-a-uuid" }, now), "contract_not_found", 404);
    await expectCode(getClientVersionUsage(db, scene.stranger, { clientVersionId: scene.cv1.clientVersionId }, now), "client_not_found", 404);
    await expectCode(getContractQuotas(db, scene.stranger, scene.contracts.consumerA, now), "contract_not_found", 404);
  });

  it("lets an admin read it", async () => {
    const admin = await makeUser(db, "admin");
    const usage = await getContractUsage(db, admin, { contractId: scene.contracts.otherA, preset: "1h" }, now);
    expect(usage.totals.requests).toBe(20);
  });

  it("validates the range", async () => {
    await expectCode(getContractUsage(db, scene.consumer, { contractId: scene.contracts.consumerA, from: "2026-03-15", to: "2026-03-14" }, now), "validation_failed", 400);
  });
});

describe("usage of an API version and an organization", () => {
  it("gives the provider every contract of the API version, with the busiest clients", async () => {
    const usage = await getApiVersionUsage(db, scene.provider, { apiVersionId: scene.apiA.apiVersionId, preset: "1h" }, now);
    expect(usage.totals).toMatchObject({ requests: 30, s3xx: 2, refused: 1 });
    // 27 requests ≤ 10 ms, 2 ≤ 100 ms, 1 slower than 10 s: p95 is the 29th request, p99 the 30th.
    expect(usage.latency.p50?.ms).toBe(10);
    expect(usage.latency.p95?.ms).toBe(100);
    expect(usage.latency.p99).toMatchObject({ over: true, label: "> 10 s" });
    expect(usage.topClients).toEqual([
      { clientVersionId: scene.cv2.clientVersionId, clientName: scene.cv2.client.name, clientVersion: "1.0", organizationName: expect.any(String), requests: 20 },
      { clientVersionId: scene.cv1.clientVersionId, clientName: scene.cv1.client.name, clientVersion: "1.0", organizationName: expect.any(String), requests: 10 },
    ]);
  });

  it("gives the provider an overview of the organization's APIs", async () => {
    const usage = await getOrganizationApiUsage(db, scene.provider, { orgId: scene.orgId, preset: "1h" }, now);
    expect(usage.totals.requests).toBe(35);
    expect(usage.apis.map((a) => [a.apiVersionId, a.requests, a.refused, a.s5xx])).toEqual([
      [scene.apiA.apiVersionId, 30, 1, 0],
      [scene.apiB.apiVersionId, 5, 0, 1],
    ]);
  });

  it("answers not_found to consumers, who see their contracts only", async () => {
    await expectCode(getApiVersionUsage(db, scene.consumer, { apiVersionId: scene.apiA.apiVersionId }, now), "api_not_found", 404);
    await expectCode(getApiVersionUsage(db, scene.consumer, { apiVersionId: "00000000-0000-0000-0000-000000000000" }, now), "api_not_found", 404);
    await expectCode(getOrganizationApiUsage(db, scene.consumer, { orgId: scene.orgId }, now), "not_found", 404);
  });
});

describe("getContractQuotas", () => {
  it("reports each quota's use in the current UTC day and month, counted as the gateway counts", async () => {
    const quotas = await getContractQuotas(db, scene.consumer, scene.contracts.consumerA, now);
    expect(quotas.policies).toEqual([
      // First policy: every request reached it, refused ones included.
      { index: 0, type: "quota", limit: 100, period: "day", used: 40, remaining: 60, periodStart: new Date("2026-03-15T00:00:00Z"), resetsAt: new Date("2026-03-16T00:00:00Z") },
      { index: 1, type: "rate-limit", limit: 10, period: "second", windowSeconds: 1 },
      // After the rate limit: the 6 requests it refused never reached this quota.
      { index: 2, type: "quota", limit: 1000, period: "month", used: 141, remaining: 859, periodStart: new Date("2026-03-01T00:00:00Z"), resetsAt: new Date("2026-04-01T00:00:00Z") },
    ]);
  });

  it("leaves out requests refused for the contract's state, which no policy counted", async () => {
    await addUsage(db, scene.contracts.consumerA, "2026-03-15T01:00:00Z", { requests: 4, s4xx: 4, refusals: { contract_suspended: 3, contract_expired: 1 } });
    const quotas = await getContractQuotas(db, scene.consumer, scene.contracts.consumerA, now);
    expect(quotas.policies.map((p) => (p.type === "quota" ? p.used : null))).toEqual([40, null, 141]);
  });

  it("resets at the next UTC day and month, across a year", () => {
    const lastSecond = new Date("2026-12-31T23:59:59Z");
    expect(quotaPeriod("day", lastSecond)).toEqual({ start: new Date("2026-12-31T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
    expect(quotaPeriod("month", lastSecond)).toEqual({ start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
    expect(quotaPeriod("month", new Date("2028-02-10T00:00:00Z")).end).toEqual(new Date("2028-03-01T00:00:00Z"));
  });

  it("reports no policies for a plan without any", async () => {
    const quotas = await getContractQuotas(db, scene.consumer, scene.contracts.consumerB, now);
    expect(quotas.policies).toEqual([{ index: 0, type: "rate-limit", limit: 5, period: "second", windowSeconds: 1 }]);
  });
});
