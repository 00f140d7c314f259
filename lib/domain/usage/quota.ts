import { eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { contracts, type Policy, planVersions } from "@/db/schema";
import { DomainError } from "../errors";
import type { Actor } from "../permissions";
import { requireContractUsageView } from "./queries";
import { COUNTER_SUMS, type RawCounts, refusalsOf, rowsOf, scopeOfContract, usageRows } from "./read";

/** The problem code the gateway answers when a policy of this type refuses a request. */
const REFUSAL_CODE: Record<Policy["type"], string> = { "rate-limit": "rate_limited", quota: "quota_exceeded" };

export interface QuotaState {
  /** Position in the plan's policies, which the gateway applies in order. */
  index: number;
  type: "quota";
  limit: number;
  period: "day" | "month";
  /** Requests counted against this quota in the current period, as the gateway counts them. */
  used: number;
  remaining: number;
  /** The current UTC day or month: [periodStart, resetsAt). */
  periodStart: Date;
  resetsAt: Date;
}

export interface RateLimitState {
  index: number;
  type: "rate-limit";
  limit: number;
  period: "second" | "minute" | "hour";
  /** Counted live by the gateway only: no usage row is fine enough to tell what is left. */
  windowSeconds: number;
}

export type PolicyState = QuotaState | RateLimitState;

export interface ContractQuotas {
  contractId: string;
  planVersionId: string;
  /** The plan's policies in order; empty when the plan has none. */
  policies: PolicyState[];
}

const WINDOW_SECONDS = { second: 1, minute: 60, hour: 3600 } as const;

/** The gateway's quota windows: the UTC calendar day or month holding `now`. */
export function quotaPeriod(period: "day" | "month", now: Date): { start: Date; end: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (period === "month") return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  const d = now.getUTCDate();
  return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
}

/**
 * Refusal codes that do not count against the policy at `index`. The gateway counts a request
 * against each policy in order and stops at the first one over its limit, refused request
 * included: a refusal counts against every policy up to the one that refused. So a code is left
 * out only when every policy that can answer it comes before `index`; when the refusing policy
 * cannot be told apart, the refusal is counted (the remaining shown is then never too high).
 */
function uncountedCodes(policies: readonly Policy[], index: number): string[] {
  const beforePolicies = (Object.keys(REFUSAL_CODE) as Policy["type"][])
    .filter((type) => {
      const positions = policies.flatMap((p, i) => (p.type === type ? [i] : []));
      return positions.length > 0 && positions.every((i) => i < index);
    })
    .map((type) => REFUSAL_CODE[type]);
  // Refused for the contract's state, before any policy counted them.
  return [...beforePolicies, ...CONTRACT_STATE_REFUSALS];
}

/** Refusals the gateway answers before applying a plan's policies: they use no quota. */
const CONTRACT_STATE_REFUSALS = ["contract_pending", "contract_suspended", "contract_expired"];

/**
 * A contract's quotas now: for each quota policy of its plan, what the current UTC day or month
 * has used, what remains and when it resets; rate limits as their policy. Read from the usage
 * tables, which the gateway fills in batches: usage rows arrive up to the gateway's flush
 * interval late (GATEWAY_USAGE_FLUSH_MS, 5 s by default), so `used` can trail the gateway's live
 * counter by that much. Same permission as the contract's usage (clientView in the client's organization).
 */
export async function getContractQuotas(db: Queryable, actor: Actor, contractId: string, now = new Date()): Promise<ContractQuotas> {
  await requireContractUsageView(db, actor, contractId);
  const [row] = await db
    .select({ planVersionId: contracts.planVersionId, policies: planVersions.policies })
    .from(contracts)
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .where(eq(contracts.id, contractId));
  if (!row) throw new DomainError("contract_not_found");
  const scope = scopeOfContract(contractId);
  // One reading per period, shared by the quotas of that period.
  const readings = new Map<string, Promise<{ requests: number; refusals: Map<string, number> }>>();
  const read = (start: Date, end: Date) => {
    const key = `${start.getTime()}`;
    let reading = readings.get(key);
    if (!reading) {
      reading = (async () => {
        // Periods are whole UTC days and months: their daily rows hold every request.
        const [totals] = await rowsOf<RawCounts>(db, sql`${usageRows(scope, "day", start, end)} select ${COUNTER_SUMS} from u`);
        const refusals = new Map((await rowsOf<{ code: string; n: number }>(db, refusalsOf(scope, "day", start, end))).map((r) => [r.code, r.n]));
        return { requests: totals?.requests ?? 0, refusals };
      })();
      readings.set(key, reading);
    }
    return reading;
  };

  const policies: PolicyState[] = [];
  for (const [index, policy] of row.policies.entries()) {
    if (policy.type === "rate-limit") {
      policies.push({ index, type: "rate-limit", limit: policy.limit, period: policy.period, windowSeconds: WINDOW_SECONDS[policy.period] });
      continue;
    }
    const { start, end } = quotaPeriod(policy.period, now);
    const { requests, refusals } = await read(start, end);
    const used = requests - uncountedCodes(row.policies, index).reduce((sum, code) => sum + (refusals.get(code) ?? 0), 0);
    policies.push({
      index,
      type: "quota",
      limit: policy.limit,
      period: policy.period,
      used,
      remaining: Math.max(0, policy.limit - used),
      periodStart: start,
      resetsAt: end,
    });
  }
  return { contractId, planVersionId: row.planVersionId, policies };
}
