import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "ptk_";

/** A new API key: 192 bits from the CSPRNG, prefixed so secret scanners can spot it. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** A short, stable fingerprint for logs: never log the key itself. */
export function keyFingerprint(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

/** The key as shown before Reveal: prefix and last four characters. */
export function maskApiKey(key: string): string {
  return `${API_KEY_PREFIX}${"•".repeat(8)}${key.slice(-4)}`;
}

export const MAX_KEY_GRACE_SECONDS = 7 * 24 * 60 * 60;
