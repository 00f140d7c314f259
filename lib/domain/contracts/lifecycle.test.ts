import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { contracts, notifications } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion } from "../apis";
import { getMyClient } from "../clients";
import { addMember } from "../organizations";
import type { Actor } from "../permissions";
import { createPlan, lockPlanVersion } from "../plans";
import { expectCode, makeClient, makeOrg, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";
import {
  approveContract,
  approvePlanChange,
  breakContract,
  cancelPlanChange,
  countPendingApprovals,
  createContract,
  decideContracts,
  getContract,
  getContractDetail,
  listPendingApprovals,
  movePlan,
  rejectContract,
  rejectPlanChange,
  requestPlanChange,
  resumeContract,
  runContractExpiry,
  setContractEndDate,
  signingRefusal,
  suspendContract,
  withdrawContract,
} from ".";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let orgId: string;

const DAY = 24 * 60 * 60 * 1000;
const unique = () => randomBytes(4).toString("hex");

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ org: { id: orgId }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
  consumer = await makeUser(db, "portal");
});
afterAll(() => open.close());

interface PlanSpec {
  name: string;
  requiresApproval?: boolean;
  durationDays?: number | null;
  terms?: string;
}

/** A published private API offering the given plans, with a client of the consumer. */
async function setup(specs: PlanSpec[] = [{ name: "Bronze" }, { name: "Gold", requiresApproval: true }]) {
  const planIds: string[] = [];
  const { version } = await createApi(db, provider, { orgId, slug: `api-${unique()}`, name: "Weather", endpoint: "http://127.0.0.1:9/weather" });
  for (const spec of specs) {
    const { version: pv } = await createPlan(db, provider, { orgId, slug: `plan-${unique()}`, name: spec.name, durationDays: spec.durationDays ?? null, terms: spec.terms ?? "" });
    await lockPlanVersion(db, provider, pv.id);
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: pv.id, requiresApproval: spec.requiresApproval ?? false });
    planIds.push(pv.id);
  }
  await publishApiVersion(db, provider, version.id);
  const { clientVersionId, client } = await makeClient(db, consumer, personalOrgId(consumer));
  return { apiVersionId: version.id, planIds, clientVersionId, client };
}

async function activeContract(specs?: PlanSpec[]) {
  const s = await setup(specs);
  const contract = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
  expect(contract.status).toBe("Active");
  return { ...s, contractId: contract.id };
}

const row = async (id: string) => (await db.select().from(contracts).where(eq(contracts.id, id)))[0];
const kinds = async (id: string) => (await getContractDetail(db, provider, id)).events.map((e) => e.kind);
const inbox = async (userId: string, kind: string) => (await db.select().from(notifications).where(eq(notifications.recipientId, userId))).filter((n) => n.kind === kind);

describe("history", () => {
  it("records requested alone for an auto-approved contract, then approvals, rejections, withdrawals and breaks", async () => {
    const { contractId } = await activeContract();
    expect(await kinds(contractId)).toEqual(["requested"]);
    await breakContract(db, consumer, { contractId });
    expect(await kinds(contractId)).toEqual(["requested", "broken"]);

    const s = await setup([{ name: "Gold", requiresApproval: true }]);
    const pending = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
    await rejectContract(db, provider, { contractId: pending.id, reason: "Not now" });
    const again = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
    await withdrawContract(db, consumer, again.id);
    const third = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
    await approveContract(db, provider, third.id);
    const onceOrAwaited = async (id: string) => (await getContractDetail(db, provider, id)).events.map((e) => [e.kind, e.activeAtOnce]);
    expect(await onceOrAwaited(contractId)).toEqual([
      ["requested", true],
      ["broken", false],
    ]);
    expect(await onceOrAwaited(third.id)).toEqual([
      ["requested", false],
      ["approved", false],
    ]);
    const rejected = await getContractDetail(db, consumer, pending.id);
    expect(rejected.events.map((e) => [e.kind, e.actorName, e.reason])).toEqual([
      ["requested", consumer.name, null],
      ["rejected", provider.name, "Not now"],
    ]);
    expect(rejected.events[0].plan?.planName).toBe("Gold");
    expect(await kinds(again.id)).toEqual(["requested", "withdrawn"]);
    expect(await kinds(third.id)).toEqual(["requested", "approved"]);
  });

  it("is contract_not_found for someone who may see neither side", async () => {
    const { contractId } = await activeContract();
    await expectCode(getContractDetail(db, await makeUser(db, "portal"), contractId), "contract_not_found", 404);
  });
});

