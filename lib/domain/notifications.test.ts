import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { notifications } from "@/db/schema";
import { notify } from "./audit";
import { createApi, offerPlan, publishApiVersion } from "./apis";
import { approveContract, approvePlanChange, createContract, rejectContract, requestPlanChange, withdrawContract } from "./contracts";
import { countUnreadNotifications, listNotifications, markNotificationsRead } from "./notifications";
import type { Actor } from "./permissions";
import { makeClient, makeLockedPlan, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let alice: Actor;
let bob: Actor;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  alice = await makeUser(db, "portal");
  bob = await makeUser(db, "portal");
  // A second apart: notifications written within the same instant have no order among themselves.
  const start = Date.now() - 60_000;
  for (let i = 1; i <= 3; i++) {
    await db.insert(notifications).values({ recipientId: alice.userId, kind: "test", text: `Alice ${i}`, link: "/my-clients", createdAt: new Date(start + i * 1000) });
  }
  await notify(db, [bob.userId], { kind: "test", text: "Bob 1" });
});
afterAll(() => open.close());

describe("notifications", () => {
  it("lists a user's own notifications, newest first, with the unread count", async () => {
    const { rows, total, unread } = await listNotifications(db, alice);
    expect(rows.map((n) => n.text)).toEqual(["Alice 3", "Alice 2", "Alice 1"]);
    expect([total, unread]).toEqual([3, 3]);
    expect((await listNotifications(db, alice, { pageSize: 2, page: 2 })).rows.map((n) => n.text)).toEqual(["Alice 1"]);
  });

  it("marks one read by id, never another user's, then all", async () => {
    const [bobs] = (await listNotifications(db, bob)).rows;
    expect(await markNotificationsRead(db, alice, [bobs.id])).toBe(0);
    expect(await countUnreadNotifications(db, bob)).toBe(1);

    const [newest] = (await listNotifications(db, alice)).rows;
    expect(await markNotificationsRead(db, alice, [newest.id])).toBe(1);
    expect(await countUnreadNotifications(db, alice)).toBe(2);
    expect((await listNotifications(db, alice, { unreadOnly: true })).rows.map((n) => n.text)).toEqual(["Alice 2", "Alice 1"]);
    expect(await markNotificationsRead(db, alice, "all")).toBe(2);
    expect(await countUnreadNotifications(db, alice)).toBe(0);
    expect(await countUnreadNotifications(db, bob)).toBe(1);
  });

  it("finds a user's own notifications by the words of their text", async () => {
    expect((await listNotifications(db, alice, { q: "alice 2" })).rows.map((n) => n.text)).toEqual(["Alice 2"]);
    expect((await listNotifications(db, alice, { q: "bob" })).total).toBe(0);
  });

  it("refuses ids that are not ids", async () => {
    await expect(markNotificationsRead(db, alice, ["not-an-id"])).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("tells the consumer when a provider rejects their request", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const api = await makePublishedApi(db, owner, org.id, { requiresApproval: true });
    const consumer = await makeUser(db, "portal");
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    await rejectContract(db, owner, { contractId: contract.id, reason: "Too early" });
    const { rows, unread } = await listNotifications(db, consumer);
    expect(unread).toBe(1);
    expect(rows[0]).toMatchObject({ kind: "contract_rejected", link: "/my-clients" });
    expect(rows[0].text).toContain("Too early");
  });

  it("counts a provider's request notifications as read once nothing awaits their decision", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const api = await makePublishedApi(db, owner, org.id, { requiresApproval: true });
    const consumer = await makeUser(db, "portal");
    const first = await makeClient(db, consumer, personalOrgId(consumer));
    const second = await makeClient(db, consumer, personalOrgId(consumer));
    const approved = await createContract(db, consumer, { clientVersionId: first.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    const withdrawn = await createContract(db, consumer, { clientVersionId: second.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    expect(await countUnreadNotifications(db, owner)).toBe(2);

    // Each notification names its contract: the approved request's is decided at once, the other still awaits.
    await approveContract(db, owner, approved.id);
    expect(await countUnreadNotifications(db, owner)).toBe(1);
    const links = (await listNotifications(db, owner)).rows.map((n) => [n.link, n.decided]);
    expect(links).toContainEqual([`/manage/approvals?contract=${approved.id}`, true]);
    expect(links).toContainEqual([`/manage/approvals?contract=${withdrawn.id}`, false]);

    await withdrawContract(db, consumer, withdrawn.id);
    const list = await listNotifications(db, owner);
    expect([list.unread, await countUnreadNotifications(db, owner)]).toEqual([0, 0]);
    expect(list.rows.map((n) => [n.kind, n.read, n.decided])).toEqual([
      ["approval_requested", true, true],
      ["approval_requested", true, true],
    ]);
    expect((await listNotifications(db, owner, { unreadOnly: true })).total).toBe(0);
    // The consumer's own notifications are not requests: theirs stays unread.
    expect(await countUnreadNotifications(db, consumer)).toBe(1);
  });

  it("resolves plan change requests the same way, and leaves other kinds alone", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const bronze = await makeLockedPlan(db, owner, org.id);
    const gold = await makeLockedPlan(db, owner, org.id);
    const { version } = await createApi(db, owner, { orgId: org.id, slug: `api-${Date.now()}`, name: "Weather", endpoint: "http://127.0.0.1:9/weather" });
    await offerPlan(db, owner, { apiVersionId: version.id, planVersionId: bronze.planVersionId, requiresApproval: false });
    await offerPlan(db, owner, { apiVersionId: version.id, planVersionId: gold.planVersionId, requiresApproval: true });
    await publishApiVersion(db, owner, version.id);
    await notify(db, [owner.userId], { kind: "test", text: "Not a request", link: "/manage" });
    const consumer = await makeUser(db, "portal");
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId: version.id, planVersionId: bronze.planVersionId });
    await requestPlanChange(db, consumer, { contractId: contract.id, planVersionId: gold.planVersionId });
    expect(await countUnreadNotifications(db, owner)).toBe(2);
    await approvePlanChange(db, owner, contract.id);
    expect(await countUnreadNotifications(db, owner)).toBe(1);
    expect((await listNotifications(db, owner, { unreadOnly: true })).rows.map((n) => n.text)).toEqual(["Not a request"]);
  });

  it("resolves one request at a time when its link names the contract", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const api = await makePublishedApi(db, owner, org.id, { requiresApproval: true });
    const consumer = await makeUser(db, "portal");
    const contracts = [];
    for (let i = 0; i < 2; i++) {
      const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
      contracts.push(await createContract(db, consumer, { clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId }));
    }
    await markNotificationsRead(db, owner, "all");
    for (const contract of contracts) {
      await notify(db, [owner.userId], { kind: "approval_requested", text: `Request ${contract.id}`, link: `/manage/approvals?contract=${contract.id}` });
    }
    await approveContract(db, owner, contracts[0].id);
    expect(await countUnreadNotifications(db, owner)).toBe(1);
    const { rows } = await listNotifications(db, owner, { unreadOnly: true });
    expect(rows.map((n) => [n.text, n.decided])).toEqual([[`Request ${contracts[1].id}`, false]]);
  });
});
