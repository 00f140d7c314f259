import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { createApi, createApiVersion, offerPlan, publishApiVersion, retireApiVersion, updateApiVersion } from "./apis";
import { createClient, createClientVersion, deleteClient, retireClientVersion, revealApiKey, rotateApiKey } from "./clients";
import { approveContract, breakContract, createContract, rejectContract, withdrawContract } from "./contracts";
import { DomainError, type DomainErrorCode } from "./errors";
import { addMember, changeMemberRole, createOrganization, getOrganization, removeMember } from "./organizations";
import {
  type Actor,
  hasManagementAccess,
  hasPermission,
  loadActor,
  type Permission,
  PERMISSIONS,
  type Profile,
  requirePermission,
  type Role,
  ROLE_PERMISSIONS,
} from "./permissions";
import { createPlan, lockPlanVersion, updatePlanPolicies } from "./plans";
import {
  expectCode,
  makeBareUser,
  makeClient,
  makeLockedPlan,
  makeOrg,
  makePublishedApi,
  makeUser,
  openTestDb,
  refresh,
} from "./test-fixtures";

type Who = Role | "non-member";
const WHO: readonly Who[] = ["owner", "api-developer", "client-developer", "viewer", "non-member"];
const PROFILES: readonly Profile[] = ["portal", "manager", "admin"];

// The expected grants, written out from SPEC §2: the role table, narrowed by the profile
// (edit and admin of the organization, its APIs and its plans belong to API Management),
// and everything for admins, member or not.
const ALL = "orgView orgEdit orgAdmin apiView apiEdit apiAdmin planView planEdit planAdmin clientView clientEdit clientAdmin";
const GRANTED: Record<Who, Record<Profile, string>> = {
  owner: { portal: "orgView apiView planView clientView clientEdit clientAdmin", manager: ALL, admin: ALL },
  "api-developer": { portal: "orgView apiView planView", manager: "orgView apiView apiEdit apiAdmin planView planEdit planAdmin", admin: ALL },
  "client-developer": { portal: "orgView clientView clientEdit clientAdmin", manager: "orgView clientView clientEdit clientAdmin", admin: ALL },
  viewer: { portal: "orgView apiView planView clientView", manager: "orgView apiView planView clientView", admin: ALL },
  "non-member": { portal: "", manager: "", admin: ALL },
};
const granted = (who: Who, profile: Profile, permission: Permission) => GRANTED[who][profile].split(" ").includes(permission);

const grid = WHO.flatMap((who) => PROFILES.map((profile) => ({ who, profile })));

describe("the permission model", () => {
  it("has the twelve permissions org|api|plan|client × view|edit|admin", () => {
    expect([...PERMISSIONS].sort()).toEqual(ALL.split(" ").sort());
  });

  it("gives each role the permissions of the SPEC §2 table", () => {
    const table = Object.fromEntries(Object.entries(ROLE_PERMISSIONS).map(([role, list]) => [role, [...list].sort()]));
    expect(table).toEqual({
      owner: ALL.split(" ").sort(),
      "api-developer": ["apiAdmin", "apiEdit", "apiView", "orgView", "planAdmin", "planEdit", "planView"],
      "client-developer": ["clientAdmin", "clientEdit", "clientView", "orgView"],
      viewer: ["apiView", "clientView", "orgView", "planView"],
    });
  });

  it("lets manager and admin profiles into API Management, portal users not", () => {
    const actor = (profile: Profile): Actor => ({ userId: randomUUID(), email: "a@example.test", name: "A", profile, roles: new Map() });
    expect(hasManagementAccess(actor("portal"))).toBe(false);
    expect(hasManagementAccess(actor("manager"))).toBe(true);
    expect(hasManagementAccess(actor("admin"))).toBe(true);
  });
});

describe("hasPermission: each role and profile × each permission", () => {
  const orgId = randomUUID();
  const otherOrgId = randomUUID();
  const actorFor = (who: Who, profile: Profile): Actor => ({
    userId: randomUUID(),
    email: "someone@example.test",
    name: "Someone",
    profile,
    roles: new Map(who === "non-member" ? [] : [[orgId, who]]),
  });

  const cases = grid.flatMap(({ who, profile }) =>
    PERMISSIONS.map((permission) => ({ who, profile, permission, expected: granted(who, profile, permission) })),
  );

  it.each(cases)("$who ($profile) $permission → $expected", ({ who, profile, permission, expected }) => {
    expect(hasPermission(actorFor(who, profile), orgId, permission)).toBe(expected);
  });

  it.each(grid)("$who ($profile): a role in one organization grants nothing in another", ({ who, profile }) => {
    for (const permission of PERMISSIONS) {
      expect(hasPermission(actorFor(who, profile), otherOrgId, permission)).toBe(profile === "admin");
    }
  });

  it("requirePermission throws forbidden (403) without the permission and passes with it", () => {
    const viewer = actorFor("viewer", "manager");
    expect(() => requirePermission(viewer, orgId, "apiView")).not.toThrow();
    let error: unknown;
    try {
      requirePermission(viewer, orgId, "apiEdit", "Only API developers may do that.");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "forbidden", status: 403, message: "Only API developers may do that." });
  });
});