describe("terms of use and durations", () => {
  it("requires acceptTerms when the plan has terms, and records who accepted which plan version", async () => {
    const s = await setup([{ name: "Terms", terms: "Be nice." }]);
    const input = { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] };
    const error = await expectCode(createContract(db, consumer, input), "validation_failed", 400);
    expect(error.fields).toEqual({ acceptTerms: "Accept the terms of use to continue." });
    const contract = await createContract(db, consumer, { ...input, acceptTerms: true });
    const detail = await getContractDetail(db, provider, contract.id);
    expect(detail.events.map((e) => e.kind)).toEqual(["requested", "terms_accepted"]);
    expect(detail.contract.terms).toMatchObject({ planVersionId: s.planIds[0], text: "Be nice.", acceptedById: consumer.userId, acceptedByName: consumer.name });
  });

  it("ends a contract durationDays after it starts: creation when active at once, approval otherwise", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    const s = await setup([{ name: "Trial", durationDays: 14 }]);
    const c = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] }, t0);
    expect(c.endsAt).toEqual(new Date(t0.getTime() + 14 * DAY));

    const p = await setup([{ name: "Trial", durationDays: 3, requiresApproval: true }]);
    const req = await createContract(db, consumer, { clientVersionId: p.clientVersionId, apiVersionId: p.apiVersionId, planVersionId: p.planIds[0] }, t0);
    expect(req.endsAt).toBeNull();
    const t1 = new Date(t0.getTime() + 5 * DAY);
    await approveContract(db, provider, req.id, t1);
    expect((await row(req.id)).endsAt).toEqual(new Date(t1.getTime() + 3 * DAY));
  });
});

