import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, organizations, sessions, users } from "@/db/schema";
import { createOrganization } from "./organizations";
import { type Actor, loadActor } from "./permissions";
import { createSession, verifySession } from "./sessions";
import { expectCode, makeUser, openTestDb } from "./test-fixtures";
import { changePassword, createUser, signUp, updateUserAccess, verifyCredentials } from "./users";

let open: OpenDatabase;
let db: Db;
let admin: Actor;
let manager: Actor;

const PASSWORD = "correct horse battery";

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  [admin, manager] = await Promise.all([makeUser(db, "admin"), makeUser(db, "manager")]);
});
afterAll(() => open?.close());

async function personalOrgOf(userId: string) {
  const actor = (await loadActor(db, userId))!;
  expect(actor.roles.size).toBe(1);
  const [[orgId, role]] = [...actor.roles];
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  return { org, role };
}

const countUsers = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(users))[0].n;
const countOrgs = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(organizations))[0].n;

describe("sign-up", () => {
  it("makes a portal user with a personal organization, named after the user, which they own", async () => {
    const user = await signUp(db, { email: "ada@example.test", name: "Ada Lovelace", password: PASSWORD });
    expect(user).toMatchObject({ email: "ada@example.test", name: "Ada Lovelace", profile: "portal" });
    expect(user).not.toHaveProperty("passwordHash");
    const { org, role } = await personalOrgOf(user.id);
    expect(role).toBe("owner");
    expect(org).toMatchObject({ slug: "ada", name: "Ada Lovelace" });
    const events = await db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id));
    expect(events.map((e) => e.action)).toContain("user.created");
  });

  it("createUser gives the portal profile unless told otherwise", async () => {
    expect((await createUser(db, { email: "plain@example.test", name: "Plain", password: PASSWORD })).profile).toBe("portal");
    expect((await createUser(db, { email: "boss@example.test", name: "Boss", password: PASSWORD }, "manager")).profile).toBe("manager");
  });

  it("takes the slug from the email's local part, suffixed -2, -3 when taken", async () => {
    const first = await signUp(db, { email: "sam@one.test", name: "Sam One", password: PASSWORD });
    const second = await signUp(db, { email: "sam@two.test", name: "Sam Two", password: PASSWORD });
    const third = await signUp(db, { email: "Sam@Three.test", name: "Sam Three", password: PASSWORD });
    expect((await personalOrgOf(first.id)).org.slug).toBe("sam");
    expect((await personalOrgOf(second.id)).org.slug).toBe("sam-2");
    expect((await personalOrgOf(third.id)).org.slug).toBe("sam-3");
  });

  it("skips slugs taken by any organization, and makes the local part URL-safe", async () => {
    await createOrganization(db, manager, { slug: "lee", name: "Lee Industries" });
    await createOrganization(db, manager, { slug: "lee-2", name: "Lee Two" });
    await createOrganization(db, manager, { slug: "leeward", name: "Leeward" });
    const lee = await signUp(db, { email: "lee@example.test", name: "Lee", password: PASSWORD });
    expect((await personalOrgOf(lee.id)).org.slug).toBe("lee-3");
    const jane = await signUp(db, { email: "Jane.Doe+portico@example.test", name: "Jane", password: PASSWORD });
    expect((await personalOrgOf(jane.id)).org.slug).toBe("jane-doe-portico");
  });

  it("people signing up at the same moment with the same local part each get their own organization", async () => {
    const made = await Promise.all(
      ["kim@one.test", "kim@two.test", "kim@three.test"].map((email) => signUp(db, { email, name: "Kim", password: PASSWORD })),
    );
    const slugs = await Promise.all(made.map(async (user) => (await personalOrgOf(user.id)).org.slug));
    expect(slugs.sort()).toEqual(["kim", "kim-2", "kim-3"]);
  });

  it("stores the email trimmed and lower-case", async () => {
    const user = await signUp(db, { email: "  Grace.Hopper@Example.TEST ", name: "Grace", password: PASSWORD });
    expect(user.email).toBe("grace.hopper@example.test");
  });

  it("refuses an email that is taken, whatever its case (email_taken), and leaves nothing behind", async () => {
    await signUp(db, { email: "linus@example.test", name: "Linus", password: PASSWORD });
    const [usersBefore, orgsBefore] = [await countUsers(), await countOrgs()];
    await expectCode(signUp(db, { email: "LINUS@example.test", name: "Other Linus", password: PASSWORD }), "email_taken", 409);
    expect([await countUsers(), await countOrgs()]).toEqual([usersBefore, orgsBefore]);
  });

  it.each([
    ["an invalid email", { email: "not-an-email", name: "X", password: PASSWORD }, "email"],
    ["an empty name", { email: "noname@example.test", name: "  ", password: PASSWORD }, "name"],
    ["a password under 10 characters", { email: "short@example.test", name: "Short", password: "123456789" }, "password"],
    ["a password over 200 characters", { email: "long@example.test", name: "Long", password: "x".repeat(201) }, "password"],
  ])("refuses %s (validation_failed)", async (_what, input, field) => {
    const error = await expectCode(signUp(db, input), "validation_failed", 400);
    expect(error.fields).toHaveProperty(field);
  });

  it("accepts a 10-character password and keeps only an argon2id hash of it", async () => {
    const user = await signUp(db, { email: "ten@example.test", name: "Ten", password: "0123456789" });
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(row.passwordHash).not.toContain("0123456789");
  });
});

