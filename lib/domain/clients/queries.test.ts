import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { createClient, createClientVersion, retireClientVersion, rotateApiKey } from "../clients";
import { getManagedClient, getMyClient, listClientOrganizations, listContractCandidates, listMyClients } from "../clients";
import { keyFingerprint } from "../keys";
import { breakContract, createContract, rejectContract, withdrawContract } from "../contracts";
import { createOrganization, addMember } from "../organizations";
import type { Actor } from "../permissions";
import { expectCode, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let admin: Actor;
let apiOrgId: string;
let weather: Awaited<ReturnType<typeof makePublishedApi>>;
let billing: Awaited<ReturnType<typeof makePublishedApi>>;
let gold: Awaited<ReturnType<typeof makePublishedApi>>;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ org: { id: apiOrgId }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
  admin = await makeUser(db, "admin");
  weather = await makePublishedApi(db, provider, apiOrgId);
  billing = await makePublishedApi(db, provider, apiOrgId);
  gold = await makePublishedApi(db, provider, apiOrgId, { requiresApproval: true });
});
afterAll(() => open.close());

const sign = (actor: Actor, clientVersionId: string, api: typeof weather) =>
  createContract(db, actor, { clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });

async function consumerWithClients() {
  const consumer = await makeUser(db, "portal");
  const orgId = personalOrgId(consumer);
  const alpha = await createClient(db, consumer, { orgId, name: "Alpha App" });
  const beta = await createClient(db, consumer, { orgId, name: "Beta Board" });
  const empty = await createClient(db, consumer, { orgId, name: "Empty Shell" });
  await sign(consumer, alpha.version.id, weather);
  await sign(consumer, alpha.version.id, billing);
  await sign(consumer, beta.version.id, gold);
  return { consumer, orgId, alpha, beta, empty };
}

