import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, planVersions, type Policy } from "@/db/schema";
import { onChanges } from "../events";
import type { Actor } from "../permissions";
import { createPlan, createPlanVersion, describePolicies, lockPlanVersion, updatePlanPolicies, updatePlanVersionSettings } from "../plans";
import { expectCode, makeOrg, makeUser, openTestDb } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let orgId: string;

let counter = 0;
const slug = () => `plan-${++counter}`;
const BRONZE: Policy[] = [
  { type: "rate-limit", limit: 5, period: "second" },
  { type: "quota", limit: 1000, period: "day" },
];

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ org: { id: orgId }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
});
afterAll(() => open?.close());

async function readVersion(id: string) {
  const [row] = await db.select().from(planVersions).where(eq(planVersions.id, id));
  return row;
}

async function auditActions(entityId: string) {
  const rows = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, entityId));
  return rows.map((r) => r.action);
}

describe("Created → Locked", () => {
  it("a new plan has version 1.0, Created, with its policies in order, and is audited", async () => {
    const { plan, version } = await createPlan(db, provider, { orgId, slug: "bronze", name: "Bronze", policies: BRONZE });
    expect(version).toMatchObject({ planId: plan.id, version: "1.0", status: "Created", policies: BRONZE, lockedAt: null });
    expect(await auditActions(plan.id)).toContain("plan.created");
  });

  it("policies change while Created, in the order given", async () => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Draft" });
    expect(version.policies).toEqual([]);
    const reordered: Policy[] = [BRONZE[1], BRONZE[0]];
    await updatePlanPolicies(db, provider, { planVersionId: version.id, policies: reordered });
    expect((await readVersion(version.id)).policies).toEqual(reordered);
    expect(await auditActions(version.id)).toContain("plan_version.policies_updated");
  });

  it("locking sets Locked and lockedAt, audits and tells the gateway", async () => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Lock", policies: BRONZE });
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    await lockPlanVersion(db, provider, version.id);
    stop();
    const row = await readVersion(version.id);
    expect(row.status).toBe("Locked");
    expect(row.lockedAt).toBeInstanceOf(Date);
    expect(seen).toContain(`planVersion:${version.id}`);
    expect(await auditActions(version.id)).toContain("plan_version.locked");
  });

  it("Locked is final: locking twice is refused and the policies never change", async () => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Final", policies: BRONZE });
    await lockPlanVersion(db, provider, version.id);
    await expectCode(lockPlanVersion(db, provider, version.id), "invalid_state", 409);
    await expectCode(updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [] }), "invalid_state");
    expect(await readVersion(version.id)).toMatchObject({ status: "Locked", policies: BRONZE });
  });

  it("an unknown plan version is plan_not_found", async () => {
    await expectCode(lockPlanVersion(db, provider, crypto.randomUUID()), "plan_not_found", 404);
    await expectCode(updatePlanPolicies(db, provider, { planVersionId: crypto.randomUUID(), policies: [] }), "plan_not_found");
  });

  it("a plan slug is used once per organization (slug_taken)", async () => {
    await createPlan(db, provider, { orgId, slug: "gold", name: "Gold" });
    await expectCode(createPlan(db, provider, { orgId, slug: "gold", name: "Gold again" }), "slug_taken", 409);
  });
});

describe("policy validation", () => {
  it.each([
    { type: "rate-limit", limit: 5, period: "second" },
    { type: "rate-limit", limit: 100, period: "minute" },
    { type: "rate-limit", limit: 1000, period: "hour" },
    { type: "quota", limit: 1000, period: "day" },
    { type: "quota", limit: 1_000_000, period: "month" },
  ] as Policy[])("accepts $type $limit per $period", async (policy) => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Valid", policies: [policy] });
    expect(version.policies).toEqual([policy]);
  });

  it.each([
    ["a rate limit per day", { type: "rate-limit", limit: 5, period: "day" }],
    ["a rate limit per month", { type: "rate-limit", limit: 5, period: "month" }],
    ["a quota per second", { type: "quota", limit: 5, period: "second" }],
    ["a quota per hour", { type: "quota", limit: 5, period: "hour" }],
    ["a limit of zero", { type: "rate-limit", limit: 0, period: "second" }],
    ["a negative limit", { type: "quota", limit: -10, period: "day" }],
    ["a fractional limit", { type: "rate-limit", limit: 2.5, period: "minute" }],
    ["a limit given as text", { type: "quota", limit: "1000", period: "day" }],
    ["an unknown policy type", { type: "ip-allow-list", limit: 1, period: "day" }],
    ["a policy without a limit", { type: "quota", period: "day" }],
  ])("refuses %s (validation_failed, naming the field)", async (_what, policy) => {
    const error = await expectCode(
      createPlan(db, provider, { orgId, slug: slug(), name: "Invalid", policies: [policy as Policy] }),
      "validation_failed",
      400,
    );
    expect(Object.keys(error.fields ?? {}).some((field) => field.startsWith("policies.0"))).toBe(true);
  });

  it("refuses an invalid policy on update too, leaving the policies as they were", async () => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Update", policies: BRONZE });
    await expectCode(
      updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [{ type: "quota", limit: 0, period: "day" }] }),
      "validation_failed",
    );
    expect((await readVersion(version.id)).policies).toEqual(BRONZE);
  });
});

