import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { notifications } from "@/db/schema";
import { listActivity } from "./activity";
import { createApi, getApiVersionDetail, listOrganizationApis } from "./apis";
import { getApiPage, listCatalog } from "./catalog";
import { getClientVersionDetail, listContractCandidates, listMyClients, listOrganizationClients } from "./clients";
import { countPendingApprovals, createContract, listContracts, listPendingApprovals } from "./contracts";
import { DomainError } from "./errors";
import { addMember, getOrganizationOverview, listManagedOrganizations, listOrganizationMembers } from "./organizations";
import { type Actor, hasManagementAccess, hasPermission, membersHoldingPermission, type Permission, PERMISSIONS, type Profile, type Role } from "./permissions";
import { findPlanVersion, getPlanVersionDetail, listOrganizationPlans } from "./plans";
import { makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, refresh } from "./test-fixtures";

/**
 * Every list and page query against the role and profile tables: for each kind of actor, what a
 * read returns or refuses is derived from hasPermission (itself checked against SPEC §2 in
 * permissions.test.ts), never written out per case.
 */

interface ActorKind {
  name: string;
  profile: Profile;
  /** The role in the target organization T; none for outsiders. */
  role: Role | null;
}

const KINDS: readonly ActorKind[] = [
  { name: "admin", profile: "admin", role: null },
  { name: "owner (manager)", profile: "manager", role: "owner" },
  { name: "api-developer", profile: "manager", role: "api-developer" },
  { name: "client-developer", profile: "manager", role: "client-developer" },
  { name: "viewer", profile: "manager", role: "viewer" },
  { name: "member with portal profile", profile: "portal", role: "owner" },
  { name: "outsider", profile: "manager", role: null },
];

let open: OpenDatabase;
let db: Db;
let boss: Actor; // manager, owner of the target organization T
let otherBoss: Actor; // manager, owner of the other organization O
const actors = new Map<string, Actor>();
let T: { id: string; slug: string };
let O: { id: string; slug: string };
let apiT: Awaited<ReturnType<typeof makePublishedApi>>;
let apiO: Awaited<ReturnType<typeof makePublishedApi>>;
let draftApiT: { slug: string };
let planT: { slug: string; version: string };
let clientT: Awaited<ReturnType<typeof makeClient>>;
/** The contracts of this world, with the organizations of both sides. */
const worldContracts: { id: string; clientOrgId: string; apiOrgId: string; pending: boolean }[] = [];

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  let org;
  ({ org, owner: boss } = await makeOrg(db, await makeUser(db, "manager")));
  T = org;
  ({ org, owner: otherBoss } = await makeOrg(db, await makeUser(db, "manager")));
  O = org;
  for (const kind of KINDS) {
    const actor = await makeUser(db, kind.profile);
    if (kind.role) await addMember(db, boss, { orgId: T.id, email: actor.email, role: kind.role });
    actors.set(kind.name, await refresh(db, actor));
  }
  apiT = await makePublishedApi(db, boss, T.id, { requiresApproval: true });
  apiO = await makePublishedApi(db, otherBoss, O.id, { requiresApproval: true });
  const openApiO = await makePublishedApi(db, otherBoss, O.id);
  const plan = (await findPlanVersion(db, apiT.planVersionId))!;
  planT = { slug: plan.plan.slug, version: plan.version.version };
  draftApiT = (await createApi(db, boss, { orgId: T.id, slug: "draft", name: "Draft", endpoint: "http://127.0.0.1:9/draft" })).api;
  clientT = await makeClient(db, boss, T.id);
  const clientO = await makeClient(db, otherBoss, O.id);
  const sign = async (clientVersionId: string, clientOrgId: string, api: typeof apiT, apiOrgId: string, actor: Actor) => {
    const contract = await createContract(db, actor, { clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    worldContracts.push({ id: contract.id, clientOrgId, apiOrgId, pending: contract.status === "AwaitingApproval" });
  };
  await sign(clientT.clientVersionId, T.id, apiO, O.id, boss); // T's client asks O
  await sign(clientO.clientVersionId, O.id, apiT, T.id, otherBoss); // O's client asks T
  await sign(clientO.clientVersionId, O.id, openApiO, O.id, otherBoss); // all within O
});
afterAll(() => open.close());

type Outcome = string[] | "ok" | string;

