import { describe, expect, it } from "vitest";
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  addressBucket,
  cancelSignInAttempt,
  CLIENT_ADDRESS_HEADER,
  clientAddress,
  describeWait,
  reservePasswordResetRequest,
  reserveSignInAttempt,
  signInAttemptSucceeded,
  signInRetryAfter,
  throttleSize,
} from "./throttle";

let counter = 0;
/** A fresh account and address for each test: the throttle is one process-wide memory. */
function fresh() {
  counter++;
  return { email: `user${counter}@example.test`, address: `10.${counter >> 8}.${counter & 255}.1`, now: counter * 10_000_000_000 };
}

/** One wrong password: reserved, checked, not settled. */
function failOnce(email: string, address: string, now: number) {
  expect(reserveSignInAttempt(email, address, now)).toBe(0);
}

function request(socket: string, forwardedFor?: string) {
  const headers = new Headers({ [CLIENT_ADDRESS_HEADER]: socket });
  if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
  return headers;
}

describe("the sign-in throttle", () => {
  it("lets the first wrong passwords through, then makes the next try wait", () => {
    const { email, address, now } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free; i++) failOnce(email, address, now);
    expect(signInRetryAfter(email, address, now)).toBe(ACCOUNT_RULE.baseMs / 1000);
    expect(signInRetryAfter(email, address, now + ACCOUNT_RULE.baseMs)).toBe(0);
  });

  it("doubles the wait with each further failure, up to the cap", () => {
    const { email, address } = fresh();
    let now = fresh().now;
    for (let i = 0; i < ACCOUNT_RULE.free; i++) failOnce(email, address, now);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const wait = signInRetryAfter(email, address, now);
      waits.push(wait);
      now += wait * 1000;
      failOnce(email, address, now);
    }
    expect(waits.slice(0, 4)).toEqual([5, 10, 20, 40]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(Math.max(...waits)).toBe(ACCOUNT_RULE.capMs / 1000);
  });

  it("refuses while waiting without counting the refusal, so trying again never lengthens the wait", () => {
    const { email, address, now } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free; i++) failOnce(email, address, now);
    const wait = reserveSignInAttempt(email, address, now + 1000);
    expect(wait).toBe(4);
    expect(reserveSignInAttempt(email, address, now + 2000)).toBe(3);
    expect(signInRetryAfter(email, address, now + ACCOUNT_RULE.baseMs)).toBe(0);
  });

  it("counts an attempt as it starts, so parallel guesses cannot all slip past the check", () => {
    const { email, address, now } = fresh();
    const answers = Array.from({ length: 20 }, () => reserveSignInAttempt(email, address, now));
    expect(answers.filter((wait) => wait === 0)).toHaveLength(ACCOUNT_RULE.free);
  });

  it("never slows the owner signing in from another address, whatever an attacker did", () => {
    const { email, address: attacker, now } = fresh();
    const { address: owner } = fresh();
    for (let i = 0; i < 30; i++) reserveSignInAttempt(email, attacker, now);
    expect(signInRetryAfter(email, attacker, now)).toBeGreaterThan(0);
    expect(reserveSignInAttempt(email, owner, now)).toBe(0);
    signInAttemptSucceeded(email, owner);
  });

  it("forgets an (account, address) pair's failures when the right password comes, and only that pair's", () => {
    const { email, address, now } = fresh();
    const { address: other } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free - 1; i++) {
      failOnce(email, address, now);
      failOnce(email, other, now);
    }
    expect(reserveSignInAttempt(email, address, now)).toBe(0);
    signInAttemptSucceeded(email, address);
    for (let i = 0; i < ACCOUNT_RULE.free - 1; i++) failOnce(email, address, now);
    expect(signInRetryAfter(email, address, now)).toBe(0);
    failOnce(email, other, now);
    expect(signInRetryAfter(email, other, now)).toBeGreaterThan(0);
  });

  it("gives a reserved attempt back when the password could not be checked at all", () => {
    const { email, address, now } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free - 1; i++) failOnce(email, address, now);
    expect(reserveSignInAttempt(email, address, now)).toBe(0);
    cancelSignInAttempt(email, address);
    expect(signInRetryAfter(email, address, now)).toBe(0);
  });

  it("slows an address that tries many accounts, briefly, and not other addresses", () => {
    const { address, now } = fresh();
    const { address: neighbour } = fresh();
    for (let i = 0; i < ADDRESS_RULE.free; i++) failOnce(`victim${i}@example.test`, address, now);
    expect(signInRetryAfter("someone.new@example.test", address, now)).toBe(ADDRESS_RULE.baseMs / 1000);
    expect(signInRetryAfter("someone.new@example.test", neighbour, now)).toBe(0);
    for (let i = 0; i < 20; i++) reserveSignInAttempt(`more${i}@example.test`, address, now + i * ADDRESS_RULE.capMs);
    expect(signInRetryAfter("someone.new@example.test", address, now + 20 * ADDRESS_RULE.capMs)).toBeLessThanOrEqual(ADDRESS_RULE.capMs / 1000);
  });

  it("forgets a bucket after an hour without failures", () => {
    const { email, address, now } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free + 3; i++) reserveSignInAttempt(email, address, now);
    expect(signInRetryAfter(email, address, now)).toBeGreaterThan(0);
    expect(reserveSignInAttempt(email, address, now + 60 * 60_000)).toBe(0);
    expect(signInRetryAfter(email, address, now + 60 * 60_000)).toBe(0);
  });

  it("keeps its memory bounded when failures come from ever new addresses", () => {
    const { now } = fresh();
    for (let i = 0; i < 60_000; i++) reserveSignInAttempt("flood@example.test", `flood-${i}`, now);
    expect(throttleSize()).toBeLessThanOrEqual(50_000);
  });

  it("treats an email the same whatever its case and spaces", () => {
    const { address, now } = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free; i++) failOnce(i % 2 ? " Case@Example.test" : "case@example.test", address, now);
    expect(signInRetryAfter("CASE@example.test", address, now)).toBeGreaterThan(0);
  });

  it("says the wait in seconds or whole minutes", () => {
    expect([describeWait(1), describeWait(5), describeWait(60), describeWait(61), describeWait(900)]).toEqual(["1 second", "5 seconds", "1 minute", "2 minutes", "15 minutes"]);
  });
});