describe("plan changes", () => {
  it("switches at once when the target needs no approval", async () => {
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Silver" }]);
    const { outcome, contract } = await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    expect(outcome).toBe("changed");
    expect(contract.planVersionId).toBe(planIds[1]);
    const detail = await getContractDetail(db, consumer, contractId);
    expect(detail.events.at(-1)).toMatchObject({ kind: "plan_changed", plan: { planName: "Silver" }, fromPlan: { planName: "Bronze" } });
  });

  it("waits for approval, is listed and counted beside new requests, and approval moves the plan", async () => {
    const { contractId, planIds } = await activeContract();
    const before = await countPendingApprovals(db, provider);
    const { outcome } = await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    expect(outcome).toBe("pending");
    expect((await row(contractId)).planVersionId).toBe(planIds[0]);
    expect(await countPendingApprovals(db, provider)).toBe(before + 1);
    const { rows } = await listPendingApprovals(db, provider, { pageSize: 100 });
    expect(rows.find((r) => r.contractId === contractId)).toMatchObject({ kind: "planChange", planName: "Gold", currentPlanName: "Bronze", requesterName: consumer.name });
    expect((await inbox(provider.userId, "plan_change_requested")).length).toBeGreaterThan(0);
    const detail = await getContractDetail(db, consumer, contractId);
    expect(detail.contract.pendingPlanChange).toMatchObject({ planName: "Gold", requestedByName: consumer.name });

    await approvePlanChange(db, provider, contractId);
    const after = await row(contractId);
    expect(after).toMatchObject({ planVersionId: planIds[1], pendingPlanVersionId: null, status: "Active" });
    expect(await kinds(contractId)).toEqual(["requested", "plan_change_requested", "plan_change_approved"]);
    await expectCode(approvePlanChange(db, provider, contractId), "invalid_state", 409);
  });

  it("refuses a second request while one is pending, naming the plan", async () => {
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Gold", requiresApproval: true }, { name: "Platinum", requiresApproval: true }]);
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    const error = await expectCode(requestPlanChange(db, consumer, { contractId, planVersionId: planIds[2] }), "invalid_state");
    expect(error.message).toBe("A plan change to Gold is already awaiting approval.");
  });

  it("lets exactly one of two concurrent requests through", async () => {
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Gold", requiresApproval: true }, { name: "Platinum", requiresApproval: true }]);
    const results = await Promise.allSettled([
      requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] }),
      requestPlanChange(db, consumer, { contractId, planVersionId: planIds[2] }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await kinds(contractId)).toEqual(["requested", "plan_change_requested"]);
  });

  it("rejection keeps the old plan with the reason in the history; cancel by the requester; stale decisions refused", async () => {
    const { contractId, planIds } = await activeContract();
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    await rejectPlanChange(db, provider, { contractId, reason: "Gold is full" });
    expect((await row(contractId)).planVersionId).toBe(planIds[0]);
    const detail = await getContractDetail(db, consumer, contractId);
    expect(detail.events.at(-1)).toMatchObject({ kind: "plan_change_rejected", reason: "Gold is full" });
    expect((await inbox(consumer.userId, "plan_change_rejected")).some((n) => n.text.includes("Gold is full"))).toBe(true);
    await expectCode(rejectPlanChange(db, provider, { contractId, reason: "again" }), "invalid_state");

    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    await cancelPlanChange(db, consumer, contractId);
    await expectCode(cancelPlanChange(db, consumer, contractId), "invalid_state");
    expect((await row(contractId)).pendingPlanVersionId).toBeNull();
  });

  it("refuses: forbidden for strangers and non-deciders, plan_not_offered, same plan, terms, wrong state", async () => {
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Gold", requiresApproval: true, terms: "Pay." }]);
    const viewer = await makeUser(db, "manager");
    // Sees the contract from the API side, may not edit the client.
    await addMember(db, provider, { orgId, email: viewer.email, role: "viewer" });
    await expectCode(requestPlanChange(db, await refresh(db, viewer), { contractId, planVersionId: planIds[1], acceptTerms: true }), "forbidden", 403);
    await expectCode(requestPlanChange(db, await makeUser(db, "portal"), { contractId, planVersionId: planIds[1] }), "contract_not_found");
    await expectCode(requestPlanChange(db, consumer, { contractId, planVersionId: crypto.randomUUID() }), "plan_not_offered", 404);
    await expectCode(requestPlanChange(db, consumer, { contractId, planVersionId: planIds[0] }), "invalid_state");
    const error = await expectCode(requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] }), "validation_failed");
    expect(error.fields?.acceptTerms).toBeDefined();
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1], acceptTerms: true });
    await expectCode(approvePlanChange(db, consumer, contractId), "forbidden");
    await approvePlanChange(db, provider, contractId);
    expect((await getContractDetail(db, consumer, contractId)).contract.terms).toMatchObject({ planVersionId: planIds[1], acceptedById: consumer.userId });
    await breakContract(db, consumer, { contractId });
    await expectCode(requestPlanChange(db, consumer, { contractId, planVersionId: planIds[0] }), "invalid_state");
  });

  it("movePlan: an API administrator moves at once, drops a pending change and tells the consumer; others forbidden", async () => {
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Gold", requiresApproval: true }, { name: "Silver" }]);
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    await expectCode(movePlan(db, consumer, { contractId, planVersionId: planIds[2] }), "forbidden");
    await movePlan(db, provider, { contractId, planVersionId: planIds[2], reason: "Bronze is retiring" });
    expect(await row(contractId)).toMatchObject({ planVersionId: planIds[2], pendingPlanVersionId: null });
    expect(await kinds(contractId)).toEqual(["requested", "plan_change_requested", "plan_change_cancelled", "plan_changed"]);
    expect((await inbox(consumer.userId, "contract_plan_changed")).some((n) => n.text.includes("Bronze is retiring"))).toBe(true);
  });

  it("the end date is kept unless the new plan has a duration", async () => {
    const now = new Date("2031-01-01T00:00:00Z");
    const { contractId, planIds } = await activeContract([{ name: "Bronze" }, { name: "Silver" }, { name: "Trial", durationDays: 10 }]);
    const end = new Date(now.getTime() + 30 * DAY);
    await setContractEndDate(db, provider, { contractId, endsAt: end }, now);
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] }, now);
    expect((await row(contractId)).endsAt).toEqual(end);
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[2] }, now);
    expect((await row(contractId)).endsAt).toEqual(new Date(now.getTime() + 10 * DAY));
  });
});

