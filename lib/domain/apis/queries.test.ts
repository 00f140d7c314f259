import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { cancelPlanChange, createContract, requestPlanChange } from "../contracts";
import type { Actor } from "../permissions";
import { createPlan, lockPlanVersion } from "../plans";
import { makeClient, makeOrg, makeUser, openTestDb, personalOrgId } from "../test-fixtures";
import { createApi, getApiVersionDetail, offerPlan, publishApiVersion } from ".";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let org: { id: string; slug: string };

const unique = () => randomBytes(4).toString("hex");

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const made = await makeOrg(db, await makeUser(db, "manager"));
  org = made.org;
  provider = made.owner;
  consumer = await makeUser(db, "portal");
});
afterAll(() => open.close());

describe("getApiVersionDetail", () => {
  it("gives each offered plan its duration and terms, and counts the plan changes awaiting approval", async () => {
    const { api, version } = await createApi(db, provider, { orgId: org.id, slug: `api-${unique()}`, name: "Weather", endpoint: "http://127.0.0.1:9/weather" });
    const trial = await createPlan(db, provider, { orgId: org.id, slug: `trial-${unique()}`, name: "Trial", durationDays: 14, terms: "No resale." });
    const gold = await createPlan(db, provider, { orgId: org.id, slug: `gold-${unique()}`, name: "Gold" });
    for (const [plan, requiresApproval] of [[trial, false], [gold, true]] as const) {
      await lockPlanVersion(db, provider, plan.version.id);
      await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: plan.version.id, requiresApproval });
    }
    await publishApiVersion(db, provider, version.id);
    const ref = { org: org.slug, api: api.slug, version: version.version };

    const before = await getApiVersionDetail(db, provider, ref);
    expect(before.offeredPlans.map((p) => [p.name, p.durationDays, p.terms])).toEqual([
      ["Gold", null, ""],
      ["Trial", 14, "No resale."],
    ]);
    expect(before.pendingPlanChanges).toBe(0);

    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId: version.id, planVersionId: trial.version.id, acceptTerms: true });
    expect((await requestPlanChange(db, consumer, { contractId: contract.id, planVersionId: gold.version.id })).outcome).toBe("pending");
    const pending = await getApiVersionDetail(db, provider, ref);
    expect([pending.pendingContracts, pending.pendingPlanChanges]).toEqual([0, 1]);

    await cancelPlanChange(db, consumer, contract.id);
    expect((await getApiVersionDetail(db, provider, ref)).pendingPlanChanges).toBe(0);
  });
});
