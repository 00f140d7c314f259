import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { notifications } from "@/db/schema";
import { notify } from "@/lib/domain/audit";
import { countUnreadNotifications, listNotifications } from "@/lib/domain/notifications";
import type { Actor } from "@/lib/domain/permissions";
import { makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { type ApiClient, apiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let alice: Actor;
let bob: Actor;
let api: ApiClient;

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  const { token, accessToken } = await createAccessToken(db, actor, { name: `t-${scope}`, expiresInDays: 30, scope });
  return { client: apiClient(server, token), tokenId: accessToken.id };
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  [alice, bob] = await Promise.all([makeUser(db, "portal"), makeUser(db, "portal")]);
  // A second apart: notifications written within the same instant have no order among themselves.
  const start = Date.now() - 60_000;
  for (let i = 1; i <= 3; i++) {
    await db.insert(notifications).values({ recipientId: alice.userId, kind: "test", text: `Alice ${i}`, link: i === 1 ? "/my-clients" : null, createdAt: new Date(start + i * 1000) });
  }
  await notify(db, [bob.userId], { kind: "test", text: "Bob 1" });
  ({ client: api } = await tokenFor(alice));
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

const texts = (answer: { body: { data: { text: string }[] } }) => answer.body.data.map((n) => n.text);

describe("notifications through /api/v1", () => {
  it("lists your own, newest first, with the unread count, a page at a time", async () => {
    const first = await api.get("/api/v1/notifications?limit=2");
    expect(first.status).toBe(200);
    expect(texts(first)).toEqual(["Alice 3", "Alice 2"]);
    expect(first.body.unread).toBe(3);
    expect(first.body.data[0]).toMatchObject({ kind: "test", read: false, link: null });
    const second = await api.get(`/api/v1/notifications?limit=2&cursor=${first.body.next}`);
    expect(texts(second)).toEqual(["Alice 1"]);
    expect(second.body.data[0].link).toBe("/my-clients");
    expect(second.body.next).toBeNull();
    expect(texts(await api.get("/api/v1/notifications?q=alice+2"))).toEqual(["Alice 2"]);
  });

  it("marks some read by id, then all; the unread count falls to 0", async () => {
    const [newest] = (await api.get("/api/v1/notifications")).body.data;
    const marked = await api.post("/api/v1/notifications/read", { ids: [newest.id] });
    expect([marked.status, marked.body]).toEqual([200, { marked: 1 }]);
    const unread = await api.get("/api/v1/notifications?unread=true");
    expect(texts(unread)).toEqual(["Alice 2", "Alice 1"]);
    expect(unread.body.unread).toBe(2);

    expect((await api.post("/api/v1/notifications/read", { all: true })).body).toEqual({ marked: 2 });
    const after = await api.get("/api/v1/notifications");
    expect(after.body.unread).toBe(0);
    expect(after.body.data.every((n: { read: boolean }) => n.read)).toBe(true);
    expect((await api.get("/api/v1/notifications?unread=true")).body).toEqual({ data: [], next: null, unread: 0 });
    expect((await api.post("/api/v1/notifications/read", { all: true })).body).toEqual({ marked: 0 });
  });

  it("marking someone else's notifications read changes nothing", async () => {
    const [bobs] = (await listNotifications(db, bob)).rows;
    expect((await api.post("/api/v1/notifications/read", { ids: [bobs.id] })).body).toEqual({ marked: 0 });
    expect(await countUnreadNotifications(db, bob)).toBe(1);
    expect(texts(await api.get("/api/v1/notifications"))).not.toContain("Bob 1");
  });

  it("a read token lists but may not mark: 403 token_read_only", async () => {
    const { client } = await tokenFor(bob, "read");
    expect(texts(await client.get("/api/v1/notifications"))).toEqual(["Bob 1"]);
    const answer = await client.post("/api/v1/notifications/read", { all: true });
    expect([answer.status, answer.body.code]).toEqual([403, "token_read_only"]);
    expect(await countUnreadNotifications(db, bob)).toBe(1);
  });

  it("a revoked token answers 401", async () => {
    const { client, tokenId } = await tokenFor(bob);
    await revokeAccessToken(db, bob, tokenId);
    expect((await client.get("/api/v1/notifications")).status).toBe(401);
    expect((await client.post("/api/v1/notifications/read", { all: true })).body.code).toBe("token_invalid");
    expect(await countUnreadNotifications(db, bob)).toBe(1);
  });

  it("hostile input is a 400 problem, never a 500, and marks nothing", async () => {
    const { client } = await tokenFor(bob);
    const answers = [
      await client.post("/api/v1/notifications/read", { ids: ["not-a-uuid"] }),
      await client.post("/api/v1/notifications/read", { ids: ["\u0000"] }),
      await client.post("/api/v1/notifications/read", { ids: [] }),
      await client.post("/api/v1/notifications/read", { ids: Array.from({ length: 501 }, () => crypto.randomUUID()) }),
      await client.post("/api/v1/notifications/read", { all: false }),
      await client.post("/api/v1/notifications/read", { all: true, ids: [] }),
      await client.post("/api/v1/notifications/read", { ids: "all" }),
      await client.post("/api/v1/notifications/read", {}),
      await client.post("/api/v1/notifications/read", undefined, { headers: { "content-type": "application/json" }, raw: "{" }),
      await client.get("/api/v1/notifications?unread=yes"),
      await client.get("/api/v1/notifications?cursor=bm90LWpzb24"),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(answers.map(() => [400, "validation_failed"]));
    expect(await countUnreadNotifications(db, bob)).toBe(1);
  });
});
