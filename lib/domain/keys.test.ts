import { describe, expect, it } from "vitest";
import { API_KEY_PREFIX, generateApiKey, keyFingerprint, maskApiKey, MAX_KEY_GRACE_SECONDS } from "./keys";

/** The random part of a key, decoded. */
function secretBytes(key: string): Buffer {
  return Buffer.from(key.slice(API_KEY_PREFIX.length), "base64url");
}

describe("generateApiKey", () => {
  it("starts with ptk_ so secret scanners can spot leaked keys, and is URL- and header-safe", () => {
    const key = generateApiKey();
    expect(API_KEY_PREFIX).toBe("ptk_");
    expect(key).toMatch(/^ptk_[A-Za-z0-9_-]+$/);
  });

  it("carries at least 128 bits", () => {
    const key = generateApiKey();
    expect(secretBytes(key).length).toBeGreaterThanOrEqual(16);
    // Every character after the prefix is a base64url digit: 6 bits each.
    expect((key.length - API_KEY_PREFIX.length) * 6).toBeGreaterThanOrEqual(128);
  });

  it("never repeats, and every byte of the secret varies (no counter, no fixed part)", () => {
    const keys = Array.from({ length: 5000 }, generateApiKey);
    expect(new Set(keys).size).toBe(keys.length);
    const bytes = keys.map(secretBytes);
    for (let position = 0; position < 16; position++) {
      const seen = new Set(bytes.map((b) => b[position]));
      expect(seen.size, `byte ${position}`).toBeGreaterThan(100);
    }
  });
});

describe("keyFingerprint", () => {
  it("is stable for one key and differs between keys", () => {
    const key = generateApiKey();
    expect(keyFingerprint(key)).toBe(keyFingerprint(key));
    expect(keyFingerprint(key)).not.toBe(keyFingerprint(generateApiKey()));
  });

  it("is short and never contains the key or any part of its secret", () => {
    const key = generateApiKey();
    const fingerprint = keyFingerprint(key);
    expect(fingerprint).toMatch(/^[0-9a-f]{8,16}$/);
    const secret = key.slice(API_KEY_PREFIX.length);
    for (let i = 0; i + 6 <= secret.length; i++) expect(fingerprint).not.toContain(secret.slice(i, i + 6));
  });
});

describe("maskApiKey", () => {
  it("shows the prefix and the last four characters only", () => {
    const key = generateApiKey();
    const masked = maskApiKey(key);
    expect(masked.startsWith("ptk_")).toBe(true);
    expect(masked.endsWith(key.slice(-4))).toBe(true);
    expect(masked).not.toContain(key.slice(API_KEY_PREFIX.length, -4));
    expect(masked).toContain("•");
  });

  it("reveals nothing beyond the last four: two keys ending alike mask alike", () => {
    const a = generateApiKey();
    const b = `ptk_${"A".repeat(28)}${a.slice(-4)}`;
    expect(maskApiKey(a)).toBe(maskApiKey(b));
  });
});

it("a rotation grace period is at most 7 days", () => {
  expect(MAX_KEY_GRACE_SECONDS).toBe(7 * 24 * 3600);
});
