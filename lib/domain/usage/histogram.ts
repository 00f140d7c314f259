import { LATENCY_BUCKETS_MS } from "@/db/schema";

/** Buckets of a full histogram: one per LATENCY_BUCKETS_MS bound, plus one for slower requests. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_MS.length + 1;

/** Adds a histogram into `into`, bucket by bucket (an empty histogram, from before histograms, adds nothing). */
export function addHistogram(into: number[], buckets: readonly number[]): number[] {
  for (let i = 0; i < buckets.length; i++) into[i] = (into[i] ?? 0) + (buckets[i] ?? 0);
  return into;
}

/** The bucket-by-bucket sum of histograms of the same bounds (of minutes, hours, contracts or gateways). */
export function mergeHistograms(histograms: Iterable<readonly number[]>): number[] {
  const merged: number[] = [];
  for (const buckets of histograms) addHistogram(merged, buckets);
  return merged;
}

/** A latency read from a histogram: the upper bound of a bucket, or "slower than the last bound". */
export interface LatencyPercentile {
  /** The bucket's upper bound in ms; for the overflow bucket, the last bound (10 000). */
  ms: number;
  /** True when the rank falls in the overflow bucket: slower than the last bound. */
  over: boolean;
  /** For people: "≤ 50 ms", "≤ 2 s", "> 10 s". */
  label: string;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** The requests a histogram counts. */
export function histogramCount(buckets: readonly number[]): number {
  let total = 0;
  for (const n of buckets) total += n;
  return total;
}

/**
 * The p-th percentile (0 < p ≤ 100) of a histogram, as the upper bound of the bucket that holds the
 * request of nearest rank ⌈p/100 · n⌉: the true value is at most this bound (and above the previous
 * one). A rank in the overflow bucket answers "> 10 s". Null when the histogram counts nothing.
 */
export function percentile(buckets: readonly number[], p: number): LatencyPercentile | null {
  const total = histogramCount(buckets);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] ?? 0;
    if (seen >= rank) return bucketLatency(i);
  }
  return bucketLatency(buckets.length - 1);
}

function bucketLatency(index: number): LatencyPercentile {
  const last = LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
  if (index >= LATENCY_BUCKETS_MS.length) return { ms: last, over: true, label: `> ${formatMs(last)}` };
  const ms = LATENCY_BUCKETS_MS[index];
  return { ms, over: false, label: `≤ ${formatMs(ms)}` };
}

/** Mean latency in ms from the counters every row has (old rows too); null without requests. */
export function meanLatencyMs(latencyMsSum: number, requests: number): number | null {
  return requests > 0 ? latencyMsSum / requests : null;
}

/** The percentiles the usage pages show. */
export interface LatencySummary {
  meanMs: number | null;
  p50: LatencyPercentile | null;
  p95: LatencyPercentile | null;
  p99: LatencyPercentile | null;
  /** Requests the percentiles are read from: rows written before histograms have none. */
  sampled: number;
}

export function summarizeLatency(buckets: readonly number[], latencyMsSum: number, requests: number): LatencySummary {
  return {
    meanMs: meanLatencyMs(latencyMsSum, requests),
    p50: percentile(buckets, 50),
    p95: percentile(buckets, 95),
    p99: percentile(buckets, 99),
    sampled: histogramCount(buckets),
  };
}

/** Adds refusal counts by problem code into `into`. */
export function addRefusals(into: Record<string, number>, refusals: Readonly<Record<string, number>>): Record<string, number> {
  for (const [code, count] of Object.entries(refusals)) into[code] = (into[code] ?? 0) + Number(count);
  return into;
}

/** All refusals of a row, whatever their code. */
export function refusalCount(refusals: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(refusals)) total += Number(count);
  return total;
}
