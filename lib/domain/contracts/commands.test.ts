import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, contracts, notifications, planVersions } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion, retireApiVersion } from "../apis";
import { retireClientVersion } from "../clients";
import { approveContract, breakContract, createContract, rejectContract, withdrawContract } from "../contracts";
import { DomainError } from "../errors";
import { onChanges } from "../events";
import { addMember } from "../organizations";
import type { Actor } from "../permissions";
import { makeClient, makeLockedPlan, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let orgId: string;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ org: { id: orgId }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
  consumer = await makeUser(db, "portal");
});
afterAll(() => open.close());

async function expectCode(promise: Promise<unknown>, code: string, status?: number) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (status) expect((error as DomainError).status).toBe(status);
}

describe("createContract checks, in the spec's order", () => {
  it("forbidden (403) when the actor may not edit the client", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const stranger = await makeUser(db, "portal");
    await expectCode(createContract(db, stranger, { clientVersionId, apiVersionId, planVersionId }), "forbidden", 403);
  });

  it("forbidden for a viewer of the client's organization, who may only look", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, provider, orgId);
    const viewer = await makeUser(db, "manager");
    await addMember(db, provider, { orgId, email: viewer.email, role: "viewer" });
    await expectCode(createContract(db, await refresh(db, viewer), { clientVersionId, apiVersionId, planVersionId }), "forbidden");
  });

  it("client_not_found (404) when the client version does not exist", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    await expectCode(createContract(db, consumer, { clientVersionId: crypto.randomUUID(), apiVersionId, planVersionId }), "client_not_found", 404);
  });

  it("client_retired (409) when the client version is retired, even if the API is missing", async () => {
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await retireClientVersion(db, consumer, clientVersionId);
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId: crypto.randomUUID(), planVersionId: crypto.randomUUID() }), "client_retired", 409);
  });

  it("api_not_found (404) when the API version does not exist or is not visible to the actor", async () => {
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId: crypto.randomUUID(), planVersionId: crypto.randomUUID() }), "api_not_found", 404);
    const { version } = await createApi(db, provider, { orgId, slug: "unpublished-draft", name: "Draft", endpoint: "http://127.0.0.1:9" });
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId: version.id, planVersionId: crypto.randomUUID() }), "api_not_found");
  });

  it("api_not_published (409) when the API version is not published (the provider can see a draft)", async () => {
    const { clientVersionId } = await makeClient(db, provider, orgId);
    const { planVersionId } = await makeLockedPlan(db, provider, orgId);
    const { version } = await createApi(db, provider, { orgId, slug: "draft-api", name: "Draft", endpoint: "http://127.0.0.1:9" });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId });
    await expectCode(createContract(db, provider, { clientVersionId, apiVersionId: version.id, planVersionId }), "api_not_published", 409);
  });

  it("api_not_published for a retired API version", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    await retireApiVersion(db, provider, apiVersionId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId }), "api_not_published");
  });

  it("api_is_public (409) for a public API", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: "public-echo", name: "Echo", endpoint: "http://127.0.0.1:9", isPublic: true });
    await publishApiVersion(db, provider, version.id);
    const { planVersionId } = await makeLockedPlan(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId: version.id, planVersionId }), "api_is_public", 409);
  });

  it("plan_not_offered (404) for a plan this API version does not offer", async () => {
    const { apiVersionId } = await makePublishedApi(db, provider, orgId);
    const other = await makeLockedPlan(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId: other.planVersionId }), "plan_not_offered", 404);
  });

  it("plan_not_locked (409) when the offered plan version is somehow not locked", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    // Only reachable through data written outside the rules; the check guards it anyway.
    await db.update(planVersions).set({ status: "Created" }).where(eq(planVersions.id, planVersionId));
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId }), "plan_not_locked", 409);
  });

  it("contract_exists (409) for a second live contract with the same API version, whatever the plan", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const api = await db.query.apiVersions.findFirst({ where: (v, { eq }) => eq(v.id, apiVersionId) });
    expect(api).toBeDefined();
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId }), "contract_exists", 409);
  });

  it("contract_exists also when the live contract is only awaiting approval, and a new one is allowed once it is withdrawn", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const pending = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId }), "contract_exists");
    await withdrawContract(db, consumer, pending.id);
    const again = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    expect(again.status).toBe("AwaitingApproval");
  });

  it("checks the client before the API: a forbidden actor learns nothing about the API", async () => {
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const stranger = await makeUser(db, "portal");
    await expectCode(createContract(db, stranger, { clientVersionId, apiVersionId: crypto.randomUUID(), planVersionId: crypto.randomUUID() }), "forbidden");
  });

  it("rejects malformed ids with validation_failed", async () => {
    await expectCode(createContract(db, consumer, { clientVersionId: "x", apiVersionId: "y", planVersionId: "z" }), "validation_failed", 400);
  });
});

describe("createContract outcome", () => {
  it("is Active without approval, writes an audit event and tells the gateway", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    stop();
    expect(contract.status).toBe("Active");
    expect(seen).toContain(`contract:${contract.id}`);
    const events = await db.select().from(auditEvents).where(eq(auditEvents.entityId, contract.id));
    expect(events.map((e) => e.action)).toContain("contract.created");
  });

  it("awaits approval when the plan requires it and notifies the approvers", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    expect(contract.status).toBe("AwaitingApproval");
    const inbox = await db.select().from(notifications).where(eq(notifications.recipientId, provider.userId));
    expect(inbox.some((n) => n.kind === "approval_requested" && n.text.includes(consumer.name))).toBe(true);
  });

  it("is Active at once when a plan admin of the API's organization signs, even if approval is required", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, provider, orgId);
    expect((await createContract(db, provider, { clientVersionId, apiVersionId, planVersionId })).status).toBe("Active");
  });

  it("is Active at once for an admin", async () => {
    const admin = await makeUser(db, "admin");
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, admin, personalOrgId(admin));
    expect((await createContract(db, admin, { clientVersionId, apiVersionId, planVersionId })).status).toBe("Active");
  });

  it("20 concurrent identical requests create exactly one contract; the others get contract_exists", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(19);
    for (const f of failed) expect((f.reason as DomainError).code).toBe("contract_exists");
    const rows = await db.select().from(contracts).where(eq(contracts.clientVersionId, clientVersionId));
    expect(rows).toHaveLength(1);
  });
});