describe("new plan versions", () => {
  it("a version copied from a locked version starts Created with the same policies, and changes on its own", async () => {
    const { plan, version: v1 } = await createPlan(db, provider, { orgId, slug: slug(), name: "Silver", policies: BRONZE });
    await lockPlanVersion(db, provider, v1.id);
    const v2 = await createPlanVersion(db, provider, { planId: plan.id, version: "2.0", copyFromVersionId: v1.id });
    expect(v2).toMatchObject({ planId: plan.id, version: "2.0", status: "Created", policies: BRONZE, lockedAt: null });
    const doubled: Policy[] = [{ type: "rate-limit", limit: 10, period: "second" }];
    await updatePlanPolicies(db, provider, { planVersionId: v2.id, policies: doubled });
    expect((await readVersion(v2.id)).policies).toEqual(doubled);
    expect((await readVersion(v1.id)).policies).toEqual(BRONZE);
    expect(await auditActions(v2.id)).toContain("plan_version.created");
  });

  it("a version without a source takes the policies given, or none", async () => {
    const { plan } = await createPlan(db, provider, { orgId, slug: slug(), name: "Fresh", policies: BRONZE });
    expect((await createPlanVersion(db, provider, { planId: plan.id, version: "2.0" })).policies).toEqual([]);
    const given: Policy[] = [{ type: "quota", limit: 5, period: "month" }];
    expect((await createPlanVersion(db, provider, { planId: plan.id, version: "3.0", policies: given })).policies).toEqual(given);
  });

  it("copies only from a version of the same plan", async () => {
    const { version: foreign } = await createPlan(db, provider, { orgId, slug: slug(), name: "Foreign", policies: BRONZE });
    const { plan } = await createPlan(db, provider, { orgId, slug: slug(), name: "Own" });
    await expectCode(createPlanVersion(db, provider, { planId: plan.id, version: "2.0", copyFromVersionId: foreign.id }), "plan_not_found");
  });

  it("a version number is used once per plan (version_exists)", async () => {
    const { plan } = await createPlan(db, provider, { orgId, slug: slug(), name: "Twice" });
    await expectCode(createPlanVersion(db, provider, { planId: plan.id, version: "1.0" }), "version_exists", 409);
  });
});

describe("describePolicies", () => {
  it.each([
    [[], "Unlimited"],
    [BRONZE, "5 requests per second · 1,000 per day"],
    [[{ type: "rate-limit", limit: 50, period: "second" }], "50 requests per second"],
    [[{ type: "rate-limit", limit: 1200, period: "minute" }], "1,200 requests per minute"],
    [[{ type: "rate-limit", limit: 1, period: "hour" }], "1 request per hour"],
    [[{ type: "quota", limit: 1_000_000, period: "month" }], "1,000,000 per month"],
  ] as [Policy[], string][])("%j reads %j", (policies, text) => {
    expect(describePolicies(policies)).toBe(text);
  });
});

describe("duration and terms of use", () => {
  it("are set at creation, editable while Created, copied to new versions, frozen once locked", async () => {
    const { plan, version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Trial", durationDays: 14, terms: "# Terms\nBe nice." });
    expect(version).toMatchObject({ durationDays: 14, terms: "# Terms\nBe nice." });
    const updated = await updatePlanVersionSettings(db, provider, { planVersionId: version.id, durationDays: null });
    expect(updated).toMatchObject({ durationDays: null, terms: "# Terms\nBe nice." });
    await updatePlanVersionSettings(db, provider, { planVersionId: version.id, durationDays: 30, terms: "" });
    expect(await readVersion(version.id)).toMatchObject({ durationDays: 30, terms: "" });
    const copy = await createPlanVersion(db, provider, { planId: plan.id, version: "2.0", copyFromVersionId: version.id });
    expect(copy.durationDays).toBe(30);
    await lockPlanVersion(db, provider, version.id);
    await expectCode(updatePlanVersionSettings(db, provider, { planVersionId: version.id, terms: "Changed" }), "invalid_state", 409);
  });

  it("validates the duration (1 to 3650 whole days) and needs planEdit", async () => {
    const { version } = await createPlan(db, provider, { orgId, slug: slug(), name: "Checked" });
    for (const durationDays of [0, 3651, 1.5]) {
      const error = await expectCode(updatePlanVersionSettings(db, provider, { planVersionId: version.id, durationDays }), "validation_failed");
      expect(Object.keys(error.fields ?? {})).toEqual(["durationDays"]);
    }
    await expectCode(updatePlanVersionSettings(db, await makeUser(db, "manager"), { planVersionId: version.id, durationDays: 5 }), "forbidden");
  });
});
