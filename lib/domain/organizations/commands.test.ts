import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, memberships } from "@/db/schema";
import { addMember, changeMemberRole, createOrganization, getOrganization, getOrganizationMember, removeMember } from "../organizations";
import { type Actor, loadActor } from "../permissions";
import { expectCode, makeBareUser, makeOrg, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let manager: Actor;
let admin: Actor;
let portal: Actor;

let counter = 0;
const slug = () => `org-${++counter}`;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  [manager, admin, portal] = await Promise.all([makeUser(db, "manager"), makeUser(db, "admin"), makeUser(db, "portal")]);
});
afterAll(() => open?.close());

async function roleOf(orgId: string, userId: string) {
  const [row] = await db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role;
}

async function auditActions(orgId: string) {
  const rows = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.orgId, orgId));
  return rows.map((r) => r.action);
}

describe("createOrganization", () => {
  it("a manager creates one and becomes its owner; it is audited", async () => {
    const org = await createOrganization(db, manager, { slug: "acme", name: "Acme", description: "Weather and billing" });
    expect(org).toMatchObject({ slug: "acme", name: "Acme", description: "Weather and billing" });
    expect((await loadActor(db, manager.userId))!.roles.get(org.id)).toBe("owner");
    expect(await auditActions(org.id)).toContain("organization.created");
  });

  it("an admin creates one too; a portal user may not (forbidden)", async () => {
    const org = await createOrganization(db, admin, { slug: slug(), name: "Admin's" });
    expect(await roleOf(org.id, admin.userId)).toBe("owner");
    await expectCode(createOrganization(db, portal, { slug: slug(), name: "Mine" }), "forbidden", 403);
  });

  it("a slug is used once, personal organizations included (slug_taken)", async () => {
    await createOrganization(db, manager, { slug: "taken", name: "First" });
    await expectCode(createOrganization(db, admin, { slug: "taken", name: "Second" }), "slug_taken", 409);
    const personalSlug = (await loadSlug(personalOrgId(portal)))!;
    await expectCode(createOrganization(db, manager, { slug: personalSlug, name: "Squatter" }), "slug_taken");
  });

  it.each(["Acme Corp", "acme_corp", "-acme", ""])("refuses the slug %j (validation_failed)", async (bad) => {
    const error = await expectCode(createOrganization(db, manager, { slug: bad, name: "Bad" }), "validation_failed");
    expect(error.fields).toHaveProperty("slug");
  });
});

async function loadSlug(orgId: string) {
  const row = await db.query.organizations.findFirst({ where: (o, { eq }) => eq(o.id, orgId) });
  return row?.slug;
}

describe("getOrganization", () => {
  it("members and admins see it; anyone else gets not_found, as for a missing one", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    expect((await getOrganization(db, owner, org.slug)).id).toBe(org.id);
    expect((await getOrganization(db, admin, org.slug)).id).toBe(org.id);
    await expectCode(getOrganization(db, manager, org.slug), "not_found", 404);
    await expectCode(getOrganization(db, manager, "no-such-org"), "not_found");
  });
});

