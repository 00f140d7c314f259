import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { contracts, notifications } from "@/db/schema";
import { createApi, createApiVersion, offerPlan, publishApiVersion, updateApiVersion } from "./apis";
import { createClient, rotateApiKey } from "./clients";
import { approveContract, breakContract, createContract, rejectContract } from "./contracts";
import { DomainError } from "./errors";
import { requireManagedOrganization } from "./organizations";
import { listActivity } from "./activity";
import { getApiVersionDetail, listOfferablePlanVersions } from "./apis";
import { countPendingApprovals, decideContracts, listPendingApprovals } from "./contracts";
import { getClientVersionDetail } from "./clients";
import { compareVersions, suggestNextVersion } from "./lists";
import { getOrganizationOverview, listManagedOrganizations, listOrganizationMembers } from "./organizations";
import { listOrganizationApis } from "./apis";
import { listOrganizationClients } from "./clients";
import { listOrganizationPlans } from "./plans";
import { getPlanVersionDetail } from "./plans";
import { addMember } from "./organizations";
import type { Actor } from "./permissions";
import { createPlan, lockPlanVersion } from "./plans";
import { makeClient, makeLockedPlan, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let orgId: string;
let orgSlug: string;
let admin: Actor;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const made = await makeOrg(db, await makeUser(db, "manager"));
  provider = made.owner;
  orgId = made.org.id;
  orgSlug = made.org.slug;
  admin = await makeUser(db, "admin");
});
afterAll(() => open.close());

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
}

/** A manager with a role in the provider's organization. */
async function member(role: "owner" | "api-developer" | "client-developer" | "viewer", profile: "manager" | "portal" = "manager") {
  const user = await makeUser(db, profile);
  await addMember(db, provider, { orgId, email: user.email, role });
  return refresh(db, user);
}

/** A portal user with a client in their personal organization, asking for a plan that needs approval. */
async function pendingRequest(apiOrgId = orgId, owner = provider) {
  const { apiVersionId, planVersionId, api } = await makePublishedApi(db, owner, apiOrgId, { requiresApproval: true });
  const consumer = await makeUser(db, "portal");
  const { clientVersionId, client } = await makeClient(db, consumer, personalOrgId(consumer));
  const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
  expect(contract.status).toBe("AwaitingApproval");
  return { contract, consumer, api, apiVersionId, planVersionId, clientVersionId, client };
}

describe("who may open a management page", () => {
  it("the organization's members with the manager profile, and admins", async () => {
    await expect(requireManagedOrganization(db, provider, orgSlug)).resolves.toMatchObject({ id: orgId });
    await expect(requireManagedOrganization(db, admin, orgSlug)).resolves.toMatchObject({ id: orgId });
    const viewer = await member("viewer");
    await expect(requireManagedOrganization(db, viewer, orgSlug, "apiView")).resolves.toMatchObject({ id: orgId });
  });

  it("not_found for a portal-only member, a manager of another organization and a missing slug", async () => {
    const portalMember = await member("owner", "portal");
    await expectCode(requireManagedOrganization(db, portalMember, orgSlug), "not_found");
    const { owner: otherManager } = await makeOrg(db, await makeUser(db, "manager"));
    await expectCode(requireManagedOrganization(db, otherManager, orgSlug), "not_found");
    await expectCode(requireManagedOrganization(db, provider, "no-such-org"), "not_found");
  });

  it("not_found when the role lacks the view permission the page needs", async () => {
    const clientDeveloper = await member("client-developer");
    await expect(requireManagedOrganization(db, clientDeveloper, orgSlug, "clientView")).resolves.toBeDefined();
    await expectCode(requireManagedOrganization(db, clientDeveloper, orgSlug, "apiView"), "not_found");
    await expectCode(requireManagedOrganization(db, clientDeveloper, orgSlug, "planView"), "not_found");
  });
});

