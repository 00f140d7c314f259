import { hash, randomBytes } from "node:crypto";
import { and, eq, gt, lte } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { sessions, users } from "@/db/schema";

/**
 * Signed-in sessions. The session cookie is a sealed token that carries a random session id; the
 * database keeps only the id's SHA-256 digest. A session is alive while its row exists, has not
 * expired and its user is not disabled: deleting the row ends it at once, cookie or not.
 */

/** A session lasts seven days from sign-in, however active it is. */
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export function sessionDigest(sessionId: string): string {
  return hash("sha256", sessionId, "hex");
}

// 32 random bytes in base64url: 43 characters. Anything else is not one of ours.
const isSessionId = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);

/** Starts a session for a user whose credentials were just checked; returns the id for the cookie. */
export async function createSession(db: Queryable, userId: string, now = new Date()): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.insert(sessions).values({ idDigest: sessionDigest(sessionId), userId, createdAt: now, expiresAt });
  // Signing in is rare next to reading pages: a good moment to drop the rows that can no longer be used.
  await deleteExpiredSessions(db, now);
  return { sessionId, expiresAt };
}

/** The user id of a live session, or null when it was ended, expired, or its user is disabled. */
export async function verifySession(db: Queryable, sessionId: unknown, now = new Date()): Promise<string | null> {
  if (!isSessionId(sessionId)) return null;
  const [row] = await db
    .select({ userId: sessions.userId })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idDigest, sessionDigest(sessionId)), gt(sessions.expiresAt, now), eq(users.disabled, false)));
  return row?.userId ?? null;
}

/** Ends one session (sign-out). Ending a session that is already gone is not an error. */
export async function revokeSession(db: Queryable, sessionId: unknown): Promise<void> {
  if (!isSessionId(sessionId)) return;
  await db.delete(sessions).where(eq(sessions.idDigest, sessionDigest(sessionId)));
}

/** Ends every session of a user (password changed, account disabled); returns how many were ended. */
export async function revokeUserSessions(db: Queryable, userId: string): Promise<number> {
  const ended = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ idDigest: sessions.idDigest });
  return ended.length;
}

export async function deleteExpiredSessions(db: Queryable, now = new Date()): Promise<number> {
  const gone = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ idDigest: sessions.idDigest });
  return gone.length;
}
