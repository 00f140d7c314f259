import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { createClient } from "@/lib/domain/clients";
import { createContract, withdrawContract } from "@/lib/domain/contracts";
import { addMember } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import { createPlan, lockPlanVersion } from "@/lib/domain/plans";
import { makeLockedPlan, makeOrg, makeUser, openTestDb, personalOrgId, refresh } from "@/lib/domain/test-fixtures";
import { createAccessToken } from "@/lib/domain/tokens";
import { type ApiClient, apiClient, type ApiServer, startApiServer } from "./test-server";

/**
 * The contract lifecycle over HTTP: history, plan changes and their approvals, moves, suspension,
 * end dates, terms of use, imported keys, plan durations and terms, and ended contracts.
 */

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let provider: Actor;
let consumer: Actor;
let org: { id: string; slug: string };
/** The slug of the consumer's personal organization. */
let consumerOrg: string;
let apiVersionId: string;
/** Plan versions: Bronze (no approval), Gold (approval), Silver (no approval), Trial (30 days, terms). */
let plans: { bronze: string; gold: string; silver: string; trial: string };
let as: { consumer: ApiClient; consumerRead: ApiClient; provider: ApiClient; stranger: ApiClient; member: ApiClient };

const DAY = 24 * 60 * 60 * 1000;
const TERMS = "Be **kind** to the tides.";

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: `${scope} token`, expiresInDays: 30, scope })).token;
}

/** A client of the consumer with an active Bronze contract; answers the contract id. */
async function activeContract(name: string): Promise<string> {
  const { version } = await createClient(db, consumer, { orgId: personalOrgId(consumer), name });
  return (await createContract(db, consumer, { clientVersionId: version.id, apiVersionId, planVersionId: plans.bronze })).id;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  ({ owner: provider, org } = await makeOrg(db, await makeUser(db, "manager")));
  const bronze = (await makeLockedPlan(db, provider, org.id)).planVersionId;
  const gold = (await makeLockedPlan(db, provider, org.id)).planVersionId;
  const silver = (await makeLockedPlan(db, provider, org.id)).planVersionId;
  const trialPlan = await createPlan(db, provider, { orgId: org.id, slug: "trial", name: "Trial", durationDays: 30, terms: TERMS });
  await lockPlanVersion(db, provider, trialPlan.version.id);
  plans = { bronze, gold, silver, trial: trialPlan.version.id };
  const { version } = await createApi(db, provider, { orgId: org.id, slug: "tides", name: "Tides", endpoint: "http://127.0.0.1:9/tides" });
  apiVersionId = version.id;
  await offerPlan(db, provider, { apiVersionId, planVersionId: bronze, requiresApproval: false });
  await offerPlan(db, provider, { apiVersionId, planVersionId: gold, requiresApproval: true });
  await offerPlan(db, provider, { apiVersionId, planVersionId: silver, requiresApproval: false });
  await offerPlan(db, provider, { apiVersionId, planVersionId: plans.trial, requiresApproval: false });
  await publishApiVersion(db, provider, apiVersionId);

  // A manager, so that they may add members to their organization.
  consumer = await makeUser(db, "manager", "Casey Consumer");
  const stranger = await makeUser(db, "portal", "Sam Stranger");
  // A client developer of the consumer's organization who is not its owner.
  const developer = await makeUser(db, "portal", "Dana Developer");
  await addMember(db, consumer, { orgId: personalOrgId(consumer), email: developer.email, role: "client-developer" });
  as = {
    consumer: apiClient(server, await tokenFor(consumer)),
    consumerRead: apiClient(server, await tokenFor(consumer, "read")),
    provider: apiClient(server, await tokenFor(provider)),
    stranger: apiClient(server, await tokenFor(stranger)),
    member: apiClient(server, await tokenFor(await refresh(db, developer))),
  };
  consumerOrg = (await as.consumer.get("/api/v1/me")).body.organizations.find((o: { role: string }) => o.role === "owner").slug;
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

function expectProblem(answer: { status: number; body: { code: string } }, status: number, code: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.code).toBe(code);
}

