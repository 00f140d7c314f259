/** Failed sign-ins remembered per email and per address, to slow down password guessing. */
const WINDOW_MS = 15 * 60 * 1000;
const MAX_PER_EMAIL = 5;
const MAX_PER_ADDRESS = 20;

interface Bucket {
  failures: number;
  resetAt: number;
}

const buckets: Map<string, Bucket> = ((globalThis as Record<string, unknown>).__porticoSignInThrottle ??= new Map()) as Map<string, Bucket>;

function bucket(key: string, now: number): Bucket {
  let b = buckets.get(key);
  if (!b || b.resetAt <= now) {
    b = { failures: 0, resetAt: now + WINDOW_MS };
    buckets.set(key, b);
  }
  return b;
}

function keys(email: string, address: string): [string, number][] {
  return [
    [`email:${email.trim().toLowerCase()}`, MAX_PER_EMAIL],
    [`addr:${address}`, MAX_PER_ADDRESS],
  ];
}

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export function signInRetryAfter(email: string, address: string, now = Date.now()): number {
  let wait = 0;
  for (const [key, max] of keys(email, address)) {
    const b = bucket(key, now);
    if (b.failures >= max) wait = Math.max(wait, Math.ceil((b.resetAt - now) / 1000));
  }
  return wait;
}

export function recordSignInFailure(email: string, address: string, now = Date.now()): void {
  for (const [key] of keys(email, address)) bucket(key, now).failures++;
}

export function clearSignInFailures(email: string): void {
  buckets.delete(`email:${email.trim().toLowerCase()}`);
}
