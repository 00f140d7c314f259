import { randomBytes } from "node:crypto";
import { z } from "zod";
import { digestApiKey, KeyUnreadableError, openApiKey } from "./key-vault";

export const API_KEY_PREFIX = "ptk_";

/** A new API key: 192 bits from the CSPRNG, prefixed so secret scanners can spot it. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** A short, stable fingerprint for logs: never log the key itself. */
export function keyFingerprint(key: string): string {
  return fingerprintOfDigest(digestApiKey(key));
}

/** The same fingerprint from the key's digest, for the gateway, which holds only digests. */
export function fingerprintOfDigest(digest: string): string {
  return digest.slice(0, 12);
}

const MASK_DOTS = "•".repeat(8);

/** The key as shown before Reveal: prefix and last four characters (an imported key shows no prefix). */
export function maskApiKey(key: string): string {
  return `${key.startsWith(API_KEY_PREFIX) ? API_KEY_PREFIX : ""}${MASK_DOTS}${key.slice(-4)}`;
}

/** How a client version stores one of its keys: sealed, or in plain text until start-up seals it. */
export interface StoredApiKey {
  sealed: string | null;
  legacy: string | null;
}

/** A stored key in clear, server-side only; null when the row has none. */
export function readStoredApiKey(clientVersionId: string, stored: StoredApiKey): string | null {
  if (stored.sealed) return openApiKey(stored.sealed, clientVersionId);
  return stored.legacy;
}

/** The mask of a stored key; one this secret cannot open is shown without its last four characters. */
export function maskStoredApiKey(clientVersionId: string, stored: StoredApiKey): string {
  try {
    const key = readStoredApiKey(clientVersionId, stored);
    if (key) return maskApiKey(key);
  } catch (error) {
    if (!(error instanceof KeyUnreadableError)) throw error;
  }
  return `${API_KEY_PREFIX}${MASK_DOTS}`;
}

export const MAX_KEY_GRACE_SECONDS = 7 * 24 * 60 * 60;

export const IMPORTED_KEY_MIN = 32;
export const IMPORTED_KEY_MAX = 128;

/**
 * A key brought from another gateway by an organization owner: long enough to be a secret, and
 * only characters that travel unescaped in a header or a query string (RFC 3986 unreserved).
 */
export const importedApiKeySchema = z
  .string()
  .min(IMPORTED_KEY_MIN, `At least ${IMPORTED_KEY_MIN} characters`)
  .max(IMPORTED_KEY_MAX, `At most ${IMPORTED_KEY_MAX} characters`)
  .regex(/^[A-Za-z0-9._~-]+$/, "Only letters, digits and . _ ~ -");