describe("members", () => {
  let orgId: string;
  let owner: Actor;
  beforeAll(async () => {
    ({ org: { id: orgId }, owner } = await makeOrg(db, await makeUser(db, "manager")));
  });

  it("adds a registered user by email, whatever its case, with the role given; audited", async () => {
    const user = await makeBareUser(db);
    await addMember(db, owner, { orgId, email: `  ${user.email.toUpperCase()} `, role: "client-developer" });
    expect(await roleOf(orgId, user.id)).toBe("client-developer");
    expect(await auditActions(orgId)).toContain("member.added");
  });

  it("answers the new member, who can then be read one by one by anyone who views the organization", async () => {
    const user = await makeBareUser(db, "Dana Member");
    const added = await addMember(db, owner, { orgId, email: user.email, role: "viewer" });
    expect(added).toMatchObject({ userId: user.id, name: "Dana Member", email: user.email, role: "viewer" });
    expect(await getOrganizationMember(db, owner, orgId, user.id)).toEqual(added);
    expect((await getOrganizationMember(db, admin, orgId, user.id)).role).toBe("viewer");
  });

  it("reading one member: not_found for a non-member, a malformed id, or an actor who may not view the organization", async () => {
    const outsider = await makeBareUser(db);
    await expectCode(getOrganizationMember(db, owner, orgId, outsider.id), "not_found", 404);
    await expectCode(getOrganizationMember(db, owner, orgId, "not-a-uuid"), "not_found");
    await expectCode(getOrganizationMember(db, manager, orgId, owner.userId), "not_found");
  });

  it("refuses an email with no account (user_not_found) and someone already a member (invalid_state)", async () => {
    await expectCode(addMember(db, owner, { orgId, email: "stranger@example.test", role: "viewer" }), "user_not_found", 404);
    const user = await makeBareUser(db);
    await addMember(db, owner, { orgId, email: user.email, role: "viewer" });
    await expectCode(addMember(db, owner, { orgId, email: user.email, role: "owner" }), "invalid_state", 409);
    expect(await roleOf(orgId, user.id)).toBe("viewer");
  });

  it("refuses an unknown role (validation_failed)", async () => {
    const user = await makeBareUser(db);
    await expectCode(addMember(db, owner, { orgId, email: user.email, role: "superuser" as "owner" }), "validation_failed");
  });

  it("changes a member's role, effective on the next loadActor; audited", async () => {
    const member = await makeUser(db, "manager");
    await addMember(db, owner, { orgId, email: member.email, role: "viewer" });
    expect((await refresh(db, member)).roles.get(orgId)).toBe("viewer");
    await changeMemberRole(db, owner, { orgId, userId: member.userId, role: "api-developer" });
    expect((await refresh(db, member)).roles.get(orgId)).toBe("api-developer");
    expect(await auditActions(orgId)).toContain("member.role_changed");
  });

  it("removes a member, who loses access at once; audited", async () => {
    const member = await makeUser(db, "manager");
    await addMember(db, owner, { orgId, email: member.email, role: "owner" });
    const slugOfOrg = (await loadSlug(orgId))!;
    await getOrganization(db, await refresh(db, member), slugOfOrg);
    await removeMember(db, owner, { orgId, userId: member.userId });
    const after = await refresh(db, member);
    expect(after.roles.has(orgId)).toBe(false);
    await expectCode(getOrganization(db, after, slugOfOrg), "not_found");
    expect(await auditActions(orgId)).toContain("member.removed");
  });

  it("changing or removing someone who is not a member is not_found", async () => {
    const outsider = await makeBareUser(db);
    await expectCode(changeMemberRole(db, owner, { orgId, userId: outsider.id, role: "viewer" }), "not_found", 404);
    await expectCode(removeMember(db, owner, { orgId, userId: outsider.id }), "not_found");
  });

  it("only an orgAdmin of that organization manages its members", async () => {
    const viewer = await makeUser(db, "manager");
    await addMember(db, owner, { orgId, email: viewer.email, role: "viewer" });
    const asViewer = await refresh(db, viewer);
    const candidate = await makeBareUser(db);
    await expectCode(addMember(db, asViewer, { orgId, email: candidate.email, role: "viewer" }), "forbidden");
    await expectCode(changeMemberRole(db, asViewer, { orgId, userId: asViewer.userId, role: "owner" }), "forbidden");
    await expectCode(removeMember(db, manager, { orgId, userId: asViewer.userId }), "forbidden");
    expect(await roleOf(orgId, viewer.userId)).toBe("viewer");
  });
});

describe("the last owner", () => {
  it("cannot be demoted or removed (last_owner), not even by themselves or an admin", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    await expectCode(changeMemberRole(db, owner, { orgId: org.id, userId: owner.userId, role: "viewer" }), "last_owner", 409);
    await expectCode(removeMember(db, owner, { orgId: org.id, userId: owner.userId }), "last_owner");
    await expectCode(removeMember(db, admin, { orgId: org.id, userId: owner.userId }), "last_owner");
    expect(await roleOf(org.id, owner.userId)).toBe("owner");
  });

  it("can step down once there is another owner, who then is the last", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const second = await makeUser(db, "manager");
    await addMember(db, owner, { orgId: org.id, email: second.email, role: "owner" });
    await changeMemberRole(db, owner, { orgId: org.id, userId: owner.userId, role: "api-developer" });
    expect(await roleOf(org.id, owner.userId)).toBe("api-developer");
    const secondOwner = await refresh(db, second);
    await expectCode(removeMember(db, secondOwner, { orgId: org.id, userId: second.userId }), "last_owner");
    await removeMember(db, secondOwner, { orgId: org.id, userId: owner.userId });
    expect(await roleOf(org.id, owner.userId)).toBeUndefined();
  });

  it("two owners stepping down at the same moment leave one owner behind", async () => {
    for (let round = 0; round < 5; round++) {
      const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
      const second = await makeUser(db, "manager");
      await addMember(db, owner, { orgId: org.id, email: second.email, role: "owner" });
      const secondOwner = await refresh(db, second);
      const results = await Promise.allSettled([
        changeMemberRole(db, owner, { orgId: org.id, userId: owner.userId, role: "viewer" }),
        removeMember(db, secondOwner, { orgId: org.id, userId: secondOwner.userId }),
      ]);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(refused).toHaveLength(1);
      expect((refused[0].reason as { code?: string }).code).toBe("last_owner");
      const owners = await db.select().from(memberships).where(and(eq(memberships.orgId, org.id), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
    }
  });

  it("an owner keeping the owner role is no demotion", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    await changeMemberRole(db, owner, { orgId: org.id, userId: owner.userId, role: "owner" });
    expect(await roleOf(org.id, owner.userId)).toBe("owner");
  });
});
