import { LATENCY_BUCKETS_MS } from "@/db/schema";

/** Buckets of a gateway histogram: one per LATENCY_BUCKETS_MS bound, plus one for slower requests. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_MS.length + 1;

/** The bucket of a latency: the first bound it does not exceed (Prometheus' `le`), else the overflow bucket. */
export function latencyBucket(ms: number): number {
  let i = 0;
  while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
  return i;
}