/** A read's outcome as something to compare: the sorted ids it lists, or ok, or the error code it refuses with. */
async function outcomeOf(read: Promise<unknown>, ids?: (value: never) => string[]): Promise<Outcome> {
  try {
    const value = await read;
    return ids ? ids(value as never).sort() : "ok";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

const can = (actor: Actor, permission: Permission, orgId = T.id) => hasPermission(actor, orgId, permission);
const isMemberOfT = (actor: Actor) => actor.roles.has(T.id);
/** API Management pages: management access and the view permission, else not_found. */
const managementPage = (actor: Actor, permission: Permission) => (hasManagementAccess(actor) && can(actor, permission) ? "ok" : "not_found");
const worldIds = (ids: string[], world: string[]) => ids.filter((id) => world.includes(id));
const contractIds = () => worldContracts.map((c) => c.id);

interface Read {
  name: string;
  run: (actor: Actor) => Promise<Outcome>;
  expected: (actor: Actor) => Outcome;
}

const READS: Read[] = [
  {
    name: "listContracts (every contract list)",
    run: (a) => outcomeOf(listContracts(db, a, { pageSize: 500 }), (page: Awaited<ReturnType<typeof listContracts>>) => worldIds(page.rows.map((r) => r.id), contractIds())),
    expected: (a) => worldContracts.filter((c) => can(a, "clientView", c.clientOrgId) || can(a, "apiView", c.apiOrgId)).map((c) => c.id).sort(),
  },
  {
    name: "listContracts of T's API version (its Contracts tab)",
    run: (a) => outcomeOf(listContracts(db, a, { apiVersionId: apiT.apiVersionId }), (page: Awaited<ReturnType<typeof listContracts>>) => page.rows.map((r) => r.id)),
    expected: (a) => worldContracts.filter((c) => c.apiOrgId === T.id && (can(a, "clientView", c.clientOrgId) || can(a, "apiView", c.apiOrgId))).map((c) => c.id).sort(),
  },
  {
    name: "listMyClients (My Clients: the actor's own organizations)",
    run: (a) => outcomeOf(listMyClients(db, a), (page: Awaited<ReturnType<typeof listMyClients>>) => page.clients.map((c) => c.id)),
    expected: (a) => (isMemberOfT(a) && can(a, "clientView") ? [clientT.client.id] : []),
  },
  {
    name: "listContractCandidates (Create contract form)",
    run: (a) => outcomeOf(listContractCandidates(db, a, apiO.apiVersionId), (rows: Awaited<ReturnType<typeof listContractCandidates>>) => rows.map((r) => r.clientVersionId)),
    expected: (a) => (isMemberOfT(a) && can(a, "clientEdit") ? [clientT.clientVersionId] : []),
  },
  {
    name: "listPendingApprovals",
    run: (a) => outcomeOf(listPendingApprovals(db, a, { pageSize: 100 }), (page: Awaited<ReturnType<typeof listPendingApprovals>>) => worldIds(page.rows.map((r) => r.contractId), contractIds())),
    expected: (a) => worldContracts.filter((c) => c.pending && can(a, "planAdmin", c.apiOrgId)).map((c) => c.id).sort(),
  },
  {
    name: "countPendingApprovals",
    run: async (a) => [String(await countPendingApprovals(db, a))],
    expected: (a) => [String(worldContracts.filter((c) => c.pending && can(a, "planAdmin", c.apiOrgId)).length)],
  },
  {
    name: "listManagedOrganizations (has T)",
    run: (a) => outcomeOf(listManagedOrganizations(db, a, { pageSize: 100 }), (page: Awaited<ReturnType<typeof listManagedOrganizations>>) => worldIds(page.rows.map((r) => r.id), [T.id])),
    expected: (a) => (hasManagementAccess(a) && can(a, "orgView") ? [T.id] : []),
  },
  { name: "getOrganizationOverview", run: (a) => outcomeOf(getOrganizationOverview(db, a, T.slug)), expected: (a) => managementPage(a, "orgView") },
  { name: "listOrganizationMembers", run: (a) => outcomeOf(listOrganizationMembers(db, a, T.id)), expected: (a) => managementPage(a, "orgView") },
  { name: "listActivity of the organization", run: (a) => outcomeOf(listActivity(db, a, { kind: "organization", orgId: T.id })), expected: (a) => managementPage(a, "orgView") },
  { name: "listOrganizationApis", run: (a) => outcomeOf(listOrganizationApis(db, a, T.id)), expected: (a) => managementPage(a, "apiView") },
  { name: "listOrganizationPlans", run: (a) => outcomeOf(listOrganizationPlans(db, a, T.id)), expected: (a) => managementPage(a, "planView") },
  { name: "listOrganizationClients", run: (a) => outcomeOf(listOrganizationClients(db, a, T.id)), expected: (a) => managementPage(a, "clientView") },
  {
    name: "getApiVersionDetail",
    run: (a) => outcomeOf(getApiVersionDetail(db, a, { org: T.slug, api: apiT.api.slug, version: "1.0" })),
    expected: (a) => managementPage(a, "apiView"),
  },
  {
    name: "getClientVersionDetail",
    run: (a) => outcomeOf(getClientVersionDetail(db, a, { org: T.slug, client: clientT.client.slug, version: "1.0" })),
    expected: (a) => managementPage(a, "clientView"),
  },
  {
    name: "getClientVersionDetail as a member (the REST API)",
    run: (a) => outcomeOf(getClientVersionDetail(db, a, { org: T.slug, client: clientT.client.slug, version: "1.0" }, "member")),
    expected: (a) => (can(a, "clientView") ? "ok" : "not_found"),
  },
  {
    name: "listOrganizationClients as a member (the REST API)",
    run: (a) => outcomeOf(listOrganizationClients(db, a, T.id, {}, "member")),
    expected: (a) => (can(a, "clientView") ? "ok" : "not_found"),
  },
  {
    name: "getPlanVersionDetail",
    run: (a) => outcomeOf(getPlanVersionDetail(db, a, { org: T.slug, plan: planT.slug, version: planT.version })),
    expected: (a) => managementPage(a, "planView"),
  },
  {
    name: "listCatalog (published APIs, for everyone)",
    run: (a) => outcomeOf(listCatalog(db, a, { pageSize: 100 }), (page: Awaited<ReturnType<typeof listCatalog>>) => worldIds(page.rows.map((r) => r.apiId), [apiT.api.id, apiO.api.id])),
    expected: () => [apiT.api.id, apiO.api.id].sort(),
  },
  { name: "getApiPage of a published API", run: (a) => outcomeOf(getApiPage(db, a, T.slug, apiT.api.slug)), expected: () => "ok" },
  {
    name: "getApiPage of an unpublished API (apiView, in the portal too)",
    run: (a) => outcomeOf(getApiPage(db, a, T.slug, draftApiT.slug)),
    expected: (a) => (can(a, "apiView") ? "ok" : "not_found"),
  },
];

const cases = KINDS.flatMap((kind) => READS.map((read) => ({ kind: kind.name, read: read.name, run: read.run, expected: read.expected })));

describe("each actor kind × each read, against the database", () => {
  it.each(cases)("$kind: $read", async ({ kind, run, expected }) => {
    const actor = actors.get(kind)!;
    expect(await run(actor)).toEqual(expected(actor));
  });

  it("every organization-scoped read was given to some actor kind and refused to another, so each row can fail", () => {
    for (const read of READS.filter((r) => !r.name.includes("for everyone") && !r.name.includes("of a published API"))) {
      const outcomes = new Set(KINDS.map((kind) => JSON.stringify(read.expected(actors.get(kind.name)!))));
      expect(outcomes.size, read.name).toBeGreaterThan(1);
    }
  });
});

describe("who holds a permission", () => {
  const membersOfT = () => [boss, ...actors.values()].filter(isMemberOfT);

  it.each(PERMISSIONS)("membersHoldingPermission(T, %s) is exactly the members hasPermission lets do it", async (permission) => {
    const expected = membersOfT().filter((a) => can(a, permission)).map((a) => a.userId).sort();
    expect((await membersHoldingPermission(db, T.id, permission)).sort()).toEqual(expected);
  });

  it("an approval request is sent to exactly those who may approve it", async () => {
    const rows = await db
      .select({ recipientId: notifications.recipientId })
      .from(notifications)
      .where(and(eq(notifications.kind, "approval_requested"), inArray(notifications.recipientId, membersOfT().map((a) => a.userId))));
    const approvers = membersOfT().filter((a) => can(a, "planAdmin")).map((a) => a.userId);
    expect(rows.map((r) => r.recipientId).sort()).toEqual(approvers.sort());
  });
});
