import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { type ActivityEntry, listActivity } from "./activity";
import { describeActivity, loadActivityNames } from "./activity-text";
import { rotateApiKey } from "./clients";
import { approveContract, createContract, rejectContract } from "./contracts";
import { addMember, changeMemberRole } from "./organizations";
import type { Actor } from "./permissions";
import { makeBareUser, makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let developer: Actor;
let orgId: string;
let api: Awaited<ReturnType<typeof makePublishedApi>>;
let gated: Awaited<ReturnType<typeof makePublishedApi>>;
let client: Awaited<ReturnType<typeof makeClient>>;
let memberEmail: string;

/** The sentences and notes of an Activity tab, as its table shows them (newest first). */
async function lines(scope: Parameters<typeof listActivity>[2], actor: Actor = provider) {
  const { rows } = await listActivity(db, actor, scope);
  const names = await loadActivityNames(db, rows);
  return rows.map((row) => describeActivity(row, names));
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ owner: provider, org: { id: orgId } } = await makeOrg(db, await makeUser(db, "manager", "Paula Provider")));
  api = await makePublishedApi(db, provider, orgId);
  gated = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
  developer = await makeUser(db, "portal", "Dev Developer");
  client = await makeClient(db, developer, personalOrgId(developer));
  developer = await refresh(db, developer);
  await createContract(db, developer, { clientVersionId: client.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
  const asked = await createContract(db, developer, { clientVersionId: client.clientVersionId, apiVersionId: gated.apiVersionId, planVersionId: gated.planVersionId });
  await rejectContract(db, provider, { contractId: asked.id, reason: "Only for partners." });
  const again = await createContract(db, developer, { clientVersionId: client.clientVersionId, apiVersionId: gated.apiVersionId, planVersionId: gated.planVersionId });
  await approveContract(db, provider, again.id);
  await rotateApiKey(db, developer, { clientVersionId: client.clientVersionId, graceSeconds: 86400 });
  const member = await makeBareUser(db, "Mia Member");
  memberEmail = member.email;
  await addMember(db, provider, { orgId, email: member.email, role: "viewer" });
  await changeMemberRole(db, provider, { orgId, userId: member.id, role: "client-developer" });
});
afterAll(() => open?.close());

describe("activity in sentences", () => {
  it("names APIs, plans, clients and contracts by their names, never by slug or stored status", async () => {
    const found = await lines({ kind: "apiVersion", apiVersionId: gated.apiVersionId });
    const sentences = found.map((l) => l.sentence);
    const contract = `${client.client.name} 1.0 → Weather 1.0 (Bronze)`;
    expect(sentences).toEqual([
      `Approved a contract: ${contract}`,
      `Requested a contract: ${contract}. It awaits the provider's approval`,
      `Rejected a contract request: ${contract}`,
      `Requested a contract: ${contract}. It awaits the provider's approval`,
      "Published the API version Weather 1.0: it is in the catalog and the gateway serves it",
      "Offered a plan, Bronze 1.0, on Weather 1.0; its contracts need approval",
      "Created the API Weather with version 1.0",
    ]);
    expect(found[2].notes).toEqual(["Reason: Only for partners."]);
    expect(found.map((l) => l.who)).toEqual(["Paula Provider", "Dev Developer", "Paula Provider", "Dev Developer", "Paula Provider", "Paula Provider", "Paula Provider"]);
    const everything = JSON.stringify(found);
    for (const raw of ["AwaitingApproval", gated.api.slug, "api-", "plan-"]) expect(everything).not.toContain(raw);
  });

  it("a client's history reads its creation, its contracts and its key rotation with the grace period", async () => {
    // A portal user's client is seen in API Management by an administrator.
    const found = await lines({ kind: "clientVersion", clientVersionId: client.clientVersionId }, await makeUser(db, "admin"));
    expect(found[0].sentence).toBe(`Rotated the API key of ${client.client.name} 1.0`);
    expect(found[0].notes).toEqual(["The old key's grace period: 1 day"]);
    expect(found.at(-1)!.sentence).toBe(`Created the client ${client.client.name} with version 1.0`);
    expect(found.map((l) => l.sentence)).toContain(`Created a contract: ${client.client.name} 1.0 → Weather 1.0 (Bronze)`);
  });

  it("members are named with their address and role in words", async () => {
    const found = await lines({ kind: "organization", orgId });
    const sentences = found.map((l) => l.sentence);
    expect(sentences).toContain(`Added a member: Mia Member (${memberEmail}), as viewer`);
    expect(sentences).toContain("Changed a member's role: Mia Member, from viewer to client developer");
    expect(sentences.at(-1)).toBe("Created the organization Test Org");
  });

  it("falls back to what the event recorded when a thing has no name any more, and words an unknown action", () => {
    const names = { subjects: new Map(), plansBySlug: new Map(), planVersions: new Map() };
    const entry = (action: string, details: Record<string, unknown>, entityType = "contract"): ActivityEntry => ({
      id: 1,
      at: new Date("2026-12-01T10:00:00Z"),
      action,
      entityType,
      entityId: "00000000-0000-4000-8000-000000000000",
      actorName: null,
      actorEmail: null,
      details,
    });
    expect(describeActivity(entry("contract.expired", { contract: "Shop 1.0 → Weather 1.0 (Trial)" }), names)).toMatchObject({
      who: null,
      sentence: "Shop 1.0 → Weather 1.0 (Trial) ended on its end date",
    });
    expect(describeActivity(entry("contract.end_date_set", { contract: "Shop 1.0 → Weather 1.0 (Gold)", endsAt: "2026-12-24T18:00:00.000Z" }), names).sentence).toBe(
      "Set Shop 1.0 → Weather 1.0 (Gold) to end on 24 Dec 2026, 18:00 UTC",
    );
    expect(describeActivity(entry("client.deleted", { slug: "shop", name: "Shop" }, "client"), names).sentence).toBe("Deleted the client Shop");
    expect(describeActivity(entry("plan_version.policies_updated", { policies: [{ type: "quota", limit: 1000, period: "day" }] }, "plan_version"), names).sentence).toBe(
      "Set the limits of the plan version to 1,000 requests per day in all",
    );
    expect(describeActivity(entry("contract.something_new", {}), names).sentence).toBe("Contract: something new");
  });
});