describe("listManagedOrganizations", () => {
  it("lists a manager's own organizations with counts, every organization for an admin, none for portal users", async () => {
    const { owner, org } = await makeOrg(db, await makeUser(db, "manager"));
    await makePublishedApi(db, owner, org.id);
    const mine = await listManagedOrganizations(db, owner);
    const listed = mine.rows.find((o) => o.id === org.id);
    expect(listed).toMatchObject({ slug: org.slug, role: "owner", apiCount: 1, planCount: 1, clientCount: 0, memberCount: 1 });
    // Their own organization and their personal one, nothing else.
    expect(mine.total).toBe(2);
    expect(mine.rows.some((o) => o.id === orgId)).toBe(false);

    const all = await listManagedOrganizations(db, admin, { q: org.slug });
    expect(all.rows).toHaveLength(1);
    expect(all.rows[0]).toMatchObject({ id: org.id, role: null });
    const everything = await listManagedOrganizations(db, admin, { pageSize: 2 });
    expect(everything.rows).toHaveLength(2);
    expect(everything.total).toBeGreaterThan(3);
    const byApis = await listManagedOrganizations(db, admin, { sort: { id: "apis", desc: true }, pageSize: 100 });
    expect(byApis.rows.map((o) => o.apiCount)).toEqual([...byApis.rows.map((o) => o.apiCount)].sort((a, b) => b - a));

    expect(await listManagedOrganizations(db, await makeUser(db, "portal"))).toEqual({ rows: [], total: 0 });
  });
});