describe("approval", () => {
  async function pending() {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    return createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
  }

  it("a plan admin approves; the requester is notified; the contract becomes Active", async () => {
    const contract = await pending();
    await approveContract(db, provider, contract.id);
    const [row] = await db.select().from(contracts).where(eq(contracts.id, contract.id));
    expect(row.status).toBe("Active");
    expect(row.decidedById).toBe(provider.userId);
    const inbox = await db.select().from(notifications).where(eq(notifications.recipientId, consumer.userId));
    expect(inbox.some((n) => n.kind === "contract_approved")).toBe(true);
  });

  it("rejecting needs a reason, which is kept and sent to the requester", async () => {
    const contract = await pending();
    await expectCode(rejectContract(db, provider, { contractId: contract.id, reason: "  " }), "validation_failed");
    await rejectContract(db, provider, { contractId: contract.id, reason: "Use the bronze plan" });
    const [row] = await db.select().from(contracts).where(eq(contracts.id, contract.id));
    expect(row).toMatchObject({ status: "Rejected", reason: "Use the bronze plan" });
    const inbox = await db.select().from(notifications).where(eq(notifications.recipientId, consumer.userId));
    expect(inbox.some((n) => n.kind === "contract_rejected" && n.text.includes("Use the bronze plan"))).toBe(true);
  });

  it("only AwaitingApproval contracts can be decided", async () => {
    const contract = await pending();
    await approveContract(db, provider, contract.id);
    await expectCode(approveContract(db, provider, contract.id), "invalid_state");
    await expectCode(rejectContract(db, provider, { contractId: contract.id, reason: "late" }), "invalid_state");
  });

  it("the consumer cannot approve their own request, nor can a manager of another organization", async () => {
    const contract = await pending();
    await expectCode(approveContract(db, consumer, contract.id), "forbidden");
    const otherManager = (await makeOrg(db, await makeUser(db, "manager"))).owner;
    await expectCode(approveContract(db, otherManager, contract.id), "contract_not_found");
  });

  it("a client-developer of the API's organization sees the request but may not decide it", async () => {
    const contract = await pending();
    const clientDev = await makeUser(db, "manager");
    await addMember(db, provider, { orgId, email: clientDev.email, role: "viewer" });
    await expectCode(approveContract(db, await refresh(db, clientDev), contract.id), "forbidden");
  });

  it("an admin approves anywhere", async () => {
    const contract = await pending();
    await approveContract(db, await makeUser(db, "admin"), contract.id);
  });
});

describe("withdraw and break", () => {
  it("withdraw applies only to pending requests and only for the client's side", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId, { requiresApproval: true });
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(withdrawContract(db, await makeUser(db, "portal"), contract.id), "contract_not_found");
    await withdrawContract(db, consumer, contract.id);
    await expectCode(withdrawContract(db, consumer, contract.id), "invalid_state");
  });

  it("the consumer breaks an active contract; it cannot be broken twice", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await breakContract(db, consumer, { contractId: contract.id });
    const [row] = await db.select().from(contracts).where(eq(contracts.id, contract.id));
    expect(row.status).toBe("Broken");
    await expectCode(breakContract(db, consumer, { contractId: contract.id }), "invalid_state");
  });

  it("the provider breaks with a reason that the consumer is told; without one it is refused", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(breakContract(db, provider, { contractId: contract.id }), "validation_failed");
    await breakContract(db, provider, { contractId: contract.id, reason: "Abuse detected" });
    const inbox = await db.select().from(notifications).where(eq(notifications.recipientId, consumer.userId));
    expect(inbox.some((n) => n.kind === "contract_broken" && n.text.includes("Abuse detected"))).toBe(true);
  });

  it("an admin breaking from the API's side must give a reason, and the consumer is told", async () => {
    const admin = await makeUser(db, "admin");
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(breakContract(db, admin, { contractId: contract.id, side: "api" }), "validation_failed");
    await breakContract(db, admin, { contractId: contract.id, side: "api", reason: "Plan discontinued" });
    const inbox = await db.select().from(notifications).where(eq(notifications.recipientId, consumer.userId));
    expect(inbox.some((n) => n.kind === "contract_broken" && n.text.includes("Plan discontinued"))).toBe(true);
  });

  it("a provider may not break from the client's side of someone else's client", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(breakContract(db, provider, { contractId: contract.id, side: "client" }), "forbidden");
  });

  it("a stranger cannot break someone else's contract", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, orgId);
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await expectCode(breakContract(db, await makeUser(db, "portal"), { contractId: contract.id, reason: "x" }), "contract_not_found");
  });

  it("every create, approval, rejection, withdrawal and break is audited", async () => {
    const rows = await db.select({ action: auditEvents.action }).from(auditEvents);
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ["contract.created", "contract.approved", "contract.rejected", "contract.withdrawn", "contract.broken"]) {
      expect(actions).toContain(action);
    }
  });
});