describe("each role and profile × each operation, against the database", () => {
  let open: OpenDatabase;
  let db: Db;
  let boss: Actor; // manager, owner of the target organization T
  let otherBoss: Actor; // manager, owner of another organization O
  let T: string;
  let tSlug: string;
  let O: string;
  const actors = new Map<string, Actor>();
  let lockedPlanT: string;
  let draftApiT: { apiId: string; versionId: string };
  let draftPlanVersionT: string;
  let approvalApiT: { apiVersionId: string; planVersionId: string };
  let openApiT: { apiVersionId: string; planVersionId: string };
  let openApiO: { apiVersionId: string; planVersionId: string };
  let approvalApiO: { apiVersionId: string; planVersionId: string };
  let clientT: { clientId: string; clientVersionId: string };
  let memberOfT: string;

  let counter = 0;
  const next = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    open = await openTestDb();
    db = open.db;
    const [b, o] = await Promise.all([makeUser(db, "manager"), makeUser(db, "manager")]);
    ({ org: { id: T, slug: tSlug }, owner: boss } = await makeOrg(db, b));
    ({ org: { id: O }, owner: otherBoss } = await makeOrg(db, o));

    await Promise.all(
      grid.map(async ({ who, profile }) => {
        const user = await makeUser(db, profile, `${who} ${profile}`);
        if (who !== "non-member") await addMember(db, boss, { orgId: T, email: user.email, role: who });
        actors.set(`${who}/${profile}`, await refresh(db, user));
      }),
    );

    ({ planVersionId: lockedPlanT } = await makeLockedPlan(db, boss, T));
    const draft = await createApi(db, boss, { orgId: T, slug: "draft", name: "Draft", endpoint: "http://127.0.0.1:9/draft" });
    draftApiT = { apiId: draft.api.id, versionId: draft.version.id };
    draftPlanVersionT = (await createPlan(db, boss, { orgId: T, slug: "draft-plan", name: "Draft plan" })).version.id;
    approvalApiT = await makePublishedApi(db, boss, T, { requiresApproval: true });
    openApiT = await makePublishedApi(db, boss, T);
    openApiO = await makePublishedApi(db, otherBoss, O);
    approvalApiO = await makePublishedApi(db, otherBoss, O, { requiresApproval: true });
    const c = await makeClient(db, boss, T);
    clientT = { clientId: c.client.id, clientVersionId: c.clientVersionId };
    const member = await makeBareUser(db);
    await addMember(db, boss, { orgId: T, email: member.email, role: "viewer" });
    memberOfT = member.id;
  });
  afterAll(() => open?.close());

  type Run = (actor: Actor) => Promise<unknown>;
  interface Operation {
    name: string;
    /** What the operation needs in T; "management" for a profile-only rule. */
    needs: Permission | "management";
    /** Without this permission the target is hidden and the rule answers with a not-found code. */
    hiddenWithout?: { permission: Permission; code: DomainErrorCode };
    /** Makes a fresh target and returns the call to make on it. */
    prepare: () => Promise<Run>;
  }

  const publicDraft = async () =>
    (await createApi(db, boss, { orgId: T, slug: next("public"), name: "Public", endpoint: "http://127.0.0.1:9/public", isPublic: true })).version.id;
  /** A live contract between a client of clientOrg and an API version. */
  const contractOf = async (owner: Actor, clientOrg: string, api: { apiVersionId: string; planVersionId: string }) => {
    const { clientVersionId } = await makeClient(db, owner, clientOrg);
    return createContract(db, owner, { clientVersionId, ...api });
  };

  const apiHidden = { permission: "apiView", code: "api_not_found" } as const;
  const clientHidden = { permission: "clientView", code: "client_not_found" } as const;

  const operations: Operation[] = [
    {
      name: "createApi",
      needs: "apiEdit",
      prepare: async () => (actor) => createApi(db, actor, { orgId: T, slug: next("api"), name: "Matrix" }),
    },
    {
      name: "createApiVersion",
      needs: "apiEdit",
      hiddenWithout: { permission: "apiView", code: "not_found" },
      prepare: async () => (actor) => createApiVersion(db, actor, { apiId: draftApiT.apiId, version: next("v") }),
    },
    {
      name: "updateApiVersion",
      needs: "apiEdit",
      hiddenWithout: apiHidden,
      prepare: async () => (actor) => updateApiVersion(db, actor, { apiVersionId: draftApiT.versionId, docs: `# Docs ${next("d")}` }),
    },
    {
      name: "offerPlan",
      needs: "apiEdit",
      hiddenWithout: apiHidden,
      prepare: async () => {
        const { version } = await createApi(db, boss, { orgId: T, slug: next("offer"), name: "Offer", endpoint: "http://127.0.0.1:9/offer" });
        return (actor) => offerPlan(db, actor, { apiVersionId: version.id, planVersionId: lockedPlanT });
      },
    },
    {
      name: "publishApiVersion",
      needs: "apiAdmin",
      hiddenWithout: apiHidden,
      prepare: async () => {
        const id = await publicDraft();
        return (actor) => publishApiVersion(db, actor, id);
      },
    },
    {
      // A published version is visible to every signed-in user: no hiding.
      name: "retireApiVersion",
      needs: "apiAdmin",
      prepare: async () => {
        const id = await publicDraft();
        await publishApiVersion(db, boss, id);
        return (actor) => retireApiVersion(db, actor, id);
      },
    },
    {
      name: "createPlan",
      needs: "planEdit",
      prepare: async () => (actor) => createPlan(db, actor, { orgId: T, slug: next("plan"), name: "Plan" }),
    },
    {
      name: "updatePlanPolicies",
      needs: "planEdit",
      prepare: async () => (actor) =>
        updatePlanPolicies(db, actor, { planVersionId: draftPlanVersionT, policies: [{ type: "quota", limit: ++counter, period: "day" }] }),
    },
    {
      name: "lockPlanVersion",
      needs: "planAdmin",
      prepare: async () => {
        const { version } = await createPlan(db, boss, { orgId: T, slug: next("lock"), name: "Lock me" });
        return (actor) => lockPlanVersion(db, actor, version.id);
      },
    },
    {
      name: "createClient",
      needs: "clientEdit",
      prepare: async () => (actor) => createClient(db, actor, { orgId: T, name: next("Client") }),
    },
    {
      name: "createClientVersion",
      needs: "clientEdit",
      hiddenWithout: clientHidden,
      prepare: async () => (actor) => createClientVersion(db, actor, { clientId: clientT.clientId, version: next("v") }),
    },
    {
      name: "retireClientVersion",
      needs: "clientAdmin",
      hiddenWithout: clientHidden,
      prepare: async () => {
        const { clientVersionId } = await makeClient(db, boss, T);
        return (actor) => retireClientVersion(db, actor, clientVersionId);
      },
    },
    {
      name: "deleteClient",
      needs: "clientAdmin",
      hiddenWithout: clientHidden,
      prepare: async () => {
        const { client } = await makeClient(db, boss, T);
        return (actor) => deleteClient(db, actor, client.id);
      },
    },
    {
      name: "rotateApiKey",
      needs: "clientEdit",
      hiddenWithout: clientHidden,
      prepare: async () => (actor) => rotateApiKey(db, actor, { clientVersionId: clientT.clientVersionId, graceSeconds: 0 }),
    },
    {
      name: "revealApiKey",
      needs: "clientView",
      hiddenWithout: clientHidden,
      prepare: async () => (actor) => revealApiKey(db, actor, clientT.clientVersionId),
    },
    {
      // SPEC §4, first row: forbidden, even for someone who cannot see the client.
      name: "createContract",
      needs: "clientEdit",
      prepare: async () => {
        const { clientVersionId } = await makeClient(db, boss, T);
        return (actor) => createContract(db, actor, { clientVersionId, ...openApiO });
      },
    },
    {
      name: "approveContract",
      needs: "planAdmin",
      hiddenWithout: { permission: "apiView", code: "contract_not_found" },
      prepare: async () => {
        const { id } = await contractOf(otherBoss, O, approvalApiT);
        return (actor) => approveContract(db, actor, id);
      },
    },
    {
      name: "rejectContract",
      needs: "planAdmin",
      hiddenWithout: { permission: "apiView", code: "contract_not_found" },
      prepare: async () => {
        const { id } = await contractOf(otherBoss, O, approvalApiT);
        return (actor) => rejectContract(db, actor, { contractId: id, reason: "Not this quarter" });
      },
    },
    {
      name: "breakContract (client side)",
      needs: "clientEdit",
      hiddenWithout: { permission: "clientView", code: "contract_not_found" },
      prepare: async () => {
        const { id } = await contractOf(boss, T, openApiO);
        return (actor) => breakContract(db, actor, { contractId: id });
      },
    },
    {
      name: "breakContract (API side)",
      needs: "apiAdmin",
      hiddenWithout: { permission: "apiView", code: "contract_not_found" },
      prepare: async () => {
        const { id } = await contractOf(otherBoss, O, openApiT);
        return (actor) => breakContract(db, actor, { contractId: id, reason: "Terms violated" });
      },
    },
    {
      name: "withdrawContract",
      needs: "clientEdit",
      hiddenWithout: { permission: "clientView", code: "contract_not_found" },
      prepare: async () => {
        const contract = await contractOf(boss, T, approvalApiO);
        expect(contract.status).toBe("AwaitingApproval");
        return (actor) => withdrawContract(db, actor, contract.id);
      },
    },
    {
      name: "addMember",
      needs: "orgAdmin",
      prepare: async () => {
        const user = await makeBareUser(db);
        return (actor) => addMember(db, actor, { orgId: T, email: user.email, role: "viewer" });
      },
    },
    {
      name: "changeMemberRole",
      needs: "orgAdmin",
      prepare: async () => (actor) =>
        changeMemberRole(db, actor, { orgId: T, userId: memberOfT, role: counter++ % 2 ? "viewer" : "client-developer" }),
    },
    {
      name: "removeMember",
      needs: "orgAdmin",
      prepare: async () => {
        const user = await makeBareUser(db);
        await addMember(db, boss, { orgId: T, email: user.email, role: "viewer" });
        return (actor) => removeMember(db, actor, { orgId: T, userId: user.id });
      },
    },
    {
      name: "createOrganization",
      needs: "management",
      prepare: async () => (actor) => createOrganization(db, actor, { slug: next("org"), name: "New org" }),
    },
    {
      name: "getOrganization",
      needs: "orgView",
      hiddenWithout: { permission: "orgView", code: "not_found" },
      prepare: async () => (actor) => getOrganization(db, actor, tSlug),
    },
  ];

  function expectedOutcome(op: Operation, who: Who, profile: Profile): "allowed" | DomainErrorCode {
    if (op.needs === "management") return profile === "portal" ? "forbidden" : "allowed";
    if (op.hiddenWithout && !granted(who, profile, op.hiddenWithout.permission)) return op.hiddenWithout.code;
    return granted(who, profile, op.needs) ? "allowed" : "forbidden";
  }

  describe.each(operations)("$name (needs $needs)", (op) => {
    const cases = grid.map(({ who, profile }) => ({ who, profile, expected: expectedOutcome(op, who, profile) }));

    // Refusals change nothing, so they share one target; every allowed call gets a fresh one.
    let refusedTarget: Promise<Run> | undefined;

    it.each(cases)("$who ($profile) → $expected", async ({ who, profile, expected }) => {
      const run = expected === "allowed" ? await op.prepare() : await (refusedTarget ??= op.prepare());
      const actor = actors.get(`${who}/${profile}`)!;
      if (expected === "allowed") await run(actor);
      else await expectCode(run(actor), expected);
    });
  });

  it("every operation was allowed for someone and refused to someone, so each row can fail", () => {
    for (const op of operations) {
      const outcomes = new Set(grid.map(({ who, profile }) => expectedOutcome(op, who, profile)));
      expect(outcomes.has("allowed"), op.name).toBe(true);
      expect(outcomes.size, op.name).toBeGreaterThan(1);
    }
  });

  it("a changed role takes effect on the next loadActor", async () => {
    const user = await makeUser(db, "manager");
    await addMember(db, boss, { orgId: T, email: user.email, role: "viewer" });
    const asViewer = (await loadActor(db, user.userId))!;
    await expectCode(createApi(db, asViewer, { orgId: T, slug: next("api"), name: "Nope" }), "forbidden");
    await changeMemberRole(db, boss, { orgId: T, userId: user.userId, role: "api-developer" });
    const asDeveloper = (await loadActor(db, user.userId))!;
    await createApi(db, asDeveloper, { orgId: T, slug: next("api"), name: "Yes" });
    await removeMember(db, boss, { orgId: T, userId: user.userId });
    const removed = (await loadActor(db, user.userId))!;
    expect(removed.roles.has(T)).toBe(false);
    await expectCode(getOrganization(db, removed, tSlug), "not_found");
  });
});