describe("getOrganizationOverview", () => {
  it("derives statuses: Ready and Published API versions, Locked plans, Awaiting approval and Registered clients", async () => {
    const { owner, org } = await makeOrg(db, await makeUser(db, "manager"));
    const { planVersionId } = await makeLockedPlan(db, owner, org.id);
    const { version: draft } = await createApi(db, owner, { orgId: org.id, slug: "draft", name: "Draft", endpoint: "http://127.0.0.1:9/x" });
    await offerPlan(db, owner, { apiVersionId: draft.id, planVersionId, requiresApproval: true });
    const { api: bare } = await createApi(db, owner, { orgId: org.id, slug: "bare", name: "Bare" });
    await publishApiVersion(db, owner, draft.id);
    await createApiVersion(db, owner, { apiId: draft.apiId, version: "1.10", copyFromVersionId: draft.id });
    await createApiVersion(db, owner, { apiId: draft.apiId, version: "1.2", copyFromVersionId: draft.id });

    const consumer = await makeUser(db, "manager");
    await addMember(db, owner, { orgId: org.id, email: consumer.email, role: "client-developer" });
    const clientDev = await refresh(db, consumer);
    const waiting = await makeClient(db, clientDev, org.id);
    await createContract(db, clientDev, { clientVersionId: waiting.clientVersionId, apiVersionId: draft.id, planVersionId });
    const registered = await makeClient(db, owner, org.id);
    await createContract(db, owner, { clientVersionId: registered.clientVersionId, apiVersionId: draft.id, planVersionId });

    const apiList = await listOrganizationApis(db, owner, org.id);
    const apiRow = apiList.rows.find((a) => a.slug === "draft")!;
    expect(apiRow.versions.map((v) => [v.version, v.status])).toEqual([
      ["1.0", "Published"],
      ["1.2", "Ready"],
      ["1.10", "Ready"],
    ]);
    expect(apiList.rows.find((a) => a.id === bare.id)!.versions.map((v) => v.status)).toEqual(["Created"]);
    expect((await listOrganizationPlans(db, owner, org.id)).rows.flatMap((p) => p.versions.map((v) => v.status))).toEqual(["Locked"]);
    const clientList = await listOrganizationClients(db, owner, org.id);
    const statusOf = (clientId: string) => clientList.rows.find((c) => c.id === clientId)!.versions[0].status;
    expect(statusOf(waiting.client.id)).toBe("AwaitingApproval");
    expect(statusOf(registered.client.id)).toBe("Registered");
    const members = await listOrganizationMembers(db, owner, org.id);
    expect(members.rows.map((m) => m.role).sort()).toEqual(["client-developer", "owner"]);
    expect(members.ownerCount).toBe(1);

    const overview = await getOrganizationOverview(db, owner, org.slug);
    expect(overview).toMatchObject({ role: "owner", can: { orgAdmin: true, apiAdmin: true, planAdmin: true, clientAdmin: true } });

    // A client developer sees the clients and members, not the API side.
    const partial = await getOrganizationOverview(db, clientDev, org.slug);
    expect(partial.can).toMatchObject({ orgAdmin: false, apiView: false, planView: false, clientView: true, clientEdit: true });
    await expectCode(listOrganizationApis(db, clientDev, org.id), "not_found");
    await expectCode(listOrganizationPlans(db, clientDev, org.id), "not_found");
    expect((await listOrganizationClients(db, clientDev, org.id)).total).toBe(2);
    expect((await listOrganizationMembers(db, clientDev, org.id)).total).toBe(2);
    // A portal-only owner of the organization sees none of it in API Management.
    const portalOwner = await makeUser(db, "portal");
    await addMember(db, owner, { orgId: org.id, email: portalOwner.email, role: "owner" });
    await expectCode(listOrganizationMembers(db, await refresh(db, portalOwner), org.id), "not_found");
  });

  it("lists are filtered, sorted and paged on the server", async () => {
    const { owner, org } = await makeOrg(db, await makeUser(db, "manager"));
    for (const [slug, name] of [
      ["zeta", "Alpha Zeta"],
      ["alpha", "Zulu Alpha"],
      ["mid", "Middle"],
    ]) {
      await createApi(db, owner, { orgId: org.id, slug, name, description: slug === "mid" ? "the geography one" : "" });
    }
    const byName = await listOrganizationApis(db, owner, org.id, { pageSize: 2 });
    expect(byName.total).toBe(3);
    expect(byName.rows.map((r) => r.name)).toEqual(["Alpha Zeta", "Middle"]);
    expect((await listOrganizationApis(db, owner, org.id, { pageSize: 2, page: 2 })).rows.map((r) => r.name)).toEqual(["Zulu Alpha"]);
    expect(await listOrganizationApis(db, owner, org.id, { pageSize: 2, page: 3 })).toEqual({ rows: [], total: 3 });
    expect((await listOrganizationApis(db, owner, org.id, { sort: { id: "slug", desc: true } })).rows.map((r) => r.slug)).toEqual(["zeta", "mid", "alpha"]);
    expect((await listOrganizationApis(db, owner, org.id, { q: "alpha" })).rows.map((r) => r.slug)).toEqual(["zeta", "alpha"]);
    expect((await listOrganizationApis(db, owner, org.id, { q: "GEOGRAPHY" })).rows.map((r) => r.slug)).toEqual(["mid"]);
    expect((await listOrganizationApis(db, owner, org.id, { q: "%" })).total).toBe(0);

    const viewer = await makeUser(db, "manager", "Aaron Viewer");
    await addMember(db, owner, { orgId: org.id, email: viewer.email, role: "viewer" });
    const members = await listOrganizationMembers(db, owner, org.id, { sort: { id: "role", desc: false } });
    expect(members.rows.map((m) => m.role)).toEqual(["owner", "viewer"]);
    expect((await listOrganizationMembers(db, owner, org.id)).rows[0].name).toBe("Aaron Viewer");
    expect((await listOrganizationMembers(db, owner, org.id, { q: "aaron" })).rows.map((m) => m.email)).toEqual([viewer.email]);
  });
});