describe("suspend and resume", () => {
  it("suspends an active contract with a reason, keeps plan and key, resumes it, and refuses the wrong side and state", async () => {
    const { contractId, planIds, clientVersionId, apiVersionId } = await activeContract();
    await expectCode(suspendContract(db, consumer, { contractId, reason: "x" }), "forbidden");
    await expectCode(suspendContract(db, provider, { contractId, reason: "" }), "validation_failed");
    await suspendContract(db, provider, { contractId, reason: "Abuse" });
    expect(await row(contractId)).toMatchObject({ status: "Suspended", reason: "Abuse", planVersionId: planIds[0] });
    expect((await getContractDetail(db, consumer, contractId)).contract.suspensionReason).toBe("Abuse");
    expect((await inbox(consumer.userId, "contract_suspended")).some((n) => n.text.includes("Abuse"))).toBe(true);
    await expectCode(suspendContract(db, provider, { contractId, reason: "again" }), "invalid_state");
    // Still live: a second contract with the API version is refused.
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId: planIds[0] }), "contract_exists");
    expect(signingRefusal({ clientVersion: { retiredAt: null }, apiVersion: { status: "Published", isPublic: false }, liveContractStatus: "Suspended" })?.code).toBe("contract_exists");
    await expectCode(resumeContract(db, consumer, contractId), "forbidden");
    await resumeContract(db, provider, contractId);
    expect(await row(contractId)).toMatchObject({ status: "Active", reason: null });
    await expectCode(resumeContract(db, provider, contractId), "invalid_state");
    expect(await kinds(contractId)).toEqual(["requested", "suspended", "resumed"]);
  });

  it("a suspended contract can be broken", async () => {
    const { contractId } = await activeContract();
    await suspendContract(db, provider, { contractId, reason: "Abuse" });
    await breakContract(db, consumer, { contractId });
    expect((await row(contractId)).status).toBe("Broken");
  });

  it("suspending during a pending plan change keeps both; approving keeps it suspended on the new plan", async () => {
    const { contractId, planIds } = await activeContract();
    await requestPlanChange(db, consumer, { contractId, planVersionId: planIds[1] });
    await Promise.all([suspendContract(db, provider, { contractId, reason: "Audit" }), getContract(db, provider, contractId)]);
    expect(await row(contractId)).toMatchObject({ status: "Suspended", pendingPlanVersionId: planIds[1] });
    await decideContracts(db, provider, { decision: "approve", contractIds: [contractId] });
    expect(await row(contractId)).toMatchObject({ status: "Suspended", planVersionId: planIds[1], pendingPlanVersionId: null, reason: "Audit" });
  });
});