describe("signing with terms of use", () => {
  it("shows each offered plan's terms and duration in the catalog", async () => {
    const answer = await as.consumer.get(`/api/v1/apis/${org.slug}/tides/1.0`);
    expect(answer.status).toBe(200);
    const trial = answer.body.plans.find((plan: { planVersionId: string }) => plan.planVersionId === plans.trial);
    expect(trial).toMatchObject({ durationDays: 30, terms: TERMS });
    expect(answer.body.plans.find((plan: { planVersionId: string }) => plan.planVersionId === plans.bronze)).toMatchObject({ durationDays: null, terms: "" });
  });

  it("refuses a contract whose terms are not accepted, then records the acceptance and the end of the trial", async () => {
    const created = await as.consumer.post(`/api/v1/orgs/${consumerOrg}/clients`, { name: "Trial client" });
    expect(created.status).toBe(201);
    const signPath = `/api/v1/orgs/${created.body.org.slug}/clients/${created.body.slug}/versions/1.0/contracts`;
    const refused = await as.consumer.post(signPath, { apiVersionId, planVersionId: plans.trial });
    expectProblem(refused, 400, "validation_failed");
    expect(refused.body.fields.acceptTerms).toBe("Accept the terms of use to continue.");
    expectProblem(await as.consumer.post(signPath, { apiVersionId, planVersionId: plans.trial, acceptTerms: "yes" }), 400, "validation_failed");

    const before = Date.now();
    const signed = await as.consumer.post(signPath, { apiVersionId, planVersionId: plans.trial, acceptTerms: true });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ status: "Active", planVersionId: plans.trial, pendingPlanVersionId: null });
    const endsAt = Date.parse(signed.body.endsAt);
    expect(endsAt).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);

    const history = await as.consumer.get(`/api/v1/contracts/${signed.body.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.contract).toMatchObject({
      id: signed.body.id,
      endsAt: signed.body.endsAt,
      suspensionReason: null,
      pendingPlanChange: null,
      terms: { planVersionId: plans.trial, text: TERMS, acceptedById: consumer.userId, acceptedByName: "Casey Consumer" },
    });
    expect(history.body.events.map((event: { kind: string }) => event.kind)).toEqual(expect.arrayContaining(["terms_accepted"]));
  });
});

describe("GET /api/v1/contracts/{id}/history", () => {
  it("answers the contract and its events, oldest first, to either side", async () => {
    const id = await activeContract("History");
    for (const client of [as.consumerRead, as.provider]) {
      const answer = await client.get(`/api/v1/contracts/${id}/history`);
      expect(answer.status).toBe(200);
      expect(answer.body.contract).toMatchObject({ id, status: "Active", terms: null, endsAt: null });
      expect(answer.body.events[0]).toMatchObject({ kind: "requested", actorName: "Casey Consumer", plan: { planVersionId: plans.bronze } });
    }
  });

  it("answers 404 to a stranger, an unknown id and a malformed one", async () => {
    const id = await activeContract("Hidden");
    expectProblem(await as.stranger.get(`/api/v1/contracts/${id}/history`), 404, "contract_not_found");
    expectProblem(await as.consumer.get("/api/v1/contracts/00000000-0000-4000-8000-000000000000/history"), 404, "contract_not_found");
    expectProblem(await as.consumer.get("/api/v1/contracts/nope/history"), 404, "contract_not_found");
  });
});

describe("plan changes", () => {
  it("changes at once when the plan needs no approval", async () => {
    const id = await activeContract("Immediate");
    const answer = await as.consumer.post(`/api/v1/contracts/${id}/plan-change`, { planVersionId: plans.silver });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: "changed", contract: { id, planVersionId: plans.silver, pendingPlanVersionId: null } });
  });

  it("waits for approval, refuses a second request, can be cancelled, and is approved once", async () => {
    const id = await activeContract("Pending");
    const path = `/api/v1/contracts/${id}/plan-change`;
    const pending = await as.consumer.post(path, { planVersionId: plans.gold });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ outcome: "pending", contract: { planVersionId: plans.bronze, pendingPlanVersionId: plans.gold } });
    const again = await as.consumer.post(path, { planVersionId: plans.silver });
    expectProblem(again, 409, "invalid_state");
    expect(again.body.detail).toMatch(/already awaiting approval/);

    const detail = await as.consumer.get(`/api/v1/contracts/${id}/history`);
    expect(detail.body.contract.pendingPlanChange).toMatchObject({ planVersionId: plans.gold, requestedByName: "Casey Consumer" });

    expect((await as.consumer.delete(path)).status).toBe(204);
    expectProblem(await as.consumer.delete(path), 409, "invalid_state");

    await as.consumer.post(path, { planVersionId: plans.gold });
    const approvals = await as.provider.get("/api/v1/approvals?limit=100");
    expect(approvals.body.data.find((row: { contractId: string }) => row.contractId === id)).toMatchObject({
      kind: "planChange",
      planVersionId: plans.gold,
      currentPlanName: "Bronze",
      requesterName: "Casey Consumer",
    });
    const approved = await as.provider.post(`/api/v1/approvals/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, decided: "planChange", status: "Active", planVersionId: plans.gold, pendingPlanVersionId: null });
    // Decided already: the request is stale.
    expectProblem(await as.provider.post(`/api/v1/approvals/${id}/approve`), 409, "invalid_state");
  });

  it("is rejected with a reason, leaving the contract on its plan", async () => {
    const id = await activeContract("Rejected change");
    await as.consumer.post(`/api/v1/contracts/${id}/plan-change`, { planVersionId: plans.gold });
    expectProblem(await as.provider.post(`/api/v1/approvals/${id}/reject`, {}), 400, "validation_failed");
    const rejected = await as.provider.post(`/api/v1/approvals/${id}/reject`, { reason: "Gold is full." });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ decided: "planChange", status: "Active", planVersionId: plans.bronze, pendingPlanVersionId: null });
  });

  it("is decided in bulk beside contract requests", async () => {
    const change = await activeContract("Bulk change");
    await as.consumer.post(`/api/v1/contracts/${change}/plan-change`, { planVersionId: plans.gold });
    const { version } = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Bulk request" });
    const request = (await createContract(db, consumer, { clientVersionId: version.id, apiVersionId, planVersionId: plans.gold })).id;
    const listed = await as.provider.get("/api/v1/approvals?limit=100");
    const kinds = Object.fromEntries(listed.body.data.map((row: { contractId: string; kind: string }) => [row.contractId, row.kind]));
    expect(kinds).toMatchObject({ [change]: "planChange", [request]: "contract" });
    expect(listed.body.data.find((row: { contractId: string }) => row.contractId === request)).toMatchObject({ currentPlanSlug: null, currentPlanName: null });

    const decided = await as.provider.post("/api/v1/approvals/decisions", { decision: "approve", ids: [change, request] });
    expect(decided.status).toBe(200);
    expect(decided.body).toEqual({ decided: [change, request], failed: [] });
    expect((await as.consumer.get(`/api/v1/contracts/${change}`)).body).toMatchObject({ planVersionId: plans.gold, pendingPlanVersionId: null });
    expect((await as.consumer.get(`/api/v1/contracts/${request}`)).body.status).toBe("Active");
  });

  it("refuses terms not accepted, a plan not offered, a read token and a stranger", async () => {
    const id = await activeContract("Refusals");
    const path = `/api/v1/contracts/${id}/plan-change`;
    const terms = await as.consumer.post(path, { planVersionId: plans.trial });
    expectProblem(terms, 400, "validation_failed");
    expect(terms.body.fields.acceptTerms).toBeDefined();
    const other = await makeLockedPlan(db, provider, org.id);
    expectProblem(await as.consumer.post(path, { planVersionId: other.planVersionId }), 404, "plan_not_offered");
    expectProblem(await as.consumer.post(path, { planVersionId: plans.bronze }), 409, "invalid_state");
    expectProblem(await as.consumerRead.post(path, { planVersionId: plans.silver }), 403, "token_read_only");
    expectProblem(await as.stranger.post(path, { planVersionId: plans.silver }), 404, "contract_not_found");
    expectProblem(await as.consumer.post(path, {}), 400, "validation_failed");

    const accepted = await as.consumer.post(path, { planVersionId: plans.trial, acceptTerms: true });
    expect(accepted.body).toMatchObject({ outcome: "changed", contract: { planVersionId: plans.trial } });
    expect(accepted.body.contract.endsAt).not.toBeNull();
  });
});

