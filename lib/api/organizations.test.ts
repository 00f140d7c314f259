import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { memberships, organizations } from "@/db/schema";
import type { Actor } from "@/lib/domain/permissions";
import { makeBareUser, makeOrg, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { type ApiClient, apiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let owner: Actor;
/** The owner's write token. */
let api: ApiClient;

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  const { token, accessToken } = await createAccessToken(db, actor, { name: `t-${scope}`, expiresInDays: 30, scope });
  return { client: apiClient(server, token), tokenId: accessToken.id };
}

async function roleOf(orgSlug: string, userId: string) {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(organizations.slug, orgSlug), eq(memberships.userId, userId)));
  return row?.role;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  owner = await makeUser(db, "manager", "Olivia Owner");
  ({ client: api } = await tokenFor(owner));
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

describe("an owner runs an organization through /api/v1", () => {
  let memberId: string;
  let memberEmail: string;

  it("creates it (201, Location) and finds it in the list and its overview", async () => {
    const created = await api.post("/api/v1/orgs", { slug: "acme", name: "Acme", description: "Weather and billing" });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/v1/orgs/acme");
    expect(created.body).toMatchObject({ slug: "acme", name: "Acme", description: "Weather and billing" });

    const listed = await api.get("/api/v1/orgs?q=acme");
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      { id: created.body.id, slug: "acme", name: "Acme", description: "Weather and billing", role: "owner", apiCount: 0, planCount: 0, clientCount: 0, memberCount: 1 },
    ]);
    expect(listed.body.next).toBeNull();

    const overview = await api.get("/api/v1/orgs/acme");
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({ id: created.body.id, slug: "acme", role: "owner", can: { orgAdmin: true, clientEdit: true } });
  });

  it("refuses a taken slug (409) and a malformed one (400)", async () => {
    expect((await api.post("/api/v1/orgs", { slug: "acme", name: "Again" })).body.code).toBe("slug_taken");
    const bad = await api.post("/api/v1/orgs", { slug: "Acme Corp\u0000", name: "Bad" });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toHaveProperty("slug");
  });

  it("adds a member by email with a role (201), changes the role, lists them", async () => {
    const user = await makeBareUser(db, "Mia Member");
    memberId = user.id;
    memberEmail = user.email;
    const added = await api.post("/api/v1/orgs/acme/members", { email: user.email.toUpperCase(), role: "viewer" });
    expect(added.status).toBe(201);
    expect(added.headers.get("location")).toBe(`/api/v1/orgs/acme/members/${user.id}`);
    expect(added.body).toMatchObject({ userId: user.id, name: "Mia Member", email: user.email, role: "viewer" });
    expect((await api.get(added.headers.get("location")!)).body.role).toBe("viewer");

    const again = await api.post("/api/v1/orgs/acme/members", { email: user.email, role: "owner" });
    expect([again.status, again.body.code]).toEqual([409, "invalid_state"]);
    const nobody = await api.post("/api/v1/orgs/acme/members", { email: "nobody@example.test", role: "viewer" });
    expect([nobody.status, nobody.body.code]).toEqual([404, "user_not_found"]);

    const changed = await api.patch(`/api/v1/orgs/acme/members/${user.id}`, { role: "client-developer" });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe("client-developer");
    expect(await roleOf("acme", user.id)).toBe("client-developer");

    const members = await api.get("/api/v1/orgs/acme/members?sort=name.desc");
    expect(members.body.data.map((m: { name: string }) => m.name)).toEqual(["Olivia Owner", "Mia Member"]);
  });

  it("the last owner cannot be demoted or removed: 409 last_owner", async () => {
    const demoted = await api.patch(`/api/v1/orgs/acme/members/${owner.userId}`, { role: "viewer" });
    expect([demoted.status, demoted.body.code]).toEqual([409, "last_owner"]);
    const removed = await api.delete(`/api/v1/orgs/acme/members/${owner.userId}`);
    expect([removed.status, removed.body.code]).toEqual([409, "last_owner"]);
    expect(await roleOf("acme", owner.userId)).toBe("owner");
  });

  it("removes the member (204), who is gone", async () => {
    const removed = await api.delete(`/api/v1/orgs/acme/members/${memberId}`);
    expect(removed.status).toBe(204);
    expect(await roleOf("acme", memberId)).toBeUndefined();
    expect((await api.get(`/api/v1/orgs/acme/members/${memberId}`)).status).toBe(404);
    expect((await api.delete(`/api/v1/orgs/acme/members/${memberId}`)).status).toBe(404);
  });

  it("the activity log shows those events newest first, a page at a time with cursor and Link", async () => {
    const first = await api.get("/api/v1/orgs/acme/activity?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { action: string }) => e.action)).toEqual(["member.removed", "member.role_changed"]);
    expect(first.body.data[0]).toMatchObject({ entityType: "user", entityId: memberId, actorName: "Olivia Owner", actorEmail: owner.email, details: { role: "client-developer" } });
    expect(first.body.next).toEqual(expect.any(String));
    const link = first.headers.get("link")!;
    expect(link).toContain(`cursor=${first.body.next}`);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1];
    const second = await api.get(new URL(next).pathname + new URL(next).search);
    expect(second.body.data.map((e: { action: string }) => e.action)).toEqual(["member.added", "organization.created"]);
    expect(second.body.data[0].details).toEqual({ email: memberEmail, role: "viewer" });
    expect(second.body.next).toBeNull();
    expect(second.headers.get("link")).toBeNull();

    const searched = await api.get("/api/v1/orgs/acme/activity?q=role_changed");
    expect(searched.body.data.map((e: { action: string }) => e.action)).toEqual(["member.role_changed"]);
  });
});

