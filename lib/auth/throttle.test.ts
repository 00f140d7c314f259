import { describe, expect, it } from "vitest";
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from "./throttle";

describe("the sign-in throttle", () => {
  it("stops an email after five failures for the rest of the window, then lets it try again", () => {
    const now = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(signInRetryAfter("a@example.test", "10.0.0.1", now)).toBe(0);
      recordSignInFailure("A@example.test", "10.0.0.1", now);
    }
    expect(signInRetryAfter("a@example.test", "10.0.0.2", now)).toBe(15 * 60);
    expect(signInRetryAfter("a@example.test", "10.0.0.2", now + 15 * 60 * 1000)).toBe(0);
  });

  it("stops an address after twenty failures across emails", () => {
    const now = 5_000_000;
    for (let i = 0; i < 20; i++) recordSignInFailure(`user${i}@example.test`, "10.9.9.9", now);
    expect(signInRetryAfter("fresh@example.test", "10.9.9.9", now)).toBeGreaterThan(0);
    expect(signInRetryAfter("fresh@example.test", "10.9.9.8", now)).toBe(0);
  });

  it("forgets an email's failures after a successful sign-in", () => {
    const now = 9_000_000;
    for (let i = 0; i < 4; i++) recordSignInFailure("b@example.test", "10.1.1.1", now);
    clearSignInFailures("b@example.test");
    for (let i = 0; i < 4; i++) recordSignInFailure("b@example.test", "10.1.1.2", now);
    expect(signInRetryAfter("b@example.test", "10.1.1.3", now)).toBe(0);
  });
});
