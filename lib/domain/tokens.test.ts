import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { accessTokens, users } from "@/db/schema";
import type { Actor } from "./permissions";
import { expectCode, makeOrg, makeUser, openTestDb } from "./test-fixtures";
import {
  accessTokenDigest,
  authenticateAccessToken,
  createAccessToken,
  listAccessTokens,
  requireTokenScope,
  revokeAccessToken,
} from "./tokens";
import { updateUserAccess } from "./users";

let open: OpenDatabase;
let db: Db;
let admin: Actor;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  admin = await makeUser(db, "admin");
});
afterAll(() => open?.close());

const DAY = 24 * 60 * 60 * 1000;
const INVALID = "That access token is not valid: it may be mistyped, revoked or expired.";

describe("access tokens", () => {
  it("a new token is shown once, acts as its user with its scope, and only its digest is stored", async () => {
    const { owner } = await makeOrg(db, await makeUser(db, "manager"));
    const { token, accessToken } = await createAccessToken(db, owner, { name: "  CI pipeline ", expiresInDays: 90, scope: "write" });
    expect(token).toMatch(/^pat_[A-Za-z0-9_-]{43}$/);
    expect(accessToken).toMatchObject({ name: "CI pipeline", scope: "write", lastUsedAt: null, revokedAt: null });
    expect(accessToken.expiresAt.getTime() - accessToken.createdAt.getTime()).toBe(90 * DAY);
    expect(accessToken).not.toHaveProperty("tokenDigest");

    const { actor, scope } = await authenticateAccessToken(db, token);
    expect(actor).toEqual(owner);
    expect(scope).toBe("write");

    const dump = JSON.stringify(await db.select().from(accessTokens));
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));
    const [row] = await db.select().from(accessTokens).where(eq(accessTokens.id, accessToken.id));
    expect(row.tokenDigest).toBe(accessTokenDigest(token));
    expect(row.tokenDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("each token is its own random string", async () => {
    const user = await makeUser(db, "portal");
    const [a, b] = await Promise.all([
      createAccessToken(db, user, { name: "a", expiresInDays: 30, scope: "read" }),
      createAccessToken(db, user, { name: "a", expiresInDays: 30, scope: "read" }),
    ]);
    expect(a.token).not.toBe(b.token);
  });

  it("lists only the actor's own tokens, newest first, without digests", async () => {
    const [user, other] = await Promise.all([makeUser(db, "portal"), makeUser(db, "portal")]);
    const t0 = new Date("2026-01-01T00:00:00Z");
    await createAccessToken(db, user, { name: "older", expiresInDays: 30, scope: "read" }, t0);
    await createAccessToken(db, user, { name: "newer", expiresInDays: 365, scope: "write" }, new Date(t0.getTime() + 1000));
    await createAccessToken(db, other, { name: "not mine", expiresInDays: 30, scope: "read" });
    const list = await listAccessTokens(db, user);
    expect(list.map((t) => [t.name, t.scope])).toEqual([
      ["newer", "write"],
      ["older", "read"],
    ]);
    expect(Object.keys(list[0]).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name", "revokedAt", "scope"]);
  });

  it("refuses bad names, scopes and expiries with a sentence per field", async () => {
    const user = await makeUser(db, "portal");
    const now = new Date("2026-03-01T00:00:00Z");
    let error = await expectCode(createAccessToken(db, user, { name: " ", expiresInDays: 30, scope: "read" }), "validation_failed", 400);
    expect(error.fields?.name).toBe("Required");
    error = await expectCode(createAccessToken(db, user, { name: "a\u0000b", expiresInDays: 30, scope: "read" }), "validation_failed");
    expect(error.fields?.name).toMatch(/control characters/);
    error = await expectCode(createAccessToken(db, user, { name: "x".repeat(121), expiresInDays: 30, scope: "read" }), "validation_failed");
    expect(error.fields?.name).toBe("At most 120 characters");
    error = await expectCode(createAccessToken(db, user, { name: "x", expiresInDays: 30, scope: "admin" as "read" }), "validation_failed");
    expect(error.fields?.scope).toBeDefined();
    error = await expectCode(createAccessToken(db, user, { name: "x", expiresInDays: 7, scope: "read" }), "validation_failed");
    expect(error.fields?.expiresInDays).toBe("Choose 30, 90 or 365 days");
    await expectCode(createAccessToken(db, user, { name: "x", scope: "read" }), "validation_failed");
    error = await expectCode(
      createAccessToken(db, user, { name: "x", expiresAt: new Date(now.getTime() + 366 * DAY), scope: "read" }, now),
      "validation_failed",
    );
    expect(error.fields?.expiresAt).toBe("A token lasts at most one year");
    error = await expectCode(createAccessToken(db, user, { name: "x", expiresAt: new Date(now.getTime() - 1), scope: "read" }, now), "validation_failed");
    expect(error.fields?.expiresAt).toBe("Choose a date in the future");
    const { accessToken } = await createAccessToken(db, user, { name: "dated", expiresAt: "2026-06-01T00:00:00Z", scope: "read" }, now);
    expect(accessToken.expiresAt.toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(await listAccessTokens(db, user)).toHaveLength(1);
  });

  it("stops working at its expiry, told by an injected clock", async () => {
    const user = await makeUser(db, "portal");
    const t0 = new Date("2026-02-01T00:00:00Z");
    const { token } = await createAccessToken(db, user, { name: "short", expiresInDays: 30, scope: "read" }, t0);
    expect((await authenticateAccessToken(db, token, new Date(t0.getTime() + 30 * DAY - 1))).actor.userId).toBe(user.userId);
    const error = await expectCode(authenticateAccessToken(db, token, new Date(t0.getTime() + 30 * DAY)), "token_invalid", 401);
    expect(error.message).toBe(INVALID);
  });

  it("revoking ends a token at once; revoking twice is harmless and keeps the first time", async () => {
    const user = await makeUser(db, "portal");
    const { token, accessToken } = await createAccessToken(db, user, { name: "to end", expiresInDays: 30, scope: "read" });
    const first = new Date(Date.now() + 1000);
    await revokeAccessToken(db, user, accessToken.id, first);
    expect((await expectCode(authenticateAccessToken(db, token), "token_invalid")).message).toBe(INVALID);
    await revokeAccessToken(db, user, accessToken.id, new Date(first.getTime() + 5000));
    const [listed] = await listAccessTokens(db, user);
    expect(listed.revokedAt?.getTime()).toBe(first.getTime());
  });

  it("another user's token id, or no id at all, is not_found and stays alive", async () => {
    const [user, other] = await Promise.all([makeUser(db, "portal"), makeUser(db, "portal")]);
    const { token, accessToken } = await createAccessToken(db, user, { name: "mine", expiresInDays: 30, scope: "read" });
    await expectCode(revokeAccessToken(db, other, accessToken.id), "not_found", 404);
    await expectCode(revokeAccessToken(db, admin, accessToken.id), "not_found", 404);
    await expectCode(revokeAccessToken(db, other, "not-a-uuid"), "not_found", 404);
    await expectCode(revokeAccessToken(db, other, "00000000-0000-0000-0000-000000000000"), "not_found", 404);
    expect((await authenticateAccessToken(db, token)).actor.userId).toBe(user.userId);
  });

  it("disabling a user ends their tokens for good; a user disabled by any means is refused", async () => {
    const user = await makeUser(db, "portal");
    const { token } = await createAccessToken(db, user, { name: "ci", expiresInDays: 30, scope: "write" });
    await updateUserAccess(db, admin, { userId: user.userId, profile: "portal", disabled: true });
    expect((await expectCode(authenticateAccessToken(db, token), "token_invalid", 401)).message).toBe(INVALID);
    await updateUserAccess(db, admin, { userId: user.userId, profile: "portal", disabled: false });
    await expectCode(authenticateAccessToken(db, token), "token_invalid", 401);
    expect((await listAccessTokens(db, user))[0].revokedAt).toBeInstanceOf(Date);

    const other = await makeUser(db, "portal");
    const second = await createAccessToken(db, other, { name: "ci", expiresInDays: 30, scope: "read" });
    await db.update(users).set({ disabled: true }).where(eq(users.id, other.userId));
    expect((await expectCode(authenticateAccessToken(db, second.token), "token_invalid", 401)).message).toBe(INVALID);
  });

  it("refuses malformed bearer strings with the same sentence", async () => {
    const user = await makeUser(db, "portal");
    const { token } = await createAccessToken(db, user, { name: "real", expiresInDays: 30, scope: "read" });
    const body = token.slice(4);
    const bad: unknown[] = [
      undefined,
      null,
      42,
      "",
      "pat_",
      body,
      `ptk_${body}`,
      `PAT_${body}`,
      `${token}x`,
      ` ${token}`,
      `pat_${body.slice(0, 42)}\u0000`,
      `pat_${"A".repeat(1_000_000)}`,
      `pat_${"\ud800".repeat(43)}`,
      `pat_${"A".repeat(43)}`,
    ];
    for (const bearer of bad) {
      expect((await expectCode(authenticateAccessToken(db, bearer), "token_invalid", 401)).message).toBe(INVALID);
    }
  });

  it("records the last use at most once a minute", async () => {
    const user = await makeUser(db, "portal");
    const t0 = new Date("2026-04-01T00:00:00Z");
    const { token, accessToken } = await createAccessToken(db, user, { name: "busy", expiresInDays: 30, scope: "read" }, t0);
    const lastUsed = async () => (await db.select().from(accessTokens).where(eq(accessTokens.id, accessToken.id)))[0].lastUsedAt?.getTime();
    await authenticateAccessToken(db, token, new Date(t0.getTime() + 1000));
    expect(await lastUsed()).toBe(t0.getTime() + 1000);
    await authenticateAccessToken(db, token, new Date(t0.getTime() + 30_000));
    expect(await lastUsed()).toBe(t0.getTime() + 1000);
    await Promise.all([61_000, 62_000, 63_000].map((ms) => authenticateAccessToken(db, token, new Date(t0.getTime() + ms))));
    expect([t0.getTime() + 61_000, t0.getTime() + 62_000, t0.getTime() + 63_000]).toContain(await lastUsed());
  });

  it("a user deleted with cascade takes their tokens along", async () => {
    const user = await makeUser(db, "portal");
    await createAccessToken(db, user, { name: "gone", expiresInDays: 30, scope: "read" });
    await db.delete(users).where(eq(users.id, user.userId));
    expect(await db.select().from(accessTokens).where(eq(accessTokens.userId, user.userId))).toEqual([]);
  });

  it("write implies read; a read token may not write", () => {
    expect(() => requireTokenScope("write", "write")).not.toThrow();
    expect(() => requireTokenScope("write", "read")).not.toThrow();
    expect(() => requireTokenScope("read", "read")).not.toThrow();
    expect(() => requireTokenScope("read", "write")).toThrow(expect.objectContaining({ code: "token_read_only", status: 403 }));
  });
});