describe("getApiVersionDetail and the plans it could offer", () => {
  it("shows the version with its derived status, offered plans, sibling versions and contract counts", async () => {
    const { api, apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const consumer = await makeUser(db, "portal");
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await createApiVersion(db, provider, { apiId: api.id, version: "2.0" });

    const detail = await getApiVersionDetail(db, provider, { org: orgSlug, api: api.slug, version: "1.0" });
    expect(detail.version.id).toBe(apiVersionId);
    expect(detail.status).toBe("Published");
    expect(detail.offeredPlans.map((p) => [p.planVersionId, p.requiresApproval])).toEqual([[planVersionId, true]]);
    expect(detail.versions.map((v) => [v.version, v.status])).toEqual([
      ["1.0", "Published"],
      ["2.0", "Created"],
    ]);
    expect(detail).toMatchObject({ liveContracts: 1, pendingContracts: 1 });

    await expectCode(getApiVersionDetail(db, provider, { org: orgSlug, api: api.slug, version: "9.9" }), "api_not_found");
    await expectCode(getApiVersionDetail(db, consumer, { org: orgSlug, api: api.slug, version: "1.0" }), "not_found");
  });

  it("offers only locked plan versions of the same organization whose plan is not offered yet", async () => {
    const { planVersionId: offered, plan } = await makeLockedPlan(db, provider, orgId);
    const { planVersionId: free } = await makeLockedPlan(db, provider, orgId);
    const { version: unlocked } = await createPlan(db, provider, { orgId, slug: `draft-${Date.now()}`, name: "Draft plan" });
    const { owner: other, org: otherOrg } = await makeOrg(db, await makeUser(db, "manager"));
    const { planVersionId: foreign } = await makeLockedPlan(db, other, otherOrg.id);
    const { version } = await createApi(db, provider, { orgId, slug: `offers-${Date.now()}`, name: "Offers" });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: offered });
    // A newer locked version of an offered plan is not offerable either: one version per plan.
    const { createPlanVersion } = await import("./plans");
    const newer = await createPlanVersion(db, provider, { planId: plan.id, version: "2.0", copyFromVersionId: offered });
    await lockPlanVersion(db, provider, newer.id);

    const ids = (await listOfferablePlanVersions(db, orgId, version.id)).map((p) => p.planVersionId);
    expect(ids).toContain(free);
    expect(ids).not.toContain(offered);
    expect(ids).not.toContain(newer.id);
    expect(ids).not.toContain(unlocked.id);
    expect(ids).not.toContain(foreign);
  });

  it("orders versions numerically and suggests the next one", () => {
    expect(["1.10", "1.2", "1.0", "2.0"].sort(compareVersions)).toEqual(["1.0", "1.2", "1.10", "2.0"]);
    expect(suggestNextVersion([])).toBe("1.0");
    expect(suggestNextVersion(["1.0"])).toBe("1.1");
    expect(suggestNextVersion(["1.9", "1.0"])).toBe("1.10");
    expect(suggestNextVersion(["v3"])).toBe("v4");
    expect(suggestNextVersion(["beta"])).toBe("beta.1");
  });
});