describe("refusals", () => {
  let other: { slug: string; id: string };
  let viewerApi: ApiClient;

  beforeAll(async () => {
    const made = await makeOrg(db, await makeUser(db, "manager"));
    other = made.org;
    const viewer = await makeUser(db, "manager");
    await api.post("/api/v1/orgs", { slug: "viewed", name: "Viewed" });
    await api.post("/api/v1/orgs/viewed/members", { email: viewer.email, role: "viewer" });
    ({ client: viewerApi } = await tokenFor(viewer));
  });

  it("another organization answers 404 on every path, as one that does not exist", async () => {
    const member = (await makeOrg(db, await makeUser(db, "manager"))).owner;
    for (const slug of [other.slug, "no-such-org"]) {
      for (const answer of [
        await api.get(`/api/v1/orgs/${slug}`),
        await api.get(`/api/v1/orgs/${slug}/members`),
        await api.get(`/api/v1/orgs/${slug}/activity`),
        await api.post(`/api/v1/orgs/${slug}/members`, { email: member.email, role: "owner" }),
        await api.patch(`/api/v1/orgs/${slug}/members/${owner.userId}`, { role: "owner" }),
        await api.delete(`/api/v1/orgs/${slug}/members/${member.userId}`),
      ]) {
        expect([answer.status, answer.body.code]).toEqual([404, "not_found"]);
      }
    }
    expect((await api.get("/api/v1/orgs?limit=100")).body.data.map((o: { slug: string }) => o.slug)).not.toContain(other.slug);
    expect(await roleOf(other.slug, member.userId)).toBeUndefined();
  });

  it("a viewer sees the organization but may not manage members: 403 forbidden", async () => {
    expect((await viewerApi.get("/api/v1/orgs/viewed")).body).toMatchObject({ role: "viewer", can: { orgAdmin: false } });
    expect((await viewerApi.get("/api/v1/orgs/viewed/members")).status).toBe(200);
    const candidate = await makeBareUser(db);
    const added = await viewerApi.post("/api/v1/orgs/viewed/members", { email: candidate.email, role: "viewer" });
    expect([added.status, added.body.code]).toEqual([403, "forbidden"]);
    const promoted = await viewerApi.patch(`/api/v1/orgs/viewed/members/${owner.userId}`, { role: "viewer" });
    expect([promoted.status, promoted.body.code]).toEqual([403, "forbidden"]);
    expect((await viewerApi.delete(`/api/v1/orgs/viewed/members/${owner.userId}`)).status).toBe(403);
    expect(await roleOf("viewed", candidate.id)).toBeUndefined();
  });

  it("a portal user manages nothing: an empty list, 403 on creation, 404 on an organization", async () => {
    const portal = await makeUser(db, "portal");
    const { client } = await tokenFor(portal);
    expect((await client.get("/api/v1/orgs")).body).toEqual({ data: [], next: null });
    const created = await client.post("/api/v1/orgs", { slug: "mine", name: "Mine" });
    expect([created.status, created.body.code]).toEqual([403, "forbidden"]);
    expect((await client.get("/api/v1/orgs/acme")).status).toBe(404);
  });

  it("a read token may read but not write: 403 token_read_only", async () => {
    const { client } = await tokenFor(owner, "read");
    expect((await client.get("/api/v1/orgs/acme/members")).status).toBe(200);
    const user = await makeBareUser(db);
    for (const answer of [
      await client.post("/api/v1/orgs", { slug: "read-only", name: "Read only" }),
      await client.post("/api/v1/orgs/acme/members", { email: user.email, role: "viewer" }),
      await client.patch(`/api/v1/orgs/acme/members/${owner.userId}`, { role: "owner" }),
      await client.delete(`/api/v1/orgs/acme/members/${owner.userId}`),
    ]) {
      expect([answer.status, answer.body.code]).toEqual([403, "token_read_only"]);
    }
    expect(await roleOf("acme", user.id)).toBeUndefined();
  });

  it("a revoked token answers 401", async () => {
    const { client, tokenId } = await tokenFor(owner);
    await revokeAccessToken(db, owner, tokenId);
    for (const answer of [await client.get("/api/v1/orgs"), await client.get("/api/v1/orgs/acme/activity"), await client.post("/api/v1/orgs", { slug: "late", name: "Late" })]) {
      expect([answer.status, answer.body.code]).toEqual([401, "token_invalid"]);
    }
  });

  it("hostile input is a 4xx problem, never a 500", async () => {
    const user = await makeBareUser(db);
    const answers = [
      await api.get("/api/v1/orgs/acme%00"),
      await api.get("/api/v1/orgs/%2e%2e%2fsecrets/members"),
      await api.get("/api/v1/orgs/acme%2fmembers"),
      await api.get(`/api/v1/orgs/${"a".repeat(10_000)}`),
      await api.post("/api/v1/orgs/acme%00/members", { email: user.email, role: "viewer" }),
      await api.post("/api/v1/orgs/acme/members", { email: user.email, role: "superuser" }),
      await api.post("/api/v1/orgs/acme/members", { email: `${"a".repeat(10_000)}@example.test`, role: "viewer" }),
      await api.post("/api/v1/orgs/acme/members", { email: ["x"], role: 3 }),
      await api.post("/api/v1/orgs", { slug: "x".repeat(10_000), name: "Long" }),
      await api.post("/api/v1/orgs", { slug: "ok-slug", name: "\u0000" }),
      await api.patch("/api/v1/orgs/acme/members/not-a-uuid", { role: "viewer" }),
      await api.patch(`/api/v1/orgs/acme/members/${user.id}%00`, { role: "viewer" }),
      await api.patch(`/api/v1/orgs/acme/members/${owner.userId}`, { role: "root" }),
      await api.delete("/api/v1/orgs/acme/members/..%2f..%2fx"),
      await api.get("/api/v1/orgs/acme/members/12345"),
      await api.get("/api/v1/orgs?sort=drop.asc"),
      await api.get("/api/v1/orgs/acme/activity?cursor=%00"),
      await api.get("/api/v1/orgs/acme/activity?limit=1000"),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 400, 400, 400, 400, 400, 404, 404, 400, 404, 404, 400, 400, 400]);
    expect(await roleOf("acme", user.id)).toBeUndefined();
    expect(await roleOf("acme", owner.userId)).toBe("owner");
  });
});
