import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { Policy } from "@/db/schema";
import { LocalCounters, RedisCounters } from "./counters";
import { compilePlanPolicies, rateLimitPolicyHeader, verdictFromCounts, windowEnd, windowStart } from "./policies";
import { closedPort, silentLogger } from "./test-support";

const at = (iso: string) => Date.parse(iso);

describe("policy windows", () => {
  it("are calendar seconds, minutes, hours, UTC days and UTC months", () => {
    const now = at("2025-02-14T10:20:30.456Z");
    expect(windowStart("second", now)).toBe(at("2025-02-14T10:20:30Z"));
    expect(windowStart("minute", now)).toBe(at("2025-02-14T10:20:00Z"));
    expect(windowStart("hour", now)).toBe(at("2025-02-14T10:00:00Z"));
    expect(windowStart("day", now)).toBe(at("2025-02-14T00:00:00Z"));
    expect(windowStart("month", now)).toBe(at("2025-02-01T00:00:00Z"));
    expect(windowEnd("month", now)).toBe(at("2025-03-01T00:00:00Z"));
    expect(windowEnd("month", at("2025-12-31T23:59:59Z"))).toBe(at("2026-01-01T00:00:00Z"));
    expect(windowEnd("hour", now)).toBe(at("2025-02-14T11:00:00Z"));
  });
});

describe("RateLimit headers", () => {
  const plan = compilePlanPolicies("p", [
    { type: "rate-limit", limit: 5, period: "second" },
    { type: "quota", limit: 1000, period: "month" },
  ]);

  it("describe every policy in RateLimit-Policy, the month with its real length", () => {
    expect(rateLimitPolicyHeader(plan, at("2025-02-14T10:20:30Z"))).toBe('"rate-second";q=5;w=1, "quota-month";q=1000;w=2419200');
    expect(rateLimitPolicyHeader(plan, at("2025-03-14T10:20:30Z"))).toBe('"rate-second";q=5;w=1, "quota-month";q=1000;w=2678400');
  });

  it("give remaining requests and seconds to reset, and name the policy that refused", () => {
    const now = at("2025-02-14T10:20:30.250Z");
    expect(verdictFromCounts(plan, [2, 10], now)).toEqual({ rateLimitHeader: '"rate-second";r=3;t=1, "quota-month";r=990;t=1258770' });
    expect(verdictFromCounts(plan, [6], now)).toEqual({ rateLimitHeader: '"rate-second";r=0;t=1', refused: { code: "rate_limited", retryAfterSeconds: 1 } });
    expect(verdictFromCounts(plan, [1, 1001], now).refused).toEqual({ code: "quota_exceeded", retryAfterSeconds: 1258770 });
  });

  it("keep distinct names for two policies of the same kind", () => {
    expect(compilePlanPolicies("p", [
      { type: "rate-limit", limit: 1, period: "minute" },
      { type: "rate-limit", limit: 2, period: "minute" },
    ]).names).toEqual(["rate-minute", "rate-minute-2"]);
  });
});