describe("verifyCredentials", () => {
  let alan: { id: string };
  beforeAll(async () => {
    alan = await signUp(db, { email: "alan@example.test", name: "Alan", password: PASSWORD });
  });

  it("returns the user for the right password, with any case of the email", async () => {
    expect(await verifyCredentials(db, "alan@example.test", PASSWORD)).toEqual({ id: alan.id, email: "alan@example.test", name: "Alan", profile: "portal" });
    expect((await verifyCredentials(db, " ALAN@Example.test", PASSWORD))?.id).toBe(alan.id);
  });

  it("returns null for a wrong password, an unknown email or a malformed one", async () => {
    expect(await verifyCredentials(db, "alan@example.test", "wrong password")).toBeNull();
    expect(await verifyCredentials(db, "alan@example.test", "")).toBeNull();
    expect(await verifyCredentials(db, "nobody@example.test", PASSWORD)).toBeNull();
    expect(await verifyCredentials(db, "nobody", PASSWORD)).toBeNull();
  });

  it("returns null for a disabled account, even with the right password", async () => {
    const user = await signUp(db, { email: "gone@example.test", name: "Gone", password: PASSWORD });
    await updateUserAccess(db, admin, { userId: user.id, profile: "portal", disabled: true });
    expect(await verifyCredentials(db, "gone@example.test", PASSWORD)).toBeNull();
  });
});

describe("updateUserAccess", () => {
  it("is for admins only", async () => {
    const target = await makeUser(db, "portal");
    await expectCode(updateUserAccess(db, manager, { userId: target.userId, profile: "manager" }), "forbidden", 403);
    await expectCode(updateUserAccess(db, target, { userId: target.userId, profile: "admin" }), "forbidden");
    expect((await loadActor(db, target.userId))!.profile).toBe("portal");
  });

  it("changes the profile, effective on the next loadActor, and is audited", async () => {
    const target = await makeUser(db, "portal");
    await updateUserAccess(db, admin, { userId: target.userId, profile: "manager" });
    expect((await loadActor(db, target.userId))!.profile).toBe("manager");
    const events = await db.select().from(auditEvents).where(eq(auditEvents.entityId, target.userId));
    expect(events.find((e) => e.action === "user.access_changed")).toMatchObject({ actorId: admin.userId });
  });

  it("disabling makes loadActor return null; enabling brings the user back", async () => {
    const target = await makeUser(db, "manager");
    await updateUserAccess(db, admin, { userId: target.userId, profile: "manager", disabled: true });
    expect(await loadActor(db, target.userId)).toBeNull();
    await updateUserAccess(db, admin, { userId: target.userId, profile: "manager", disabled: false });
    expect((await loadActor(db, target.userId))?.profile).toBe("manager");
  });

  it("a change of profile alone leaves a disabled account disabled", async () => {
    const target = await makeUser(db, "portal");
    await updateUserAccess(db, admin, { userId: target.userId, profile: "portal", disabled: true });
    await updateUserAccess(db, admin, { userId: target.userId, profile: "manager" });
    expect(await loadActor(db, target.userId)).toBeNull();
  });

  it("refuses an unknown user (user_not_found) and an unknown profile (validation_failed)", async () => {
    await expectCode(updateUserAccess(db, admin, { userId: crypto.randomUUID(), profile: "manager" }), "user_not_found", 404);
    const target = await makeUser(db, "portal");
    await expectCode(updateUserAccess(db, admin, { userId: target.userId, profile: "root" as "admin" }), "validation_failed");
  });

  it("disabling a user ends every one of their sessions at once", async () => {
    const target = await makeUser(db, "portal");
    const signedIn = await Promise.all([createSession(db, target.userId), createSession(db, target.userId)]);
    await updateUserAccess(db, admin, { userId: target.userId, profile: "portal", disabled: true });
    for (const { sessionId } of signedIn) expect(await verifySession(db, sessionId)).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, target.userId))).toEqual([]);
  });

  it("a refused change (not an admin) ends no session", async () => {
    const target = await makeUser(db, "portal");
    const { sessionId } = await createSession(db, target.userId);
    await expectCode(updateUserAccess(db, manager, { userId: target.userId, profile: "portal", disabled: true }), "forbidden");
    expect(await verifySession(db, sessionId)).toBe(target.userId);
  });

  it("loadActor returns null for an id that does not exist", async () => {
    expect(await loadActor(db, crypto.randomUUID())).toBeNull();
  });
});

