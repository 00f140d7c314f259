/**
 * The /api/v1 rate limit: a token bucket per access token, kept in the portal's memory (the
 * portal is one process). `PORTICO_API_RATE_LIMIT` requests per minute, 600 by default, with a
 * burst of the same size; the bucket refills evenly over the minute.
 */

const DEFAULT_PER_MINUTE = 600;
const MAX_BUCKETS = 50_000;

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until one more request is allowed; 0 when allowed now. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function configuredPerMinute(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.PORTICO_API_RATE_LIMIT);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_PER_MINUTE;
}

export class ApiRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute = configuredPerMinute()) {}

  take(tokenId: string, now = Date.now()): RateLimitDecision {
    const perMs = this.perMinute / 60_000;
    const previous = this.buckets.get(tokenId);
    const tokens = previous ? Math.min(this.perMinute, previous.tokens + (now - previous.updatedAt) * perMs) : this.perMinute;
    const allowed = tokens >= 1;
    const left = allowed ? tokens - 1 : tokens;
    // Re-inserting keeps the map in least-recently-used order, so the oldest bucket goes first.
    this.buckets.delete(tokenId);
    this.buckets.set(tokenId, { tokens: left, updatedAt: now });
    if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    return {
      allowed,
      limit: this.perMinute,
      remaining: Math.floor(left),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - left) / perMs / 1000)),
    };
  }
}

const globalForLimiter = globalThis as unknown as { porticoApiRateLimiter?: ApiRateLimiter };

/** The process's limiter, made on first use. */
export function apiRateLimiter(): ApiRateLimiter {
  return (globalForLimiter.porticoApiRateLimiter ??= new ApiRateLimiter());
}

/** Replaces the process's limiter (tests use a small limit). */
export function installApiRateLimiter(limiter: ApiRateLimiter): void {
  globalForLimiter.porticoApiRateLimiter = limiter;
}

export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = { "ratelimit-limit": String(decision.limit), "ratelimit-remaining": String(decision.remaining) };
  if (!decision.allowed) headers["retry-after"] = String(decision.retryAfterSeconds);
  return headers;
}
