import type { Policy } from "@/db/schema";

/** A plan version's policies as the gateway applies them, with what can be computed once. */
export interface PlanPolicies {
  planVersionId: string;
  policies: readonly Policy[];
  /** Item names of the RateLimit headers, one per policy. */
  names: readonly string[];
  /** True when some policy counts per month, whose window length changes. */
  monthly: boolean;
  /** RateLimit-Policy value, cached for the month it was built in. */
  cachedPolicyHeader?: { monthStart: number; value: string };
}

export function compilePlanPolicies(planVersionId: string, policies: readonly Policy[]): PlanPolicies {
  const names: string[] = [];
  for (const policy of policies) {
    const base = `${policy.type === "rate-limit" ? "rate" : "quota"}-${policy.period}`;
    // Two policies of the same kind and period would otherwise share a name.
    names.push(names.includes(base) ? `${base}-${names.length + 1}` : base);
  }
  return { planVersionId, policies, names, monthly: policies.some((p) => p.period === "month") };
}

const FIXED_PERIOD_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

// Calendar months in UTC; recomputed only when the clock passes the cached month's end.
let monthCache = { start: 0, end: 0 };
function currentMonth(now: number): { start: number; end: number } {
  if (now < monthCache.start || now >= monthCache.end) {
    const d = new Date(now);
    monthCache = { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
  return monthCache;
}

/** Start of the fixed window holding `now`: policies count per calendar second, minute, hour, UTC day or month. */
export function windowStart(period: Policy["period"], now: number): number {
  if (period === "month") return currentMonth(now).start;
  const length = FIXED_PERIOD_MS[period];
  return now - (now % length);
}

export function windowEnd(period: Policy["period"], now: number): number {
  if (period === "month") return currentMonth(now).end;
  return windowStart(period, now) + FIXED_PERIOD_MS[period];
}

/** RateLimit-Policy (IETF httpapi ratelimit-headers draft): quota and window length of every policy. */
export function rateLimitPolicyHeader(plan: PlanPolicies, now: number): string | undefined {
  if (plan.policies.length === 0) return undefined;
  const monthStart = plan.monthly ? currentMonth(now).start : 0;
  if (plan.cachedPolicyHeader?.monthStart === monthStart) return plan.cachedPolicyHeader.value;
  const value = plan.policies
    .map((p, i) => {
      const window = p.period === "month" ? (currentMonth(now).end - monthStart) / 1000 : FIXED_PERIOD_MS[p.period] / 1000;
      return `"${plan.names[i]}";q=${p.limit};w=${window}`;
    })
    .join(", ");
  plan.cachedPolicyHeader = { monthStart, value };
  return value;
}

export interface PolicyVerdict {
  /** RateLimit header value: remaining requests and seconds to reset of each policy evaluated. */
  rateLimitHeader: string;
  /** Set when a policy refused the request. */
  refused?: { code: "rate_limited" | "quota_exceeded"; retryAfterSeconds: number };
}

/**
 * Turns the counts after this request (in policy order, stopping at the first policy over its
 * limit) into a verdict.
 */
export function verdictFromCounts(plan: PlanPolicies, counts: ArrayLike<number>, now: number): PolicyVerdict {
  let header = "";
  for (let i = 0; i < counts.length; i++) {
    const policy = plan.policies[i];
    const resetSeconds = Math.max(1, Math.ceil((windowEnd(policy.period, now) - now) / 1000));
    const remaining = Math.max(0, policy.limit - counts[i]);
    header += `${i === 0 ? "" : ", "}"${plan.names[i]}";r=${remaining};t=${resetSeconds}`;
    if (counts[i] > policy.limit) {
      return {
        rateLimitHeader: header,
        refused: { code: policy.type === "rate-limit" ? "rate_limited" : "quota_exceeded", retryAfterSeconds: resetSeconds },
      };
    }
  }
  return { rateLimitHeader: header };
}