describe("local counters", () => {
  const counters = new LocalCounters();
  afterAll(() => counters.close());
  const plan = compilePlanPolicies("p", [
    { type: "rate-limit", limit: 2, period: "second" },
    { type: "quota", limit: 3, period: "day" },
  ] satisfies Policy[]);

  it("count per contract and window, stop at the first policy that refuses, and start over in a new window", () => {
    const t = at("2025-02-14T10:20:30.000Z");
    expect(counters.hit("c1", plan, t).refused).toBeUndefined();
    expect(counters.hit("c1", plan, t + 10).refused).toBeUndefined();
    expect(counters.hit("c1", plan, t + 20).refused?.code).toBe("rate_limited");
    expect(counters.hit("c2", plan, t + 20).refused).toBeUndefined();
    // A refused rate does not use quota: the next second still has one request of the day's three.
    expect(counters.hit("c1", plan, t + 1_000).refused).toBeUndefined();
    expect(counters.hit("c1", plan, t + 1_010).refused?.code).toBe("quota_exceeded");
  });

  it("forget contracts whose windows have all ended", () => {
    const t = at("2025-02-14T10:20:30.000Z");
    counters.hit("gone", plan, t);
    counters.sweep(t + 1_000);
    expect(counters.hit("gone", plan, t + 1_000).rateLimitHeader).toContain('"quota-day";r=1');
    counters.sweep(at("2025-02-15T00:00:00Z"));
    expect(counters.hit("gone", plan, at("2025-02-15T00:00:00Z")).rateLimitHeader).toContain('"quota-day";r=2');
  });

  it("keep a contract's counts across a plan change, per policy of the same kind and period, wherever it sits in the new plan", () => {
    const t = at("2025-02-14T10:20:30.000Z");
    const bronze = compilePlanPolicies("bronze", [{ type: "quota", limit: 1_000, period: "day" }]);
    const gold = compilePlanPolicies("gold", [
      { type: "rate-limit", limit: 100, period: "second" },
      { type: "quota", limit: 10_000, period: "day" },
    ]);
    for (let i = 0; i < 900; i++) counters.hit("moving", bronze, t);
    expect(counters.hit("moving", gold, t + 1_000).rateLimitHeader).toBe('"rate-second";r=99;t=1, "quota-day";r=9099;t=49169');
  });
});

describe("Redis counters", () => {
  it("fall back to counting in this process when Redis cannot be reached", async () => {
    const local = new LocalCounters();
    const counters = new RedisCounters(`redis://127.0.0.1:${await closedPort()}`, local, silentLogger());
    try {
      const plan = compilePlanPolicies("p", [{ type: "rate-limit", limit: 1, period: "hour" }]);
      const now = Date.now();
      expect((await counters.hit("c", plan, now)).refused).toBeUndefined();
      expect((await counters.hit("c", plan, now)).refused?.code).toBe("rate_limited");
    } finally {
      await counters.close();
      await local.close();
    }
  });

  describe.skipIf(process.env.PORTICO_TEST_DB !== "postgres")("with Redis running (as in CI)", () => {
    const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";

    it("count atomically in Redis, with an expiry on every counter, and stop at the first refusal", async () => {
      const local = new LocalCounters();
      const counters = new RedisCounters(url, local, silentLogger(), `portico-test:${randomUUID()}:`);
      const redis = new Redis(url);
      try {
        await counters.ready();
        const plan = compilePlanPolicies("p", [
          { type: "rate-limit", limit: 3, period: "minute" },
          { type: "quota", limit: 100, period: "day" },
        ]);
        const now = Date.now();
        const verdicts = await Promise.all(Array.from({ length: 5 }, () => counters.hit("contract", plan, now)));
        expect(verdicts.filter((v) => v.refused?.code === "rate_limited")).toHaveLength(2);
        const keys = await redis.keys("portico-test:*{contract}*");
        const byPolicy = Object.fromEntries(await Promise.all(keys.map(async (k) => [k.split(":").at(-2), [Number(await redis.get(k)), await redis.pttl(k)]])));
        expect(byPolicy["rate-minute"][0]).toBe(5);
        // Refused requests were not counted against the quota.
        expect(byPolicy["quota-day"][0]).toBe(3);
        for (const [, ttl] of Object.values(byPolicy) as [number, number][]) expect(ttl).toBeGreaterThan(0);
        // A plan change keeps the counts of the policies it shares with the old plan, wherever they sit in it.
        const gold = compilePlanPolicies("gold", [{ type: "quota", limit: 1_000, period: "day" }]);
        expect((await counters.hit("contract", gold, now)).rateLimitHeader).toMatch(/^"quota-day";r=996;t=\d+$/);
        await redis.del(...(await redis.keys("portico-test:*{contract}*")));
      } finally {
        await counters.close();
        await local.close();
        redis.disconnect();
      }
    });
  });
});