describe("the API side: move, suspend, resume, end date", () => {
  it("moves a contract to another plan, with a reason; the consumer may not", async () => {
    const id = await activeContract("Moved");
    expectProblem(await as.consumer.post(`/api/v1/contracts/${id}/move`, { planVersionId: plans.silver }), 403, "forbidden");
    const moved = await as.provider.post(`/api/v1/contracts/${id}/move`, { planVersionId: plans.silver, reason: "Bronze is retiring." });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id, planVersionId: plans.silver, planSlug: expect.any(String) });
    const history = await as.consumer.get(`/api/v1/contracts/${id}/history`);
    expect(history.body.events.at(-1)).toMatchObject({ kind: "plan_changed", reason: "Bronze is retiring.", plan: { planVersionId: plans.silver }, fromPlan: { planVersionId: plans.bronze } });
  });

  it("suspends with a reason and resumes, once each", async () => {
    const id = await activeContract("Suspended");
    expectProblem(await as.consumer.post(`/api/v1/contracts/${id}/suspend`, { reason: "Mine." }), 403, "forbidden");
    expectProblem(await as.stranger.post(`/api/v1/contracts/${id}/suspend`, { reason: "Mine." }), 404, "contract_not_found");
    expectProblem(await as.provider.post(`/api/v1/contracts/${id}/suspend`, { reason: "" }), 400, "validation_failed");
    const suspended = await as.provider.post(`/api/v1/contracts/${id}/suspend`, { reason: "Unpaid invoice." });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id, status: "Suspended", reason: "Unpaid invoice." });
    expect((await as.consumer.get(`/api/v1/contracts/${id}/history`)).body.contract.suspensionReason).toBe("Unpaid invoice.");
    expectProblem(await as.provider.post(`/api/v1/contracts/${id}/suspend`, { reason: "Again." }), 409, "invalid_state");

    // A suspended contract may still change plans.
    expect((await as.consumer.post(`/api/v1/contracts/${id}/plan-change`, { planVersionId: plans.silver })).body.outcome).toBe("changed");

    expectProblem(await as.consumer.post(`/api/v1/contracts/${id}/resume`), 403, "forbidden");
    const resumed = await as.provider.post(`/api/v1/contracts/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ status: "Active", reason: null });
    expectProblem(await as.provider.post(`/api/v1/contracts/${id}/resume`), 409, "invalid_state");
  });

  it("sets and removes an end date in the future", async () => {
    const id = await activeContract("Ending");
    const path = `/api/v1/contracts/${id}/end-date`;
    const endsAt = new Date(Date.now() + 10 * DAY).toISOString();
    expectProblem(await as.consumer.put(path, { endsAt }), 403, "forbidden");
    const past = await as.provider.put(path, { endsAt: new Date(Date.now() - DAY).toISOString() });
    expectProblem(past, 400, "validation_failed");
    expect(past.body.fields.endsAt).toBe("Choose a moment in the future.");
    const malformed = await as.provider.put(path, { endsAt: "next week" });
    expectProblem(malformed, 400, "validation_failed");
    expect(malformed.body.fields.endsAt).toBeDefined();
    expectProblem(await as.provider.put(path, {}), 400, "validation_failed");

    const set = await as.provider.put(path, { endsAt });
    expect(set.status).toBe(200);
    expect(Date.parse(set.body.endsAt)).toBe(Date.parse(endsAt));
    const removed = await as.provider.put(path, { endsAt: null });
    expect(removed.body.endsAt).toBeNull();
    const kinds = (await as.provider.get(`/api/v1/contracts/${id}/history`)).body.events.map((event: { kind: string }) => event.kind);
    expect(kinds.filter((kind: string) => kind === "end_date_set")).toHaveLength(2);
  });

  it("refuses a read token", async () => {
    const id = await activeContract("Read only");
    const read = apiClient(server, await tokenFor(provider, "read"));
    expectProblem(await read.post(`/api/v1/contracts/${id}/suspend`, { reason: "No." }), 403, "token_read_only");
    expectProblem(await read.put(`/api/v1/contracts/${id}/end-date`, { endsAt: null }), 403, "token_read_only");
    expectProblem(await read.post(`/api/v1/contracts/${id}/move`, { planVersionId: plans.silver }), 403, "token_read_only");
  });
});

describe("imported API keys", () => {
  const key = (suffix: string) => `imported-key-${suffix}-${"x".repeat(32)}`;

  it("lets an owner bring a client's key and a version's key", async () => {
    const orgSlug = consumerOrg;
    const created = await as.consumer.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Imported", apiKey: key("first") });
    expect(created.status).toBe(201);
    const base = `/api/v1/orgs/${created.body.org.slug}/clients/${created.body.slug}/versions`;
    expect((await as.consumer.get(`${base}/1.0/key`)).body.apiKey).toBe(key("first"));
    const version = await as.consumer.post(base, { version: "2.0", apiKey: key("second") });
    expect(version.status).toBe(201);
    expect((await as.consumer.get(`${base}/2.0/key`)).body.apiKey).toBe(key("second"));
  });

  it("refuses a non-owner, a malformed key and a key in use", async () => {
    const orgSlug = consumerOrg;
    expectProblem(await as.member.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Not mine", apiKey: key("member") }), 403, "forbidden");
    for (const apiKey of ["short", `${"x".repeat(40)} spaces`, "x".repeat(129)]) {
      const malformed = await as.consumer.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Malformed", apiKey });
      expectProblem(malformed, 400, "validation_failed");
      expect(malformed.body.fields.apiKey).toBeDefined();
    }
    await as.consumer.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Taken once", apiKey: key("taken") });
    const taken = await as.consumer.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Taken twice", apiKey: key("taken") });
    expectProblem(taken, 409, "key_taken");
    expect(taken.body.fields.apiKey).toBeDefined();
    const client = await as.member.post(`/api/v1/orgs/${orgSlug}/clients`, { name: "Member's own" });
    expect(client.status).toBe(201);
    expectProblem(await as.member.post(`/api/v1/orgs/${orgSlug}/clients/${client.body.slug}/versions`, { version: "2.0", apiKey: key("member2") }), 403, "forbidden");
  });
});

describe("plan versions' duration and terms", () => {
  it("are set at creation, shown, and changed with If-Match until the version is locked", async () => {
    const created = await as.provider.post(`/api/v1/orgs/${org.slug}/plans`, { slug: "pilot", name: "Pilot", durationDays: 14, terms: "Pilot terms." });
    expect(created.status).toBe(201);
    const path = `/api/v1/orgs/${org.slug}/plans/pilot/versions/1.0`;
    const read = await as.provider.get(path);
    expect(read.body).toMatchObject({ durationDays: 14, terms: "Pilot terms." });
    const etag = read.headers.get("etag")!;

    expectProblem(await as.provider.patch(path, { durationDays: 0 }), 400, "validation_failed");
    expectProblem(await as.provider.patch(path, { durationDays: 7 }, { headers: { "if-match": '"stale"' } }), 412, "precondition_failed");
    const changed = await as.provider.patch(path, { durationDays: null, terms: "" }, { headers: { "if-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ durationDays: null, terms: "" });
    expect(changed.headers.get("etag")).toBeTruthy();
    // The terms are part of the version: the ETag read before the change is stale now.
    expect(changed.headers.get("etag")).not.toBe(etag);
    expectProblem(await as.provider.patch(path, { terms: "Overwrite." }, { headers: { "if-match": etag } }), 412, "precondition_failed");
    expect((await as.provider.patch(path, { terms: "New terms." })).body.terms).toBe("New terms.");

    const copied = await as.provider.post(`/api/v1/orgs/${org.slug}/plans/pilot/versions`, { version: "2.0", copyFrom: "1.0" });
    expect(copied.body).toMatchObject({ durationDays: null, terms: "New terms." });
    const fresh = await as.provider.post(`/api/v1/orgs/${org.slug}/plans/pilot/versions`, { version: "3.0", durationDays: 90 });
    expect(fresh.body).toMatchObject({ durationDays: 90, terms: "" });

    await as.provider.post(`${path}/lock`);
    expectProblem(await as.provider.patch(path, { terms: "Too late." }), 409, "invalid_state");
    expectProblem(await as.consumer.patch(path, { terms: "Mine." }), 404, "not_found");
    expectProblem(await apiClient(server, await tokenFor(provider, "read")).patch(path, { terms: "Read." }), 403, "token_read_only");
  });
});

describe("GET /api/v1/me/clients?ended=true", () => {
  it("adds ended contracts only when asked", async () => {
    const { client, version } = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Zz Ended" });
    const withdrawn = await createContract(db, consumer, { clientVersionId: version.id, apiVersionId, planVersionId: plans.gold });
    await withdrawContract(db, consumer, withdrawn.id);
    const contractsOf = async (query: string) => {
      const answer = await as.consumer.get(`/api/v1/me/clients?limit=100${query}`);
      expect(answer.status).toBe(200);
      return answer.body.data.find((row: { id: string }) => row.id === client.id)?.selected.contracts ?? [];
    };
    expect(await contractsOf("")).toEqual([]);
    expect(await contractsOf("&ended=false")).toEqual([]);
    expect(await contractsOf("&ended=true")).toEqual([expect.objectContaining({ id: withdrawn.id, status: "Withdrawn", endsAt: null, pendingPlanVersionId: null })]);
    expectProblem(await as.consumer.get("/api/v1/me/clients?ended=yes"), 400, "validation_failed");
  });
});