describe("listMyClients", () => {
  it("lists every client of the user's organizations, those without contracts too, with status, masked key and contracts", async () => {
    const { consumer, alpha } = await consumerWithClients();
    const { clients, total } = await listMyClients(db, consumer);
    expect(total).toBe(3);
    expect(clients.map((c) => [c.name, c.selected.status, c.contracts.length])).toEqual([
      ["Alpha App", "Registered", 2],
      ["Beta Board", "AwaitingApproval", 1],
      ["Empty Shell", "Created", 0],
    ]);
    expect(clients[0].selected.key.masked).toMatch(new RegExp(`^ptk_•+${alpha.version.apiKey.slice(-4)}$`));
    expect(clients[0]).toMatchObject({ canEdit: true, canAdmin: true, versions: [expect.objectContaining({ version: "1.0" })] });
    // The key itself never leaves the domain in a list.
    expect(JSON.stringify(clients)).not.toContain(alpha.version.apiKey);
  });

  it("shows no one else's clients", async () => {
    await consumerWithClients();
    const stranger = await makeUser(db, "portal");
    expect(await listMyClients(db, stranger)).toMatchObject({ clients: [], total: 0 });
  });

  it("keeps rejected contracts with their reason, and drops withdrawn and broken ones", async () => {
    const { consumer, beta } = await consumerWithClients();
    const [pending] = (await listMyClients(db, consumer, { q: "Beta" })).clients[0].contracts;
    await rejectContract(db, provider, { contractId: pending.id, reason: "Not for test apps" });
    const [active] = (await listMyClients(db, consumer)).clients[0].contracts;
    await breakContract(db, consumer, { contractId: active.id });
    const again = await sign(consumer, beta.version.id, gold);
    await withdrawContract(db, consumer, again.id);

    const { clients } = await listMyClients(db, consumer);
    expect(clients[0].contracts).toHaveLength(1);
    expect(clients[1].contracts).toEqual([expect.objectContaining({ status: "Rejected", reason: "Not for test apps" })]);
    expect(clients[1].selected.status).toBe("Created");
  });

  it("with a filter, lists clients matching by name with all their contracts, and others by their matching contracts", async () => {
    const { consumer } = await consumerWithClients();
    const byName = await listMyClients(db, consumer, { q: "alpha" });
    expect(byName.clients.map((c) => [c.name, c.contracts.length])).toEqual([["Alpha App", 2]]);
    const byContract = await listMyClients(db, consumer, { q: "awaiting" });
    expect(byContract.clients.map((c) => [c.name, c.contracts.map((x) => x.status)])).toEqual([["Beta Board", ["AwaitingApproval"]]]);
    const byApi = await listMyClients(db, consumer, { q: weather.api.slug });
    expect(byApi.clients.map((c) => [c.name, c.contracts.map((x) => x.apiVersionId)])).toEqual([["Alpha App", [weather.apiVersionId]]]);
    expect((await listMyClients(db, consumer, { q: "zzz" })).total).toBe(0);
  });

  it("pages clients, and sorts each client's contracts", async () => {
    const { consumer } = await consumerWithClients();
    const second = await listMyClients(db, consumer, { pageSize: 2, page: 2 });
    expect(second.clients.map((c) => c.name)).toEqual(["Empty Shell"]);
    expect(second.total).toBe(3);
    // A page past the end still tells how many there are, so that the pager offers a way back.
    const beyond = await listMyClients(db, consumer, { pageSize: 2, page: 7 });
    expect([beyond.clients.length, beyond.total]).toEqual([0, 3]);
    const asc = await listMyClients(db, consumer, { sort: { id: "created", desc: false } });
    const desc = await listMyClients(db, consumer, { sort: { id: "created", desc: true } });
    expect(asc.clients[0].contracts.map((c) => c.apiVersionId)).toEqual([weather.apiVersionId, billing.apiVersionId]);
    expect(desc.clients[0].contracts.map((c) => c.apiVersionId)).toEqual([billing.apiVersionId, weather.apiVersionId]);
  });

  it("shows the newest version that is not retired, or the one asked for, with its own key and contracts", async () => {
    const { consumer, alpha } = await consumerWithClients();
    const v2 = await createClientVersion(db, consumer, { clientId: alpha.client.id, version: "2.0", copyContractsFromVersionId: alpha.version.id });
    let [shown] = (await listMyClients(db, consumer)).clients;
    expect(shown.versions.map((v) => v.version)).toEqual(["2.0", "1.0"]);
    expect(shown.selected).toMatchObject({ id: v2.id, version: "2.0", status: "Registered" });
    expect(shown.contracts.map((c) => c.clientVersionId)).toEqual([v2.id, v2.id]);

    [shown] = (await listMyClients(db, consumer, { versions: { [alpha.client.id]: "1.0" } })).clients;
    expect(shown.selected.id).toBe(alpha.version.id);

    await retireClientVersion(db, consumer, v2.id);
    [shown] = (await listMyClients(db, consumer)).clients;
    expect(shown.selected.version).toBe("1.0");
    [shown] = (await listMyClients(db, consumer, { versions: { [alpha.client.id]: "2.0" } })).clients;
    expect(shown.selected.status).toBe("Retired");
  });

  it("shows the previous key, masked, while it is in its grace period", async () => {
    const { consumer, empty } = await consumerWithClients();
    await rotateApiKey(db, consumer, { clientVersionId: empty.version.id, graceSeconds: 3600 });
    const shown = (await listMyClients(db, consumer, { q: "Empty" })).clients[0];
    expect(shown.selected.key.previous?.masked).toMatch(new RegExp(`${empty.version.apiKey.slice(-4)}$`));
    expect(shown.selected.key.previous!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    await rotateApiKey(db, consumer, { clientVersionId: empty.version.id, graceSeconds: 0 });
    expect((await listMyClients(db, consumer, { q: "Empty" })).clients[0].selected.key.previous).toBeNull();
  });
});

describe("getMyClient", () => {
  it("finds a client by organization and slug for its members only", async () => {
    const { consumer, alpha } = await consumerWithClients();
    const org = consumer.roles.keys().next().value!;
    const [{ slug: orgSlug }] = (await listClientOrganizations(db, consumer)).filter((o) => o.id === org);
    const client = await getMyClient(db, consumer, orgSlug, alpha.client.slug);
    expect(client).toMatchObject({ name: "Alpha App", selected: { version: "1.0" } });
    const stranger = await makeUser(db, "portal");
    await expectCode(getMyClient(db, stranger, orgSlug, alpha.client.slug), "client_not_found", 404);
    await expectCode(getMyClient(db, consumer, orgSlug, "no-such-client"), "client_not_found", 404);
  });
});

describe("listContractCandidates", () => {
  it("offers the user's client versions, and says why a retired one or one already signed cannot sign", async () => {
    const { consumer, beta, empty } = await consumerWithClients();
    await retireClientVersion(db, consumer, empty.version.id);
    const candidates = await listContractCandidates(db, consumer, weather.apiVersionId);
    expect(candidates.map((c) => [c.clientName, c.disabledReason])).toEqual([
      ["Alpha App", "already has a contract with this API version"],
      ["Beta Board", null],
      ["Empty Shell", "retired"],
    ]);
    const forGold = await listContractCandidates(db, consumer, gold.apiVersionId);
    expect(forGold.find((c) => c.clientVersionId === beta.version.id)?.disabledReason).toBe("already awaiting approval for this API version");
  });

  it("leaves out clients of organizations where the user may only look", async () => {
    const owner = await makeUser(db, "manager");
    const team = await createOrganization(db, owner, { slug: `team-${Date.now()}`, name: "Team" });
    await createClient(db, await refresh(db, owner), { orgId: team.id, name: "Team App" });
    const viewer = await makeUser(db, "portal");
    await addMember(db, admin, { orgId: team.id, email: viewer.email, role: "viewer" });
    const seen = await refresh(db, viewer);
    expect(await listContractCandidates(db, seen, weather.apiVersionId)).toEqual([]);
    expect((await listMyClients(db, seen)).clients.map((c) => [c.name, c.canEdit])).toEqual([["Team App", false]]);
    expect((await listClientOrganizations(db, seen)).map((o) => o.id)).toEqual([personalOrgId(viewer)]);
  });
});

describe("getManagedClient", () => {
  it("finds a client by organization and slug, with its versions in reading order, for clientView in API Management", async () => {
    const owner = await makeUser(db, "manager");
    const { org, owner: member } = await makeOrg(db, owner);
    const { client, version } = await createClient(db, member, { orgId: org.id, name: "Tide Board" });
    await createClientVersion(db, member, { clientId: client.id, version: "1.10" });
    await createClientVersion(db, member, { clientId: client.id, version: "1.2" });
    await sign(member, version.id, weather);
    const found = await getManagedClient(db, member, { org: org.slug, client: "tide-board" });
    expect(found.client.id).toBe(client.id);
    expect(found.versions.map((v) => [v.version, v.status])).toEqual([
      ["1.0", "Registered"],
      ["1.2", "Created"],
      ["1.10", "Created"],
    ]);
    await expectCode(getManagedClient(db, member, { org: org.slug, client: "no-such" }), "client_not_found", 404);
    await expectCode(getManagedClient(db, member, { org: org.slug, client: "tide\u0000" }), "client_not_found", 404);
    // Outside API Management, or outside the organization, the organization itself is not found.
    await expectCode(getManagedClient(db, await makeUser(db, "manager"), { org: org.slug, client: "tide-board" }), "not_found", 404);
    expect((await getManagedClient(db, admin, { org: org.slug, client: "tide-board" })).client.id).toBe(client.id);
  });

  it("names the keys by their fingerprints, the previous one too while it works", async () => {
    const { consumer, alpha } = await consumerWithClients();
    const rotated = await rotateApiKey(db, consumer, { clientVersionId: alpha.version.id, graceSeconds: 60 });
    const [shown] = (await listMyClients(db, consumer, { q: "Alpha" })).clients;
    expect(shown.selected.key.fingerprint).toBe(keyFingerprint(rotated.apiKey));
    expect(shown.selected.key.previous?.fingerprint).toBe(keyFingerprint(alpha.version.apiKey));
  });
});