describe("end dates and expiry", () => {
  it("setContractEndDate: API administrators only, in the future, null removes it", async () => {
    const now = new Date("2032-01-01T00:00:00Z");
    const { contractId } = await activeContract();
    await expectCode(setContractEndDate(db, consumer, { contractId, endsAt: new Date(now.getTime() + DAY) }, now), "forbidden");
    const past = await expectCode(setContractEndDate(db, provider, { contractId, endsAt: new Date(now.getTime() - 1) }, now), "validation_failed");
    expect(past.fields?.endsAt).toBeDefined();
    await setContractEndDate(db, provider, { contractId, endsAt: new Date(now.getTime() + DAY) }, now);
    await setContractEndDate(db, provider, { contractId, endsAt: null }, new Date(now.getTime() + 1000));
    expect((await row(contractId)).endsAt).toBeNull();
    const detail = await getContractDetail(db, consumer, contractId);
    expect(detail.events.filter((e) => e.kind === "end_date_set").map((e) => e.endsAt)).toEqual([new Date(now.getTime() + DAY), null]);
    expect(await inbox(consumer.userId, "contract_end_date_set")).not.toHaveLength(0);
  });

  it("warns 7 days and 1 day before, once each, then expires the contract; running twice changes nothing", async () => {
    const t0 = new Date("2033-01-01T00:00:00Z");
    const { contractId, clientVersionId, apiVersionId, planIds } = await activeContract();
    const end = new Date(t0.getTime() + 10 * DAY);
    await setContractEndDate(db, provider, { contractId, endsAt: end }, t0);
    const at = (daysBefore: number) => new Date(end.getTime() - daysBefore * DAY);
    const mine = (run: Awaited<ReturnType<typeof runContractExpiry>>) => ({ warned: run.warned.filter((w) => w.contractId === contractId).map((w) => w.days), expired: run.expired.includes(contractId) });

    expect(mine(await runContractExpiry(db, at(8)))).toEqual({ warned: [], expired: false });
    expect(mine(await runContractExpiry(db, at(6.5)))).toEqual({ warned: [7], expired: false });
    expect(mine(await runContractExpiry(db, at(6)))).toEqual({ warned: [], expired: false });
    expect(mine(await runContractExpiry(db, at(0.5)))).toEqual({ warned: [1], expired: false });
    expect(mine(await runContractExpiry(db, at(0.4)))).toEqual({ warned: [], expired: false });
    expect(mine(await runContractExpiry(db, at(-0.1)))).toEqual({ warned: [], expired: true });
    expect(mine(await runContractExpiry(db, at(-0.2)))).toEqual({ warned: [], expired: false });

    expect((await row(contractId)).status).toBe("Expired");
    expect(await kinds(contractId)).toEqual(["requested", "end_date_set", "expiry_warned", "expiry_warned", "expired"]);
    expect(await inbox(consumer.userId, "contract_expiring")).toHaveLength(2);
    // Ended: a new request renews it.
    const renewed = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId: planIds[0] });
    expect(renewed.status).toBe("Active");
  });

  it("a contract close to its end gets only the 1-day warning", async () => {
    const t0 = new Date("2034-01-01T00:00:00Z");
    const { contractId } = await activeContract();
    await setContractEndDate(db, provider, { contractId, endsAt: new Date(t0.getTime() + 12 * 60 * 60 * 1000) }, t0);
    const run = await runContractExpiry(db, t0);
    expect(run.warned.filter((w) => w.contractId === contractId)).toEqual([{ contractId, days: 1 }]);
  });
});

describe("My Clients", () => {
  it("shows live and rejected contracts by default, and ended ones on request; a suspended version stays Registered", async () => {
    const s = await setup([{ name: "Bronze" }]);
    const first = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
    await breakContract(db, consumer, { contractId: first.id });
    const second = await createContract(db, consumer, { clientVersionId: s.clientVersionId, apiVersionId: s.apiVersionId, planVersionId: s.planIds[0] });
    await suspendContract(db, provider, { contractId: second.id, reason: "Pause" });
    const org = personalOrgId(consumer);
    const orgSlug = (await db.query.organizations.findFirst({ where: (o, { eq }) => eq(o.id, org) }))!.slug;
    const shown = await getMyClient(db, consumer, orgSlug, s.client.slug);
    expect(shown.contracts.map((c) => c.status)).toEqual(["Suspended"]);
    expect(shown.selected.status).toBe("Registered");
    const all = await getMyClient(db, consumer, orgSlug, s.client.slug, { includeEnded: true });
    expect(all.contracts.map((c) => c.status).sort()).toEqual(["Broken", "Suspended"]);
  });
});
