import { Redis } from "ioredis";
import type { Logger } from "pino";
import { type PlanPolicies, type PolicyVerdict, verdictFromCounts, windowEnd, windowStart } from "./policies";

/** Counts requests per contract and policy window, and says whether a request may pass. */
export interface CounterStore {
  /** Counts one request against the plan's policies, in order, stopping at the first one over its limit. */
  hit(contractId: string, plan: PlanPolicies, now: number): PolicyVerdict | Promise<PolicyVerdict>;
  close(): Promise<void>;
}

/**
 * A contract's counts: [windowStart, count] per policy of `plan`, flattened, then the time its last
 * window ends.
 */
interface ContractCounts {
  plan: PlanPolicies;
  slots: Float64Array;
}

/**
 * Counters in this process's memory: exact for one gateway process, reset when it restarts.
 * Counts belong to the contract, not to its plan: after a plan change, a policy of the same kind
 * and period (the same RateLimit name) keeps counting where the old plan's left off, so a Bronze
 * user who used 900 of a 1,000 daily quota and moves to Gold's 10,000 has 9,100 left.
 */
export class LocalCounters implements CounterStore {
  private readonly counts = new Map<string, ContractCounts>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepIntervalMs).unref();
  }

  hit(contractId: string, plan: PlanPolicies, now: number): PolicyVerdict {
    return verdictFromCounts(plan, this.count(contractId, plan, now), now);
  }

  /** Counts one request against the plan's policies, in order; answers the counts up to the first one over its limit. */
  count(contractId: string, plan: PlanPolicies, now: number): number[] {
    const n = plan.policies.length;
    let entry = this.counts.get(contractId);
    if (!entry) {
      entry = { plan, slots: new Float64Array(n * 2 + 1).fill(-1) };
      this.counts.set(contractId, entry);
    } else if (entry.plan !== plan || entry.slots.length !== n * 2 + 1) {
      entry = carriedOver(entry, plan);
      this.counts.set(contractId, entry);
    }
    const slot = entry.slots;
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const policy = plan.policies[i];
      const start = windowStart(policy.period, now);
      if (slot[2 * i] !== start) {
        slot[2 * i] = start;
        slot[2 * i + 1] = 0;
        slot[2 * n] = Math.max(slot[2 * n], windowEnd(policy.period, now));
      }
      const count = ++slot[2 * i + 1];
      counts.push(count);
      if (count > policy.limit) break;
    }
    return counts;
  }

  /** Forgets contracts whose every window has ended, so memory follows the active contracts only. */
  sweep(now: number): void {
    for (const [contractId, { slots }] of this.counts) {
      if (slots[slots.length - 1] <= now) this.counts.delete(contractId);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

/** A contract's counts moved to its new plan: each policy takes the counts of the old plan's policy of the same name. */
function carriedOver(old: ContractCounts, plan: PlanPolicies): ContractCounts {
  const n = plan.policies.length;
  const slots = new Float64Array(n * 2 + 1).fill(-1);
  const oldCount = (old.slots.length - 1) / 2;
  for (let i = 0; i < n; i++) {
    const j = old.plan.names.indexOf(plan.names[i]);
    if (j === -1 || j >= oldCount) continue;
    slots[2 * i] = old.slots[2 * j];
    slots[2 * i + 1] = old.slots[2 * j + 1];
  }
  slots[2 * n] = old.slots[old.slots.length - 1];
  return { plan, slots };
}

// Increments each key in order, setting its expiry on creation; stops after the first count over its limit.
const HIT_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[i * 2]) end
  counts[i] = n
  if n > tonumber(ARGV[i * 2 - 1]) then return counts end
end
return counts
`;

type HitCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

/**
 * Counters in Redis, shared by every gateway process: one atomic script per request.
 * When Redis cannot answer, requests are counted locally so limits still hold per process.
 */
export class RedisCounters implements CounterStore {
  private readonly redis: Redis;
  private readonly hitScript: HitCommand;
  private failing = false;

  constructor(
    url: string,
    private readonly fallback: LocalCounters,
    private readonly logger: Logger,
    private readonly keyPrefix = "portico:rl:",
  ) {
    this.redis = new Redis(url, {
      // Fail fast instead of queueing: a request must not wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      lazyConnect: false,
    });
    this.redis.on("error", (error) => this.markFailing(error));
    this.redis.on("ready", () => {
      if (this.failing) this.logger.info("Redis counters are back");
      this.failing = false;
    });
    this.redis.defineCommand("porticoHit", { lua: HIT_SCRIPT });
    this.hitScript = (this.redis as unknown as { porticoHit: HitCommand }).porticoHit.bind(this.redis);
  }

  /** Resolves once Redis answers, so a gateway starts with shared counters. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.redis.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private markFailing(error: Error): void {
    if (!this.failing) this.logger.warn({ err: error.message }, "Redis counters unavailable; counting in this process until Redis answers");
    this.failing = true;
  }

  hit(contractId: string, plan: PlanPolicies, now: number): PolicyVerdict | Promise<PolicyVerdict> {
    if (this.redis.status !== "ready") return this.fallback.hit(contractId, plan, now);
    const n = plan.policies.length;
    const args: (string | number)[] = new Array(n * 3);
    for (let i = 0; i < n; i++) {
      const policy = plan.policies[i];
      // The hash tag keeps a contract's keys in one slot, so the script also runs on Redis Cluster. Named
      // after the policy's kind and period rather than its position: a plan change keeps the counts (see LocalCounters).
      args[i] = `${this.keyPrefix}{${contractId}}:${plan.names[i]}:${windowStart(policy.period, now)}`;
      args[n + 2 * i] = policy.limit;
      args[n + 2 * i + 1] = windowEnd(policy.period, now) - now + 1_000;
    }
    return this.hitScript(n, ...args).then(
      (counts) => verdictFromCounts(plan, counts, now),
      (error: Error) => {
        this.markFailing(error);
        return this.fallback.hit(contractId, plan, now);
      },
    );
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
