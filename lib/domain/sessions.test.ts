import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { sessions, users } from "@/db/schema";
import type { Actor } from "./permissions";
import {
  createSession,
  deleteExpiredSessions,
  revokeSession,
  revokeUserSessions,
  SESSION_LIFETIME_MS,
  sessionDigest,
  verifySession,
} from "./sessions";
import { makeUser, openTestDb } from "./test-fixtures";
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

const rowsOf = (userId: string) => db.select().from(sessions).where(eq(sessions.userId, userId));

describe("sessions", () => {
  it("a new session is alive for its user, and the database keeps only the digest of its id", async () => {
    const user = await makeUser(db, "portal");
    const { sessionId, expiresAt } = await createSession(db, user.userId);
    expect(await verifySession(db, sessionId)).toBe(user.userId);
    const [row] = await rowsOf(user.userId);
    expect(row.idDigest).toBe(sessionDigest(sessionId));
    expect(row.idDigest).not.toContain(sessionId);
    expect(expiresAt.getTime() - row.createdAt.getTime()).toBe(SESSION_LIFETIME_MS);
  });

  it("each sign-in gets its own random id", async () => {
    const user = await makeUser(db, "portal");
    const [a, b] = await Promise.all([createSession(db, user.userId), createSession(db, user.userId)]);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await rowsOf(user.userId)).toHaveLength(2);
  });

  it("refuses an id it never issued, a malformed one, or none", async () => {
    expect(await verifySession(db, "A".repeat(43))).toBeNull();
    expect(await verifySession(db, "not a session id")).toBeNull();
    expect(await verifySession(db, undefined)).toBeNull();
    expect(await verifySession(db, 42)).toBeNull();
  });

  it("ends at sign-out: the same id is refused afterwards, and signing out twice is harmless", async () => {
    const user = await makeUser(db, "portal");
    const { sessionId } = await createSession(db, user.userId);
    const other = await createSession(db, user.userId);
    await revokeSession(db, sessionId);
    expect(await verifySession(db, sessionId)).toBeNull();
    await revokeSession(db, sessionId);
    expect(await verifySession(db, other.sessionId)).toBe(user.userId);
  });

  it("ends after seven days, and expired rows are cleaned up when someone signs in", async () => {
    const user = await makeUser(db, "portal");
    const long = Date.now() - SESSION_LIFETIME_MS - 1000;
    const old = await createSession(db, user.userId, new Date(long));
    expect(await verifySession(db, old.sessionId, new Date(long + SESSION_LIFETIME_MS - 1000))).toBe(user.userId);
    expect(await verifySession(db, old.sessionId)).toBeNull();
    const current = await createSession(db, user.userId);
    const rows = await rowsOf(user.userId);
    expect(rows.map((r) => r.idDigest)).toEqual([sessionDigest(current.sessionId)]);
    expect(await deleteExpiredSessions(db)).toBe(0);
  });

  it("revokeUserSessions ends every session of that user and no one else's", async () => {
    const [user, bystander] = await Promise.all([makeUser(db, "portal"), makeUser(db, "portal")]);
    const mine = await Promise.all([createSession(db, user.userId), createSession(db, user.userId)]);
    const theirs = await createSession(db, bystander.userId);
    expect(await revokeUserSessions(db, user.userId)).toBe(2);
    for (const { sessionId } of mine) expect(await verifySession(db, sessionId)).toBeNull();
    expect(await verifySession(db, theirs.sessionId)).toBe(bystander.userId);
  });

  it("disabling a user ends their sessions; enabling them again does not bring those back", async () => {
    const user = await makeUser(db, "manager");
    const { sessionId } = await createSession(db, user.userId);
    await updateUserAccess(db, admin, { userId: user.userId, profile: "manager", disabled: true });
    expect(await verifySession(db, sessionId)).toBeNull();
    expect(await rowsOf(user.userId)).toHaveLength(0);
    await updateUserAccess(db, admin, { userId: user.userId, profile: "manager", disabled: false });
    expect(await verifySession(db, sessionId)).toBeNull();
  });

  it("a session of a disabled user is refused even while its row exists", async () => {
    const user = await makeUser(db, "portal");
    const { sessionId } = await createSession(db, user.userId);
    await db.update(users).set({ disabled: true }).where(eq(users.id, user.userId));
    expect(await verifySession(db, sessionId)).toBeNull();
  });

  it("a profile change alone leaves the user's sessions alive", async () => {
    const user = await makeUser(db, "portal");
    const { sessionId } = await createSession(db, user.userId);
    await updateUserAccess(db, admin, { userId: user.userId, profile: "manager" });
    expect(await verifySession(db, sessionId)).toBe(user.userId);
  });
});