describe("changePassword", () => {
  const NEW_PASSWORD = "a brand new passphrase";

  async function signedUp(name: string) {
    const user = await signUp(db, { email: `${name}.${crypto.randomUUID().slice(0, 8)}@example.test`, name, password: PASSWORD });
    return (await loadActor(db, user.id))!;
  }

  it("replaces the password: the new one signs in, the old one no longer does, and it is audited without either", async () => {
    const actor = await signedUp("rosa");
    await changePassword(db, actor, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect((await verifyCredentials(db, actor.email, NEW_PASSWORD))?.id).toBe(actor.userId);
    expect(await verifyCredentials(db, actor.email, PASSWORD)).toBeNull();
    const events = await db.select().from(auditEvents).where(eq(auditEvents.entityId, actor.userId));
    const event = events.find((e) => e.action === "user.password_changed");
    expect(event).toMatchObject({ actorId: actor.userId });
    expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
  });

  it("ends every session of the user, and only theirs", async () => {
    const [actor, bystander] = await Promise.all([signedUp("mia"), signedUp("noah")]);
    const mine = await Promise.all([createSession(db, actor.userId), createSession(db, actor.userId)]);
    const theirs = await createSession(db, bystander.userId);
    await changePassword(db, actor, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    for (const { sessionId } of mine) expect(await verifySession(db, sessionId)).toBeNull();
    expect(await verifySession(db, theirs.sessionId)).toBe(bystander.userId);
  });

  it("refuses a wrong current password with a field error (wrong_password), changing nothing and ending no session", async () => {
    const actor = await signedUp("omar");
    const { sessionId } = await createSession(db, actor.userId);
    const error = await expectCode(changePassword(db, actor, { currentPassword: "not my password", newPassword: NEW_PASSWORD }), "wrong_password", 400);
    expect(error.fields).toEqual({ currentPassword: "That is not your current password." });
    expect((await verifyCredentials(db, actor.email, PASSWORD))?.id).toBe(actor.userId);
    expect(await verifySession(db, sessionId)).toBe(actor.userId);
  });

  it.each([
    ["a new password under 10 characters", { currentPassword: PASSWORD, newPassword: "short" }, "newPassword"],
    ["a new password equal to the current one", { currentPassword: PASSWORD, newPassword: PASSWORD }, "newPassword"],
    ["an empty current password", { currentPassword: "", newPassword: NEW_PASSWORD }, "currentPassword"],
  ])("refuses %s (validation_failed)", async (_what, input, field) => {
    const actor = await signedUp("val");
    const error = await expectCode(changePassword(db, actor, input), "validation_failed", 400);
    expect(error.fields).toHaveProperty(field);
    expect((await verifyCredentials(db, actor.email, PASSWORD))?.id).toBe(actor.userId);
  });
});