describe("getPlanVersionDetail", () => {
  it("lists the API versions offering the plan version; hidden from those without planView", async () => {
    const { api, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const detail0 = await getApiVersionDetail(db, provider, { org: orgSlug, api: api.slug, version: "1.0" });
    const plan = detail0.offeredPlans[0];
    const detail = await getPlanVersionDetail(db, provider, { org: orgSlug, plan: plan.slug, version: "1.0" });
    expect(detail.version.id).toBe(planVersionId);
    expect(detail.offeredBy).toEqual([{ apiSlug: api.slug, apiName: api.name, version: "1.0", status: "Published", requiresApproval: true }]);
    expect(detail.versions.map((v) => v.status)).toEqual(["Locked"]);
    await expectCode(getPlanVersionDetail(db, await member("client-developer"), { org: orgSlug, plan: plan.slug, version: "1.0" }), "not_found");
    await expectCode(getPlanVersionDetail(db, provider, { org: orgSlug, plan: plan.slug, version: "3.0" }), "plan_not_found");
  });
});

describe("getClientVersionDetail", () => {
  it("never carries the API key itself, only its mask, and shows the previous key during its grace period", async () => {
    const { client, version } = await createClient(db, provider, { orgId, name: `Keyed ${Date.now()}` });
    const fresh = await getClientVersionDetail(db, provider, { org: orgSlug, client: client.slug, version: "1.0" });
    expect(JSON.stringify(fresh)).not.toContain(version.apiKey);
    expect(fresh.key.masked.endsWith(version.apiKey.slice(-4))).toBe(true);
    expect(fresh.key.previous).toBeNull();
    expect(fresh.status).toBe("Created");

    const rotated = await rotateApiKey(db, provider, { clientVersionId: version.id, graceSeconds: 3600 });
    const after = await getClientVersionDetail(db, provider, { org: orgSlug, client: client.slug, version: "1.0" });
    const text = JSON.stringify(after);
    expect(text).not.toContain(version.apiKey);
    expect(text).not.toContain(rotated.apiKey);
    expect(after.key.previous?.masked.endsWith(version.apiKey.slice(-4))).toBe(true);
    expect(after.key.previous!.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("not_found for those without clientView in the organization", async () => {
    const { client } = await createClient(db, provider, { orgId, name: `Hidden ${Date.now()}` });
    const stranger = (await makeOrg(db, await makeUser(db, "manager"))).owner;
    await expectCode(getClientVersionDetail(db, stranger, { org: orgSlug, client: client.slug, version: "1.0" }), "not_found");
    await expectCode(getClientVersionDetail(db, provider, { org: orgSlug, client: client.slug, version: "2.0" }), "client_not_found");
  });
});

describe("approval requests", () => {
  it("lists requests on the plans the actor administers, with client, requester, API and plan", async () => {
    const { owner: otherOwner, org: otherOrg } = await makeOrg(db, await makeUser(db, "manager"));
    const mine = await pendingRequest();
    const theirs = await pendingRequest(otherOrg.id, otherOwner);

    const { rows, total } = await listPendingApprovals(db, otherOwner);
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({
      contractId: theirs.contract.id,
      requesterName: theirs.consumer.name,
      requesterEmail: theirs.consumer.email,
      clientName: theirs.client.name,
      clientVersion: "1.0",
      apiSlug: theirs.api.slug,
      apiOrgSlug: otherOrg.slug,
      planVersion: "1.0",
    });
    expect(await countPendingApprovals(db, otherOwner)).toBe(1);

    const forProvider = await listPendingApprovals(db, provider, { pageSize: 100 });
    expect(forProvider.rows.map((r) => r.contractId)).toContain(mine.contract.id);
    expect(forProvider.rows.map((r) => r.contractId)).not.toContain(theirs.contract.id);

    const forAdmin = await listPendingApprovals(db, admin, { pageSize: 100 });
    expect(forAdmin.rows.map((r) => r.contractId)).toEqual(expect.arrayContaining([mine.contract.id, theirs.contract.id]));
    expect(await countPendingApprovals(db, admin)).toBe(forAdmin.total);
  });

  it("shows nothing to those who may not decide: api developers decide, client developers, viewers and portal users do not", async () => {
    await pendingRequest();
    expect((await listPendingApprovals(db, await member("api-developer"))).total).toBeGreaterThan(0);
    for (const who of [await member("client-developer"), await member("viewer"), await member("owner", "portal")]) {
      expect(await listPendingApprovals(db, who)).toEqual({ rows: [], total: 0 });
      expect(await countPendingApprovals(db, who)).toBe(0);
    }
  });

  it("sorts, filters and pages on the server", async () => {
    const { owner, org } = await makeOrg(db, await makeUser(db, "manager"));
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await pendingRequest(org.id, owner));
    const byRequestedAt = await listPendingApprovals(db, owner, { pageSize: 2 });
    expect(byRequestedAt.total).toBe(3);
    expect(byRequestedAt.rows.map((r) => r.contractId)).toEqual(made.slice(0, 2).map((m) => m.contract.id));
    const second = await listPendingApprovals(db, owner, { pageSize: 2, page: 2 });
    expect(second.rows.map((r) => r.contractId)).toEqual([made[2].contract.id]);
    const past = await listPendingApprovals(db, owner, { pageSize: 2, page: 5 });
    expect(past).toEqual({ rows: [], total: 3 });
    const newestFirst = await listPendingApprovals(db, owner, { sort: { id: "requested", desc: true } });
    expect(newestFirst.rows[0].contractId).toBe(made[2].contract.id);
    const byRequester = await listPendingApprovals(db, owner, { sort: { id: "requester", desc: false } });
    expect(byRequester.rows.map((r) => r.requesterName)).toEqual([...made.map((m) => m.consumer.name)].sort((a, b) => a.localeCompare(b)));
    const filtered = await listPendingApprovals(db, owner, { q: made[1].client.name });
    expect(filtered.rows.map((r) => r.contractId)).toEqual([made[1].contract.id]);
    expect((await listPendingApprovals(db, owner, { q: made[1].client.name })).total).toBe(1);
    expect((await listPendingApprovals(db, owner, { q: "100%_" })).total).toBe(0);
  });
});

describe("decideContracts", () => {
  it("approves several requests, each through the contract rules, and notifies each requester", async () => {
    const a = await pendingRequest();
    const b = await pendingRequest();
    const outcome = await decideContracts(db, provider, { decision: "approve", contractIds: [a.contract.id, b.contract.id] });
    expect(outcome).toEqual({ decided: [a.contract.id, b.contract.id], failed: [] });
    for (const r of [a, b]) {
      const [row] = await db.select().from(contracts).where(eq(contracts.id, r.contract.id));
      expect(row).toMatchObject({ status: "Active", decidedById: provider.userId });
      const notes = await db.select().from(notifications).where(and(eq(notifications.recipientId, r.consumer.userId), eq(notifications.kind, "contract_approved")));
      expect(notes).toHaveLength(1);
    }
  });

  it("rejects with one shared reason, which every requester is told; a reason is required", async () => {
    const a = await pendingRequest();
    const b = await pendingRequest();
    await expectCode(decideContracts(db, provider, { decision: "reject", contractIds: [a.contract.id], reason: "  " }), "validation_failed");
    const outcome = await decideContracts(db, provider, { decision: "reject", contractIds: [a.contract.id, b.contract.id], reason: "Production use only" });
    expect(outcome.decided).toHaveLength(2);
    for (const r of [a, b]) {
      const [row] = await db.select().from(contracts).where(eq(contracts.id, r.contract.id));
      expect(row).toMatchObject({ status: "Rejected", reason: "Production use only" });
      const [note] = await db.select().from(notifications).where(and(eq(notifications.recipientId, r.consumer.userId), eq(notifications.kind, "contract_rejected")));
      expect(note.text).toContain("Production use only");
    }
  });

  it("reports the requests it could not decide and decides the others", async () => {
    const decided = await pendingRequest();
    await approveContract(db, provider, decided.contract.id);
    const open = await pendingRequest();
    const { owner: otherOwner, org: otherOrg } = await makeOrg(db, await makeUser(db, "manager"));
    const foreign = await pendingRequest(otherOrg.id, otherOwner);
    const outcome = await decideContracts(db, provider, { decision: "approve", contractIds: [decided.contract.id, open.contract.id, foreign.contract.id] });
    expect(outcome.decided).toEqual([open.contract.id]);
    expect(outcome.failed.map((f) => [f.contractId, f.code])).toEqual([
      [decided.contract.id, "invalid_state"],
      [foreign.contract.id, "contract_not_found"],
    ]);
    const [untouched] = await db.select().from(contracts).where(eq(contracts.id, foreign.contract.id));
    expect(untouched.status).toBe("AwaitingApproval");
  });

  it("needs at least one request", async () => {
    await expectCode(decideContracts(db, provider, { decision: "approve", contractIds: [] }), "validation_failed");
  });
});

describe("listActivity", () => {
  it("tells the story of an API version, with each contract event once even when both organizations recorded it", async () => {
    const { planVersionId } = await makeLockedPlan(db, provider, orgId);
    const { api, version } = await createApi(db, provider, { orgId, slug: `story-${Date.now()}`, name: "Story", endpoint: "http://127.0.0.1:9/story" });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: true });
    await publishApiVersion(db, provider, version.id);
    await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Story" });
    const consumer = await makeUser(db, "portal");
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId: version.id, planVersionId });
    await approveContract(db, provider, contract.id);
    await breakContract(db, provider, { contractId: contract.id, reason: "Abuse" });
    // Another version's events stay out.
    await createApiVersion(db, provider, { apiId: api.id, version: "2.0" });

    const { rows, total } = await listActivity(db, provider, { kind: "apiVersion", apiVersionId: version.id });
    expect(rows.map((r) => r.action)).toEqual([
      "contract.broken",
      "contract.approved",
      "contract.created",
      "api_version.updated",
      "api_version.published",
      "api_version.plan_offered",
      "api.created",
    ]);
    expect(total).toBe(7);
    expect(rows[0]).toMatchObject({ actorName: provider.name, details: expect.objectContaining({ reason: "Abuse", side: "api" }) });
    expect(rows[2].actorEmail).toBe(consumer.email);

    const page2 = await listActivity(db, provider, { kind: "apiVersion", apiVersionId: version.id }, { page: 2, pageSize: 5 });
    expect(page2.rows.map((r) => r.action)).toEqual(["api_version.plan_offered", "api.created"]);
    expect(page2.total).toBe(7);
    const pastTheEnd = await listActivity(db, provider, { kind: "apiVersion", apiVersionId: version.id }, { page: 9, pageSize: 5 });
    expect(pastTheEnd).toEqual({ rows: [], total: 7 });

    // The consumer's side: the client version's history includes the provider's decisions.
    const clientSide = await listActivity(db, await refresh(db, consumer), { kind: "clientVersion", clientVersionId }).catch((e: unknown) => e);
    expect(clientSide).toBeInstanceOf(DomainError); // a portal user has no API Management
    const consumerManager = await makeUser(db, "manager");
    const { clientVersionId: cv2 } = await makeClient(db, consumerManager, personalOrgId(consumerManager));
    const c2 = await createContract(db, consumerManager, { clientVersionId: cv2, apiVersionId: version.id, planVersionId });
    await rejectContract(db, provider, { contractId: c2.id, reason: "Not now" });
    const history = await listActivity(db, consumerManager, { kind: "clientVersion", clientVersionId: cv2 });
    expect(history.rows.map((r) => r.action)).toEqual(["contract.rejected", "contract.created", "client.created"]);
  });

  it("not_found for those who may not view the thing", async () => {
    const { apiVersionId } = await makePublishedApi(db, provider, orgId);
    const stranger = (await makeOrg(db, await makeUser(db, "manager"))).owner;
    await expectCode(listActivity(db, stranger, { kind: "apiVersion", apiVersionId }), "not_found");
    await expectCode(listActivity(db, await member("client-developer"), { kind: "apiVersion", apiVersionId }), "not_found");
    await expectCode(listActivity(db, stranger, { kind: "organization", orgId }), "not_found");
    const org = await listActivity(db, provider, { kind: "organization", orgId }, { pageSize: 3 });
    expect(org.rows).toHaveLength(3);
    expect(org.total).toBeGreaterThan(3);
  });

  it("a plan version's history: creation, policy changes and locking", async () => {
    const { plan, version } = await createPlan(db, provider, { orgId, slug: `hist-${Date.now()}`, name: "History" });
    const { updatePlanPolicies } = await import("./plans");
    await updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [{ type: "quota", limit: 10, period: "day" }] });
    await lockPlanVersion(db, provider, version.id);
    const { rows } = await listActivity(db, provider, { kind: "planVersion", planVersionId: version.id });
    expect(rows.map((r) => r.action)).toEqual(["plan_version.locked", "plan_version.policies_updated", "plan.created"]);
    expect(plan.slug).toContain("hist-");
  });
});
