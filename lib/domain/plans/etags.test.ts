import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { type Policy, planVersions } from "@/db/schema";
import type { Actor } from "../permissions";
import { createPlan, getOrganizationPlan, getPlanVersionDetail, lockPlanVersion, planVersionEtag, updatePlanPolicies } from "../plans";
import { expectCode, makeOrg, makeUser, openTestDb } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let outsider: Actor;
let org: { id: string; slug: string };

let counter = 0;
const slug = () => `etag-plan-${++counter}`;
const RATE: Policy = { type: "rate-limit", limit: 5, period: "second" };
const QUOTA: Policy = { type: "quota", limit: 100, period: "day" };

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const [p, c, o] = await Promise.all([makeUser(db, "manager"), makeUser(db, "portal"), makeUser(db, "manager")]);
  ({ org, owner: provider } = await makeOrg(db, p));
  consumer = c;
  ({ owner: outsider } = await makeOrg(db, o));
});
afterAll(() => open?.close());

async function policiesOf(id: string) {
  const [row] = await db.select().from(planVersions).where(eq(planVersions.id, id));
  return row.policies;
}

describe("updatePlanPolicies with If-Match", () => {
  it("writes with the current ETag, refuses a stale one and leaves the policies unchanged", async () => {
    const { plan, version } = await createPlan(db, provider, { orgId: org.id, slug: slug(), name: "Tagged", policies: [RATE] });
    const detail = await getPlanVersionDetail(db, provider, { org: org.slug, plan: plan.slug, version: "1.0" });
    const etag = planVersionEtag(detail.version);
    expect(etag).toBe(planVersionEtag(version));
    const updated = await updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [RATE, QUOTA] }, { ifMatch: etag });
    expect(planVersionEtag(updated)).not.toBe(etag);
    await expectCode(updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [] }, { ifMatch: etag }), "precondition_failed", 412);
    expect(await policiesOf(version.id)).toEqual([RATE, QUOTA]);
  });

  it("of two concurrent writers with the same ETag, only one succeeds", async () => {
    const { version } = await createPlan(db, provider, { orgId: org.id, slug: slug(), name: "Race" });
    const etag = planVersionEtag(version);
    const results = await Promise.allSettled([[RATE], [QUOTA]].map((policies) => updatePlanPolicies(db, provider, { planVersionId: version.id, policies }, { ifMatch: etag })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.code).toBe("precondition_failed");
    const winner = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ policies: Policy[] }>).value.policies;
    expect(await policiesOf(version.id)).toEqual(winner);
  });

  it("locking changes the ETag", async () => {
    const { version } = await createPlan(db, provider, { orgId: org.id, slug: slug(), name: "Lock", policies: [RATE] });
    const etag = planVersionEtag(version);
    await lockPlanVersion(db, provider, version.id);
    await expectCode(updatePlanPolicies(db, provider, { planVersionId: version.id, policies: [RATE] }, { ifMatch: etag }), "precondition_failed");
  });
});

describe("getOrganizationPlan", () => {
  it("finds a plan by slugs with its versions, and hides it from consumers and other organizations", async () => {
    const { plan } = await createPlan(db, provider, { orgId: org.id, slug: slug(), name: "Found" });
    const found = await getOrganizationPlan(db, provider, { org: org.slug, plan: plan.slug });
    expect(found.versions).toEqual([expect.objectContaining({ version: "1.0", status: "Created" })]);
    await expectCode(getOrganizationPlan(db, consumer, { org: org.slug, plan: plan.slug }), "not_found", 404);
    await expectCode(getOrganizationPlan(db, outsider, { org: org.slug, plan: plan.slug }), "not_found", 404);
    await expectCode(getOrganizationPlan(db, provider, { org: org.slug, plan: "a\u0000b" }), "plan_not_found", 404);
  });
});
