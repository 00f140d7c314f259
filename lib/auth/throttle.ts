import { isIPv6 } from "node:net";

/**
 * Password guesses, slowed down with a wait that doubles with each consecutive failure.
 *
 * Two buckets answer every attempt:
 * - (account, address): the brake on guessing one account's password. Its failures never touch
 *   the same account signing in from another address, so an attacker cannot lock the owner out.
 * - address: the brake on trying many accounts from one place (credential stuffing). It lets many
 *   failures through and its wait stays short, because people behind one NAT share it.
 * A bucket is forgotten after an hour without failures. A refused attempt is not a failure, so
 * waiting and trying again never makes the wait longer.
 */

interface Rule {
  /** Failures that cost nothing. */
  free: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure. */
  baseMs: number;
  capMs: number;
}

export const ACCOUNT_RULE: Rule = { free: 5, baseMs: 5_000, capMs: 15 * 60_000 };
export const ADDRESS_RULE: Rule = { free: 20, baseMs: 2_000, capMs: 60_000 };
const FORGET_AFTER_MS = 60 * 60_000;
// About 100 bytes a bucket: a flood of addresses costs at most a few megabytes.
const MAX_BUCKETS = 50_000;

interface Bucket {
  failures: number;
  lastFailureAt: number;
}

/** Oldest failure first: a Map keeps insertion order, and a bucket is re-inserted when it fails. */
const buckets: Map<string, Bucket> = ((globalThis as Record<string, unknown>).__porticoSignInThrottle ??= new Map()) as Map<string, Bucket>;

const accountKey = (account: string, address: string) => `pair:${account.trim().toLowerCase()}|${address}`;
const addressKey = (address: string) => `addr:${address}`;

function live(key: string, now: number): Bucket | undefined {
  const bucket = buckets.get(key);
  return bucket && now - bucket.lastFailureAt < FORGET_AFTER_MS ? bucket : undefined;
}

function waitMs(rule: Rule, bucket: Bucket | undefined, now: number): number {
  if (!bucket || bucket.failures < rule.free) return 0;
  const delay = Math.min(rule.capMs, rule.baseMs * 2 ** (bucket.failures - rule.free));
  return Math.max(0, bucket.lastFailureAt + delay - now);
}

function fail(key: string, now: number): void {
  const failures = (live(key, now)?.failures ?? 0) + 1;
  buckets.delete(key);
  buckets.set(key, { failures, lastFailureAt: now });
  for (const [oldest, bucket] of buckets) {
    if (buckets.size <= MAX_BUCKETS && now - bucket.lastFailureAt < FORGET_AFTER_MS) break;
    buckets.delete(oldest);
  }
}

function refund(key: string): void {
  const bucket = buckets.get(key);
  if (bucket) bucket.failures = Math.max(0, bucket.failures - 1);
}

/** Seconds until this account may try a password from this address; 0 when it may now. */
export function signInRetryAfter(account: string, address: string, now = Date.now()): number {
  const wait = Math.max(waitMs(ACCOUNT_RULE, live(accountKey(account, address), now), now), waitMs(ADDRESS_RULE, live(addressKey(address), now), now));
  return Math.ceil(wait / 1000);
}

/**
 * Asks to check one password. Returns the seconds to wait (nothing is counted), or 0: then the
 * attempt counts as a failure straight away, so parallel guesses cannot all pass the check before
 * the first one fails. Settle it with `signInAttemptSucceeded` or `cancelSignInAttempt`.
 */
export function reserveSignInAttempt(account: string, address: string, now = Date.now()): number {
  const wait = signInRetryAfter(account, address, now);
  if (wait > 0) return wait;
  fail(accountKey(account, address), now);
  fail(addressKey(address), now);
  return 0;
}

/** The password was right: forget this pair's failures, and give the address back its reserved one. */
export function signInAttemptSucceeded(account: string, address: string): void {
  buckets.delete(accountKey(account, address));
  refund(addressKey(address));
}

/** The password was never checked (the check itself failed): give both reserved failures back. */
export function cancelSignInAttempt(account: string, address: string): void {
  refund(accountKey(account, address));
  refund(addressKey(address));
}

/**
 * Asks to send a password reset link to `email` from `address`: the same brakes as signing in, on
 * buckets of their own, so failed sign-ins from an address never stop its reset requests (and the
 * other way round). Returns the seconds to wait, or 0 and counts the request.
 */
export function reservePasswordResetRequest(email: string, address: string, now = Date.now()): number {
  const pair = `reset-pair:${email.trim().toLowerCase()}|${address}`;
  const perAddress = `reset-addr:${address}`;
  const wait = Math.max(waitMs(ACCOUNT_RULE, live(pair, now), now), waitMs(ADDRESS_RULE, live(perAddress, now), now));
  if (wait > 0) return Math.ceil(wait / 1000);
  fail(pair, now);
  fail(perAddress, now);
  return 0;
}

/** How many buckets are held, for tests of the memory bound. */
export function throttleSize(): number {
  return buckets.size;
}

/** "5 seconds", "2 minutes": the wait as people read it. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** The header scripts/start.ts sets from the socket, after dropping any copy a client sent. */
export const CLIENT_ADDRESS_HEADER = "x-portico-client-address";

/**
 * The address a request comes from. `trustedProxies` is how many reverse proxies of ours stand in
 * front of Portico: each appends to X-Forwarded-For, so the client is that many entries from the
 * right. With none, X-Forwarded-For is whatever the client wrote and is ignored.
 */
export function clientAddress(headers: Headers, trustedProxies: number): string {
  const socket = headers.get(CLIENT_ADDRESS_HEADER)?.trim() || "unknown";
  if (trustedProxies <= 0) return addressBucket(socket);
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const client = hops.length >= trustedProxies ? hops[hops.length - trustedProxies] : hops[0];
  return addressBucket(client ?? socket);
}

/**
 * The key an address is throttled under. An IPv6 client usually holds a whole /64, so the /64 is
 * the unit; an IPv4 address mapped into IPv6 is its IPv4 form.
 */
export function addressBucket(address: string): string {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  if (!isIPv6(plain)) return plain;
  const [head, tail = ""] = plain.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = plain.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
