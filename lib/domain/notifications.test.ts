import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { notifications } from "@/db/schema";
import { notify } from "./audit";
import { createContract, rejectContract } from "./contracts";
import { countUnreadNotifications, listNotifications, markNotificationsRead } from "./notifications";
import type { Actor } from "./permissions";
import { makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId } from "./test-fixtures";

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
});
