import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { readConfig } from "@/lib/config";
import { createClient, createClientVersion } from "../clients";
import { createContract, rejectContract } from "../contracts";
import { contractListParams, getContract, listContracts } from "../contracts";
import { addMember } from "../organizations";
import type { Actor } from "../permissions";
import { expectCode, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let admin: Actor;
let orgId: string;
let apis: Awaited<ReturnType<typeof makePublishedApi>>[];
let dashboard: { clientId: string; v1: string; v2: string };
let mobile: { clientId: string; v1: string };

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ org: { id: orgId }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
  consumer = await makeUser(db, "portal", "Casey Consumer");
  admin = await makeUser(db, "admin");
  apis = [];
  for (let i = 0; i < 3; i++) apis.push(await makePublishedApi(db, provider, orgId, { requiresApproval: i === 2 }));

  const d = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Dashboard" });
  const d2 = await createClientVersion(db, consumer, { clientId: d.client.id, version: "2.0" });
  dashboard = { clientId: d.client.id, v1: d.version.id, v2: d2.id };
  const m = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Mobile App" });
  mobile = { clientId: m.client.id, v1: m.version.id };

  // Dashboard 1.0 -> all three APIs (the third awaits approval, then is rejected); 2.0 -> first API; Mobile -> second.
  for (const api of apis) await createContract(db, consumer, { clientVersionId: dashboard.v1, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
  await createContract(db, consumer, { clientVersionId: dashboard.v2, apiVersionId: apis[0].apiVersionId, planVersionId: apis[0].planVersionId });
  await createContract(db, consumer, { clientVersionId: mobile.v1, apiVersionId: apis[1].apiVersionId, planVersionId: apis[1].planVersionId });
  const pending = await listContracts(db, consumer, { status: "AwaitingApproval" });
  await rejectContract(db, provider, { contractId: pending.rows[0].id, reason: "Tell us more about your app" });
});
afterAll(() => open.close());

describe("listContracts", () => {
  it("gives the consumer the contracts of their clients, with both sides, the plan and the endpoint", async () => {
    const { rows, total } = await listContracts(db, consumer, { clientVersionId: dashboard.v1, sort: { id: "created", desc: false } });
    expect(total).toBe(3);
    expect(rows.map((r) => r.apiVersionId)).toEqual(apis.map((a) => a.apiVersionId));
    const [first] = rows;
    expect(first).toMatchObject({
      clientName: "Dashboard",
      clientVersion: "1.0",
      apiName: "Weather",
      apiVersion: "1.0",
      planName: "Bronze",
      planVersion: "1.0",
      status: "Active",
      createdByName: "Casey Consumer",
    });
    expect(first.endpoint).toBe(`${readConfig().gatewayUrl}/${first.apiOrgSlug}/${first.apiSlug}/1.0/`);
    expect(rows[2]).toMatchObject({ status: "Rejected", reason: "Tell us more about your app" });
  });

  it("shows a contract to the API's organization too, and to admins", async () => {
    expect((await listContracts(db, provider, { apiVersionId: apis[0].apiVersionId })).total).toBe(2);
    expect((await listContracts(db, admin, { apiVersionId: apis[0].apiVersionId })).total).toBe(2);
  });

  it("shows nothing to a user on neither side, whatever the filter names", async () => {
    const stranger = await makeUser(db, "portal");
    expect(await listContracts(db, stranger, { clientVersionId: dashboard.v1 })).toMatchObject({ rows: [], total: 0 });
    expect((await listContracts(db, stranger, { apiVersionId: apis[0].apiVersionId })).total).toBe(0);
    expect((await listContracts(db, stranger)).total).toBe(0);
  });

  it("lets a viewer of the client's organization look", async () => {
    const viewer = await makeUser(db, "portal");
    await addMember(db, admin, { orgId: personalOrgId(consumer), email: viewer.email, role: "viewer" });
    expect((await listContracts(db, await refresh(db, viewer), { clientIds: [dashboard.clientId] })).total).toBe(4);
  });

  it("filters by client, client versions, status and plan", async () => {
    expect((await listContracts(db, consumer, { clientIds: [dashboard.clientId] })).total).toBe(4);
    expect((await listContracts(db, consumer, { clientIds: [] })).total).toBe(0);
    expect((await listContracts(db, consumer, { clientVersionIds: [dashboard.v2, mobile.v1] })).total).toBe(2);
    expect((await listContracts(db, consumer, { status: ["Active", "AwaitingApproval"] })).total).toBe(4);
    expect((await listContracts(db, consumer, { status: "Rejected" })).total).toBe(1);
    expect((await listContracts(db, consumer, { planVersionId: apis[1].planVersionId })).total).toBe(2);
  });

  it("searches every word across names, versions and status words", async () => {
    expect((await listContracts(db, consumer, { q: "mobile" })).rows.map((r) => r.clientName)).toEqual(["Mobile App"]);
    expect((await listContracts(db, consumer, { q: "dashboard 2.0" })).total).toBe(1);
    expect((await listContracts(db, consumer, { q: "rejected" })).total).toBe(1);
    expect((await listContracts(db, consumer, { q: "Casey bronze" })).total).toBe(5);
    expect((await listContracts(db, consumer, { q: "nothing-like-this" })).total).toBe(0);
    // LIKE wildcards are matched literally.
    expect((await listContracts(db, consumer, { q: "%" })).total).toBe(0);
  });

  it("sorts by a column either way", async () => {
    const asc = await listContracts(db, consumer, { sort: { id: "client", desc: false } });
    const desc = await listContracts(db, consumer, { sort: { id: "client", desc: true } });
    expect(asc.rows[0].clientName).toBe("Dashboard");
    expect(desc.rows[0].clientName).toBe("Mobile App");
    const byStatus = await listContracts(db, consumer, { sort: { id: "status", desc: true } });
    expect(byStatus.rows[0].status).toBe("Rejected");
  });

  it("pages, with the total of all pages, also past the end", async () => {
    const first = await listContracts(db, consumer, { pageSize: 2, page: 1 });
    const second = await listContracts(db, consumer, { pageSize: 2, page: 2 });
    const third = await listContracts(db, consumer, { pageSize: 2, page: 3 });
    const beyond = await listContracts(db, consumer, { pageSize: 2, page: 9 });
    expect([first.rows.length, second.rows.length, third.rows.length, beyond.rows.length]).toEqual([2, 2, 1, 0]);
    expect([first.total, second.total, third.total, beyond.total]).toEqual([5, 5, 5, 5]);
    const ids = [...first.rows, ...second.rows, ...third.rows].map((r) => r.id);
    expect(new Set(ids).size).toBe(5);
  });
});

describe("listContracts at scale", () => {
  const ids = (page: { rows: { id: string }[] }) => page.rows.map((row) => row.id);

  it("counts up to the cap and pages from either end past it, in the same order", async () => {
    const all = await listContracts(db, consumer, { pageSize: 10 });
    expect(all.total).toBe(5);
    const capped = (page: number) => listContracts(db, consumer, { pageSize: 2, page, totalCap: 3 });
    expect((await capped(1)).total).toBe(4);
    const forward = [...ids(await capped(1)), ...ids(await capped(2)), ...ids(await capped(3))];
    const backward = [...ids(await capped(-3)), ...ids(await capped(-2)), ...ids(await capped(-1))];
    expect(forward).toEqual(ids(all));
    expect(backward).toEqual(ids(all));
    expect((await capped(-1)).page).toBe(-1);
  });

  it("numbers the last page from the start when the total is exact", async () => {
    const last = await listContracts(db, consumer, { pageSize: 2, page: -1 });
    expect(last).toMatchObject({ page: 3, total: 5 });
    expect(ids(last)).toEqual(ids(await listContracts(db, consumer, { pageSize: 2, page: 3 })));
  });

  it("still reads an old page URL", async () => {
    const params = contractListParams().parse({ "contracts-page": "3", "contracts-sort": "created.asc" });
    const page = await listContracts(db, consumer, { ...params, pageSize: 2 });
    expect(page.page).toBe(3);
    expect(ids(page)).toEqual(ids(await listContracts(db, consumer, { sort: { id: "created", desc: false }, pageSize: 10 })).slice(4));
  });

  it("orders an API version's contracts by a column they all share as by their tie-breakers, newest first", async () => {
    const newest = ids(await listContracts(db, provider, { apiVersionId: apis[0].apiVersionId }));
    expect(newest).toHaveLength(2);
    for (const id of ["api", "apiVersion", "endpoint"] as const) {
      for (const desc of [false, true]) expect(ids(await listContracts(db, provider, { apiVersionId: apis[0].apiVersionId, sort: { id, desc } }))).toEqual(newest);
    }
    const byClient = await listContracts(db, provider, { apiVersionId: apis[0].apiVersionId, sort: { id: "clientVersion", desc: true } });
    expect(byClient.rows.map((row) => row.clientVersion)).toEqual(["2.0", "1.0"]);
  });

  it("orders by status as people read it, requests first", async () => {
    const statuses = (await listContracts(db, consumer, { sort: { id: "status", desc: false } })).rows.map((row) => row.status);
    expect(statuses).toEqual(["Active", "Active", "Active", "Active", "Rejected"]);
    const pending = await listContracts(db, admin, { sort: { id: "status", desc: false }, pageSize: 1 });
    expect(pending.rows[0].status).not.toBe("Rejected");
  });
});

describe("getContract", () => {
  it("answers one contract, as the lists show it, to either side and to admins", async () => {
    const [row] = (await listContracts(db, consumer, { clientVersionId: mobile.v1 })).rows;
    expect(await getContract(db, consumer, row.id)).toEqual(row);
    expect((await getContract(db, provider, row.id)).clientName).toBe("Mobile App");
    expect((await getContract(db, admin, row.id)).id).toBe(row.id);
  });

  it("answers contract_not_found to a stranger, for an unknown id and for a malformed one", async () => {
    const [row] = (await listContracts(db, consumer, { clientVersionId: mobile.v1 })).rows;
    const stranger = await makeUser(db, "portal");
    await expectCode(getContract(db, stranger, row.id), "contract_not_found", 404);
    for (const id of [crypto.randomUUID(), "not-a-uuid", "..", "\0", ""]) await expectCode(getContract(db, consumer, id), "contract_not_found", 404);
  });
});
