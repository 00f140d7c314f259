import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS_MS } from "@/db/schema";
import { addRefusals, LATENCY_BUCKET_COUNT, meanLatencyMs, mergeHistograms, percentile, refusalCount, summarizeLatency } from "./histogram";

/** A histogram with `count` requests in the bucket whose upper bound is `ms` (or the overflow bucket for Infinity). */
function histogram(entries: [ms: number, count: number][]): number[] {
  const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const [ms, count] of entries) {
    const i = ms === Infinity ? LATENCY_BUCKETS_MS.length : LATENCY_BUCKETS_MS.indexOf(ms as (typeof LATENCY_BUCKETS_MS)[number]);
    buckets[i] += count;
  }
  return buckets;
}

describe("mergeHistograms", () => {
  it("adds bucket by bucket and skips the empty histograms of old rows", () => {
    expect(mergeHistograms([histogram([[5, 2]]), [], histogram([[5, 1], [100, 4]])])).toEqual(histogram([[5, 3], [100, 4]]));
    expect(mergeHistograms([])).toEqual([]);
  });
});

describe("percentile", () => {
  it("answers the upper bound of the bucket holding the nearest rank", () => {
    // 90 fast requests (≤ 10 ms), 9 at ≤ 200 ms, 1 at ≤ 2 s.
    const h = histogram([[10, 90], [200, 9], [2000, 1]]);
    expect(percentile(h, 50)).toEqual({ ms: 10, over: false, label: "≤ 10 ms" });
    expect(percentile(h, 90)?.ms).toBe(10);
    expect(percentile(h, 95)?.ms).toBe(200);
    expect(percentile(h, 99)?.ms).toBe(200);
    expect(percentile(h, 100)).toEqual({ ms: 2000, over: false, label: "≤ 2 s" });
  });

  it("reads percentiles from histograms merged across gateways", () => {
    const a = histogram([[1, 50]]);
    const b = histogram([[50, 45], [Infinity, 5]]);
    const merged = mergeHistograms([a, b]);
    expect(percentile(merged, 50)?.ms).toBe(1);
    expect(percentile(merged, 51)?.ms).toBe(50);
    expect(percentile(merged, 95)?.ms).toBe(50);
    expect(percentile(merged, 99)).toEqual({ ms: 10000, over: true, label: "> 10 s" });
  });

  it("answers null when nothing was measured", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile(histogram([]), 99)).toBeNull();
  });
});

describe("summaries", () => {
  it("takes the mean from the latency sum, for old rows too", () => {
    expect(meanLatencyMs(1500, 10)).toBe(150);
    expect(meanLatencyMs(0, 0)).toBeNull();
    const s = summarizeLatency(histogram([[20, 4]]), 60, 6);
    expect(s).toMatchObject({ meanMs: 10, sampled: 4, p50: { ms: 20 }, p99: { ms: 20 } });
  });

  it("adds refusals by code", () => {
    const into = addRefusals({ rate_limited: 2 }, { rate_limited: 1, quota_exceeded: 3 });
    expect(into).toEqual({ rate_limited: 3, quota_exceeded: 3 });
    expect(refusalCount(into)).toBe(6);
  });
});
