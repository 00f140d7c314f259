import { createHash } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";
import { DomainError, parseInput } from "./errors";

/**
 * Idempotency-Key for /api/v1 POST requests: the first request with a key acts and its answer is
 * kept for 24 hours; a retry with the same key and the same request gets that answer again; the
 * same key with another request is refused (422); a retry while the first is still running is
 * told to wait (409). Keys belong to a user: two users may pick the same key.
 */

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const idempotencyKeySchema = z
  .string()
  .min(1, "An Idempotency-Key needs at least one character.")
  .max(255, "An Idempotency-Key has at most 255 characters.")
  .regex(/^[\x21-\x7e]+$/, "An Idempotency-Key is printable ASCII without spaces.");

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim = { kind: "claimed"; id: string } | { kind: "replay"; answer: StoredAnswer };

/** SHA-256 over what makes two requests the same request. */
export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method}\n${path}\n`).update(body).digest("base64url");
}

/**
 * Claims `key` for this request, or answers with what the first request with it answered.
 * Expired claims are removed first, so a key may be reused after 24 hours.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  userId: string,
  rawKey: string,
  fingerprint: string,
  now = new Date(),
): Promise<IdempotencyClaim> {
  const key = parseInput(z.object({ "Idempotency-Key": idempotencyKeySchema }), { "Idempotency-Key": rawKey })["Idempotency-Key"];
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)));
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({ userId, key, fingerprint, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: idempotencyKeys.id });
  if (claimed) return { kind: "claimed", id: claimed.id };

  const [first] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  // Removed between the insert and the read (its request failed): the retry may try again.
  if (!first) throw new DomainError("idempotency_in_progress");
  if (first.fingerprint !== fingerprint) throw new DomainError("idempotency_key_reused");
  if (first.status === null || first.body === null) throw new DomainError("idempotency_in_progress");
  return { kind: "replay", answer: { status: first.status, headers: first.headers ?? {}, body: first.body } };
}

/** Keeps the answer of a claimed request for its retries. */
export async function completeIdempotencyKey(db: Queryable, id: string, answer: StoredAnswer): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ status: answer.status, headers: answer.headers, body: answer.body })
    .where(and(eq(idempotencyKeys.id, id), isNull(idempotencyKeys.status)));
}

/** Frees a claim whose request failed on our side, so a retry acts again. */
export async function releaseIdempotencyKey(db: Queryable, id: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.id, id), isNull(idempotencyKeys.status)));
}