describe("password reset requests", () => {
  it("have brakes of their own: failed sign-ins from an address do not stop its reset requests, nor the other way round", () => {
    const { email, address, now } = fresh();
    for (let i = 0; i < ADDRESS_RULE.free + 5; i++) reserveSignInAttempt(`other${i}@example.test`, address, now);
    expect(signInRetryAfter("someone@example.test", address, now)).toBeGreaterThan(0);
    expect(reservePasswordResetRequest(email, address, now)).toBe(0);

    const second = fresh();
    for (let i = 0; i < ACCOUNT_RULE.free; i++) expect(reservePasswordResetRequest(second.email, second.address, second.now)).toBe(0);
    expect(reservePasswordResetRequest(second.email, second.address, second.now)).toBeGreaterThan(0);
    expect(signInRetryAfter(second.email, second.address, second.now)).toBe(0);
  });
});

describe("the address a sign-in comes from", () => {
  it("is the socket's when no proxy is trusted: rotating X-Forwarded-For does not escape the limit", () => {
    const { email, now } = fresh();
    const socket = `192.0.2.${counter & 255}`;
    for (let i = 0; i < ACCOUNT_RULE.free; i++) {
      const address = clientAddress(request(socket, `203.0.113.${i}`), 0);
      expect(address).toBe(socket);
      failOnce(email, address, now);
    }
    expect(signInRetryAfter(email, clientAddress(request(socket, "198.51.100.77"), 0), now)).toBeGreaterThan(0);
  });

  it("behind trusted proxies, is the entry that many hops from the right, whatever the client prepended", () => {
    expect(clientAddress(request("10.0.0.9", "6.6.6.6, 203.0.113.5"), 1)).toBe("203.0.113.5");
    expect(clientAddress(request("10.0.0.9", "6.6.6.6, 203.0.113.5, 10.0.0.2"), 2)).toBe("203.0.113.5");
    expect(clientAddress(request("10.0.0.9", "203.0.113.5"), 2)).toBe("203.0.113.5");
    expect(clientAddress(request("10.0.0.9"), 1)).toBe("10.0.0.9");
  });

  it("is one bucket per IPv6 /64, and plain IPv4 for a mapped address", () => {
    expect(addressBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8::7")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressBucket("192.0.2.1")).toBe("192.0.2.1");
    expect(clientAddress(new Headers(), 0)).toBe("unknown");
  });
});
