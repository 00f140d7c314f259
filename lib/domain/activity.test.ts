import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { listActivity } from "./activity";
import { addMember, changeMemberRole } from "./organizations";
import type { Actor } from "./permissions";
import { makeBareUser, makeOrg, makeUser, openTestDb } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let owner: Actor;
let orgId: string;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ owner, org: { id: orgId } } = await makeOrg(db, await makeUser(db, "manager", "Olga Owner")));
  const member = await makeBareUser(db);
  await addMember(db, owner, { orgId, email: member.email, role: "viewer" });
  await changeMemberRole(db, owner, { orgId, userId: member.id, role: "client-developer" });
});
afterAll(() => open?.close());

describe("listActivity's words", () => {
  it("keep the events whose action, entity type or actor hold every word", async () => {
    const all = await listActivity(db, owner, { kind: "organization", orgId });
    expect(all.rows.map((r) => r.action)).toEqual(["member.role_changed", "member.added", "organization.created"]);
    expect((await listActivity(db, owner, { kind: "organization", orgId }, { q: "member" })).rows.map((r) => r.action)).toEqual(["member.role_changed", "member.added"]);
    expect((await listActivity(db, owner, { kind: "organization", orgId }, { q: "role olga" })).total).toBe(1);
    expect((await listActivity(db, owner, { kind: "organization", orgId }, { q: owner.email })).total).toBe(3);
    expect((await listActivity(db, owner, { kind: "organization", orgId }, { q: "nothing-like-this" })).rows).toEqual([]);
  });
});
