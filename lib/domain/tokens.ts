import { hash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { accessTokens, users } from "@/db/schema";
import { DomainError, parseInput } from "./errors";
import { type Actor, loadActor } from "./permissions";
import { plainText, TEXT_LIMITS } from "./text";
import { ACCESS_TOKEN_EXPIRY_DAYS, ACCESS_TOKEN_SCOPES, type AccessTokenScope, SCOPE_MESSAGE } from "./token-options";

export { ACCESS_TOKEN_EXPIRY_DAYS, ACCESS_TOKEN_SCOPES, type AccessTokenScope };

/**
 * Personal access tokens for the REST API. A token acts as its user, never with more rights: the
 * domain's permission checks run on the same Actor the portal uses. Only the token's SHA-256 digest
 * is stored; the token itself is returned once, when it is made.
 */

export const ACCESS_TOKEN_PREFIX = "pat_";

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_LIFETIME_MS = 365 * DAY_MS;
/** lastUsedAt is a hint for people, not an audit log: one write a minute per token is enough. */
const LAST_USED_GRANULARITY_MS = 60 * 1000;

// "pat_" and 32 random bytes in base64url (43 characters). Anything else is not one of ours.
const TOKEN_SHAPE = /^pat_[A-Za-z0-9_-]{43}$/;

export function accessTokenDigest(token: string): string {
  return hash("sha256", token, "hex");
}

/** A new token: 256 bits from the CSPRNG, prefixed so secret scanners can spot it. */
function generateAccessToken(): string {
  return ACCESS_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export type AccessTokenRow = typeof accessTokens.$inferSelect;
/** What a list shows: never the digest. */
export type AccessTokenSummary = Omit<AccessTokenRow, "tokenDigest" | "userId">;

const createSchema = z
  .object({
    name: plainText({ max: TEXT_LIMITS.name, min: 1 }),
    scope: z.enum(ACCESS_TOKEN_SCOPES, { error: SCOPE_MESSAGE }),
    expiresInDays: z.coerce
      .number()
      .refine((days) => (ACCESS_TOKEN_EXPIRY_DAYS as readonly number[]).includes(days), "Choose 30, 90 or 365 days")
      .optional(),
    expiresAt: z.coerce.date({ error: "Enter a date" }).optional(),
  })
  .refine((input) => (input.expiresInDays === undefined) !== (input.expiresAt === undefined), {
    message: "Choose an expiry: a number of days or a date",
    path: ["expiresInDays"],
  });

export type CreateAccessTokenInput = z.input<typeof createSchema>;

const summaryColumns = {
  id: accessTokens.id,
  name: accessTokens.name,
  scope: accessTokens.scope,
  createdAt: accessTokens.createdAt,
  expiresAt: accessTokens.expiresAt,
  lastUsedAt: accessTokens.lastUsedAt,
  revokedAt: accessTokens.revokedAt,
};

/** Makes a token for the actor; the token is in the answer once and never again. */
export async function createAccessToken(
  db: Queryable,
  actor: Actor,
  input: CreateAccessTokenInput,
  now = new Date(),
): Promise<{ token: string; accessToken: AccessTokenSummary }> {
  const data = parseInput(createSchema, input);
  const expiresAt = data.expiresAt ?? new Date(now.getTime() + data.expiresInDays! * DAY_MS);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new DomainError("validation_failed", "expiresAt: Choose a date in the future", { expiresAt: "Choose a date in the future" });
  }
  if (expiresAt.getTime() > now.getTime() + MAX_LIFETIME_MS) {
    throw new DomainError("validation_failed", "expiresAt: A token lasts at most one year", { expiresAt: "A token lasts at most one year" });
  }
  const token = generateAccessToken();
  const [accessToken] = await db
    .insert(accessTokens)
    .values({ userId: actor.userId, name: data.name, scope: data.scope, tokenDigest: accessTokenDigest(token), createdAt: now, expiresAt })
    .returning(summaryColumns);
  return { token, accessToken };
}

/** The actor's own tokens, newest first, revoked and expired ones included. */
export async function listAccessTokens(db: Queryable, actor: Actor): Promise<AccessTokenSummary[]> {
  return db
    .select(summaryColumns)
    .from(accessTokens)
    .where(eq(accessTokens.userId, actor.userId))
    .orderBy(desc(accessTokens.createdAt), desc(accessTokens.id));
}

/** Ends one of the actor's tokens at once. Another user's token is not_found: its id reveals nothing. */
export async function revokeAccessToken(db: Queryable, actor: Actor, tokenId: string, now = new Date()): Promise<void> {
  if (!z.uuid().safeParse(tokenId).success) throw new DomainError("not_found", "That access token does not exist.");
  const [row] = await db
    .select({ id: accessTokens.id, revokedAt: accessTokens.revokedAt })
    .from(accessTokens)
    .where(and(eq(accessTokens.id, tokenId), eq(accessTokens.userId, actor.userId)));
  if (!row) throw new DomainError("not_found", "That access token does not exist.");
  // Revoking twice keeps the first time.
  if (row.revokedAt) return;
  await db.update(accessTokens).set({ revokedAt: now }).where(eq(accessTokens.id, tokenId));
}

/** Ends every live token of a user (account disabled), as revokeUserSessions ends their sessions. */
export async function revokeUserAccessTokens(db: Queryable, userId: string, now = new Date()): Promise<number> {
  const ended = await db
    .update(accessTokens)
    .set({ revokedAt: now })
    .where(and(eq(accessTokens.userId, userId), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  return ended.length;
}

export interface TokenAuthentication {
  actor: Actor;
  scope: AccessTokenScope;
  tokenId: string;
}

/**
 * The user a bearer token acts for, re-read as an Actor, and the token's scope. Unknown, malformed,
 * revoked and expired tokens, and tokens of disabled users, all fail the same way: token_invalid.
 */
export async function authenticateAccessToken(db: Queryable, bearer: unknown, now = new Date()): Promise<TokenAuthentication> {
  if (typeof bearer !== "string" || !TOKEN_SHAPE.test(bearer)) throw new DomainError("token_invalid");
  const [row] = await db
    .select({ id: accessTokens.id, userId: accessTokens.userId, scope: accessTokens.scope, lastUsedAt: accessTokens.lastUsedAt })
    .from(accessTokens)
    .innerJoin(users, eq(users.id, accessTokens.userId))
    .where(
      and(
        eq(accessTokens.tokenDigest, accessTokenDigest(bearer)),
        isNull(accessTokens.revokedAt),
        gt(accessTokens.expiresAt, now),
        eq(users.disabled, false),
      ),
    );
  if (!row) throw new DomainError("token_invalid");
  const actor = await loadActor(db, row.userId);
  if (!actor) throw new DomainError("token_invalid");
  await touchLastUsed(db, row.id, row.lastUsedAt, now);
  return { actor, scope: row.scope, tokenId: row.id };
}

async function touchLastUsed(db: Queryable, tokenId: string, lastUsedAt: Date | null, now: Date): Promise<void> {
  if (lastUsedAt && now.getTime() - lastUsedAt.getTime() < LAST_USED_GRANULARITY_MS) return;
  const staleBefore = new Date(now.getTime() - LAST_USED_GRANULARITY_MS);
  // The condition repeats the check, so concurrent requests write at most once.
  await db
    .update(accessTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(accessTokens.id, tokenId), or(isNull(accessTokens.lastUsedAt), lt(accessTokens.lastUsedAt, staleBefore))));
}

/** Writing needs a `write` token; `write` implies `read`. */
export function requireTokenScope(scope: AccessTokenScope, needed: AccessTokenScope): void {
  if (needed === "write" && scope !== "write") throw new DomainError("token_read_only");
}
