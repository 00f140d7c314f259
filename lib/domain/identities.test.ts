import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, organizations, userIdentities, users } from "@/db/schema";
import { linkedUserId, profileFromGroups, signInWithIdentity } from "./identities";
import { loadActor } from "./permissions";
import { expectCode, makeUser, openTestDb } from "./test-fixtures";
import { signUp, updateUserAccess, verifyCredentials } from "./users";

let open: OpenDatabase;
let db: Db;

const ISSUER = "https://id.example.test";
const GROUPS = { adminGroup: "portico-admins", managerGroup: "portico-managers" };

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
});
afterAll(() => open?.close());

const unique = () => randomBytes(4).toString("hex");
const countUsersWith = async (email: string) => (await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.email, email)))[0].n;
const identitiesOf = (userId: string) => db.select().from(userIdentities).where(eq(userIdentities.userId, userId));

describe("first sign-in", () => {
  it("creates a portal account with its personal organization, linked to the issuer and subject", async () => {
    const email = `grace.${unique()}@example.test`;
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject: "sub-grace", email, emailVerified: true, name: "Grace Hopper" });
    expect(user).toMatchObject({ email, name: "Grace Hopper", profile: "portal" });
    const actor = (await loadActor(db, user.id))!;
    expect([...actor.roles.values()]).toEqual(["owner"]);
    const [org] = await db.select().from(organizations).where(eq(organizations.id, [...actor.roles.keys()][0]));
    expect(org.name).toBe("Grace Hopper");
    expect(await identitiesOf(user.id)).toMatchObject([{ issuer: ISSUER, subject: "sub-grace", email }]);
    const [created] = await db.select().from(auditEvents).where(and(eq(auditEvents.entityId, user.id), eq(auditEvents.action, "user.created")));
    expect(created.details).toMatchObject({ email, profile: "portal", issuer: ISSUER });
  });

  it("gives the account no password anyone knows", async () => {
    const email = `nopass.${unique()}@example.test`;
    await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified: true });
    expect(await verifyCredentials(db, email, "")).toBeNull();
    expect(await verifyCredentials(db, email, "portico-dummy-password")).toBeNull();
  });

  it("creates an account from an unverified email that no account holds, named after the email without a usable name", async () => {
    const email = `Fresh.${unique()}@Example.test`;
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified: false, name: "bad\u0000name" });
    expect(user.email).toBe(email.toLowerCase());
    expect(user.name).toBe(email.split("@")[0].toLowerCase());
  });

  it("refuses a provider that sends no usable email", async () => {
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}` }), "sso_email_missing", 400);
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: "not an email", emailVerified: true }), "sso_email_missing");
  });

  it("refuses a missing or oversized subject", async () => {
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: "", email: `x.${unique()}@example.test` }), "validation_failed");
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: "s".repeat(256), email: `x.${unique()}@example.test` }), "validation_failed");
  });
});

describe("later sign-ins", () => {
  it("find the same account by issuer and subject, whatever email the provider now sends", async () => {
    const subject = `sub-${unique()}`;
    const first = await signInWithIdentity(db, { issuer: ISSUER, subject, email: `first.${unique()}@example.test`, emailVerified: true });
    const later = new Date("2030-01-02T03:04:05Z");
    const again = await signInWithIdentity(db, { issuer: ISSUER, subject, email: `changed.${unique()}@example.test`, emailVerified: false }, {}, later);
    expect(again.id).toBe(first.id);
    expect((await identitiesOf(first.id))[0].lastSignInAt).toEqual(later);
    expect(await linkedUserId(db, ISSUER, subject)).toBe(first.id);
  });

  it("treat the same subject at another issuer as another identity", async () => {
    const subject = `sub-${unique()}`;
    const a = await signInWithIdentity(db, { issuer: ISSUER, subject, email: `a.${unique()}@example.test` });
    const b = await signInWithIdentity(db, { issuer: "https://other.example.test", subject, email: `b.${unique()}@example.test` });
    expect(b.id).not.toBe(a.id);
    expect(await linkedUserId(db, "https://other.example.test", "nobody")).toBeNull();
  });
});

describe("an existing account with the same email", () => {
  it("is linked when the provider says the email is verified, without a second account", async () => {
    const email = `ada.${unique()}@example.test`;
    const existing = await signUp(db, { email, name: "Ada", password: "correct horse battery" });
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: email.toUpperCase(), emailVerified: true, name: "Someone Else" });
    expect(user.id).toBe(existing.id);
    expect(user.name).toBe("Ada");
    expect(await countUsersWith(email)).toBe(1);
    expect(await identitiesOf(existing.id)).toHaveLength(1);
    // The password still works: linking adds a way in, it takes none away.
    expect(await verifyCredentials(db, email, "correct horse battery")).toMatchObject({ id: existing.id });
  });

  it("is never linked, nor duplicated, when the email is not verified", async () => {
    const email = `alan.${unique()}@example.test`;
    const existing = await signUp(db, { email, name: "Alan", password: "correct horse battery" });
    for (const emailVerified of [false, undefined, "yes", 1]) {
      await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified }), "sso_email_unverified", 409);
    }
    expect(await countUsersWith(email)).toBe(1);
    expect(await identitiesOf(existing.id)).toHaveLength(0);
  });

  it("is not linked to a second subject of the same provider", async () => {
    const email = `twice.${unique()}@example.test`;
    const first = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified: true });
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified: true }), "sso_identity_conflict");
    expect(await identitiesOf(first.id)).toHaveLength(1);
  });
});

describe("a disabled account", () => {
  it("cannot sign in through a linked identity, nor be linked", async () => {
    const admin = await makeUser(db, "admin");
    const subject = `sub-${unique()}`;
    const email = `off.${unique()}@example.test`;
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject, email, emailVerified: true });
    await updateUserAccess(db, admin, { userId: user.id, profile: "portal", disabled: true });
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject, email, emailVerified: true }), "account_disabled", 403);
    expect(await linkedUserId(db, ISSUER, subject)).toBeNull();

    const other = await makeUser(db, "portal");
    await updateUserAccess(db, admin, { userId: other.userId, profile: "portal", disabled: true });
    await expectCode(signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: other.email, emailVerified: true }), "account_disabled");
    expect(await identitiesOf(other.userId)).toHaveLength(0);
  });
});

describe("group mapping", () => {
  it("grants the manager or admin profile from the groups claim at the first sign-in", async () => {
    const manager = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: `m.${unique()}@example.test`, groups: ["staff", "portico-managers"] }, GROUPS);
    expect(manager.profile).toBe("manager");
    const admin = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: `a.${unique()}@example.test`, groups: ["portico-managers", "portico-admins"] }, GROUPS);
    expect(admin.profile).toBe("admin");
    const single = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email: `s.${unique()}@example.test`, groups: "portico-managers" }, GROUPS);
    expect(single.profile).toBe("manager");
  });

  it("recomputes the profile at each sign-in: losing the group returns the user to the portal", async () => {
    const subject = `sub-${unique()}`;
    const claims = { issuer: ISSUER, subject, email: `g.${unique()}@example.test` };
    expect((await signInWithIdentity(db, { ...claims, groups: ["portico-admins"] }, GROUPS)).profile).toBe("admin");
    const user = await signInWithIdentity(db, { ...claims, groups: ["portico-managers"] }, GROUPS);
    expect(user.profile).toBe("manager");
    expect((await loadActor(db, user.id))!.profile).toBe("manager");
    expect((await signInWithIdentity(db, { ...claims, groups: [] }, GROUPS)).profile).toBe("portal");
    expect((await signInWithIdentity(db, claims, GROUPS)).profile).toBe("portal");
    const changes = await db.select().from(auditEvents).where(and(eq(auditEvents.entityId, user.id), eq(auditEvents.action, "user.access_changed")));
    expect(changes.map((event) => event.details)).toEqual([
      expect.objectContaining({ profile: "manager", from: "admin" }),
      expect.objectContaining({ profile: "portal", from: "manager" }),
    ]);
  });

  it("applies to a linked account too", async () => {
    const email = `linked.${unique()}@example.test`;
    await signUp(db, { email, name: "Linked", password: "correct horse battery" });
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject: `sub-${unique()}`, email, emailVerified: true, groups: ["portico-managers"] }, GROUPS);
    expect(user.profile).toBe("manager");
  });

  it("leaves the profile alone without group settings, and each unset setting leaves its own profile alone", async () => {
    const admin = await makeUser(db, "admin");
    const subject = `sub-${unique()}`;
    const user = await signInWithIdentity(db, { issuer: ISSUER, subject, email: `keep.${unique()}@example.test`, groups: ["portico-admins"] });
    expect(user.profile).toBe("portal");
    await updateUserAccess(db, admin, { userId: user.id, profile: "admin" });
    expect((await signInWithIdentity(db, { issuer: ISSUER, subject, email: user.email, groups: [] })).profile).toBe("admin");
    // Only the manager group is set: an admin made by hand stays admin.
    expect((await signInWithIdentity(db, { issuer: ISSUER, subject, email: user.email, groups: [] }, { managerGroup: "portico-managers" })).profile).toBe("admin");
  });

  it("reads only names from the claim", () => {
    expect(profileFromGroups("portal", [{ name: "portico-admins" }, 7, null], GROUPS)).toBe("portal");
    expect(profileFromGroups("portal", "portico-admins", GROUPS)).toBe("admin");
    expect(profileFromGroups("manager", undefined, { adminGroup: "portico-admins" })).toBe("manager");
    expect(profileFromGroups("admin", ["x"], { adminGroup: "portico-admins" })).toBe("portal");
  });
});
