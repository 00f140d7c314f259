import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { contracts } from "@/db/schema";
import { canSeeApiVersion, findApiVersion } from "../apis/records";
import { audit, notify } from "../audit";
import { findClientVersion } from "../clients/records";
import { DomainError, parseInput } from "../errors";
import { publishChanges } from "../events";
import { type Actor, hasPermission, membersHoldingPermission, requirePermission } from "../permissions";
import { multilineText, TEXT_LIMITS } from "../text";
import { describeContract, endOfTerm, findOffer, hasTerms, loadContract, requireTermsAccepted } from "./context";
import { findLiveContractStatus, signingRefusal } from "./eligibility";
import { recordContractEvents } from "./history";
import { DECIDING_PERMISSION, requireDecider } from "./visibility";

export type Contract = typeof contracts.$inferSelect;

/** Why a request is rejected or a contract broken by the provider: the consumer is shown it. */
export const contractReasonSchema = multilineText({ max: TEXT_LIMITS.reason, min: 1, minMessage: "A reason is required" });

const createContractSchema = z.object({
  clientVersionId: z.string().uuid(),
  apiVersionId: z.string().uuid(),
  planVersionId: z.string().uuid(),
  /** Required (true) when the plan version has terms of use. */
  acceptTerms: z.boolean().optional(),
});

/**
 * Signs a contract between a client version and an API version through a plan the API version offers.
 * The checks run in the order of the spec, each failure with its own code; then the plan's terms of
 * use, when it has some, must be accepted. A plan with a duration gives the contract an end date,
 * counted from when it becomes active.
 */
export async function createContract(db: Db, actor: Actor, input: z.input<typeof createContractSchema>, now = new Date()): Promise<Contract> {
  const { acceptTerms, ...data } = parseInput(createContractSchema, input);
  let contract: Contract;
  try {
    contract = await db.transaction(async (tx) => {
      const client = await findClientVersion(tx, data.clientVersionId);
      if (client && !hasPermission(actor, client.client.orgId, "clientEdit")) throw new DomainError("forbidden", "You may not edit that client.");
      if (!client) throw new DomainError("client_not_found");

      const found = await findApiVersion(tx, data.apiVersionId);
      const api = found && canSeeApiVersion(actor, found.api, found.version) ? found : undefined;
      const offer = await findOffer(tx, data.apiVersionId, data.planVersionId);
      const refusal = signingRefusal({
        clientVersion: client.version,
        apiVersion: api?.version,
        offer: offer ?? null,
        liveContractStatus: await findLiveContractStatus(tx, data.clientVersionId, data.apiVersionId),
      });
      if (refusal || !api || !offer) throw new DomainError(refusal?.code ?? "api_not_found");
      requireTermsAccepted(offer, acceptTerms);

      const needsApproval = offer.requiresApproval && !hasPermission(actor, api.api.orgId, DECIDING_PERMISSION);
      const [created] = await tx
        .insert(contracts)
        .values({
          ...data,
          status: needsApproval ? "AwaitingApproval" : "Active",
          createdById: actor.userId,
          createdAt: now,
          // A request's term starts when it is approved.
          ...(needsApproval ? {} : { decidedAt: now, endsAt: endOfTerm(now, offer.durationDays) }),
        })
        .returning();
      await recordContractEvents(
        tx,
        created.id,
        { kind: "requested", actorId: actor.userId, at: now, planVersionId: data.planVersionId },
        ...(hasTerms(offer) ? [{ kind: "terms_accepted" as const, actorId: actor.userId, at: now, planVersionId: data.planVersionId }] : []),
      );
      await audit(tx, actor, {
        orgId: client.client.orgId,
        action: "contract.created",
        entityType: "contract",
        entityId: created.id,
        details: { client: client.client.slug, clientVersion: client.version.version, api: api.api.slug, apiVersion: api.version.version, plan: offer.planName, status: created.status },
      });
      if (api.api.orgId !== client.client.orgId) {
        await audit(tx, actor, { orgId: api.api.orgId, action: "contract.created", entityType: "contract", entityId: created.id, details: { client: client.client.name, api: api.api.slug, apiVersion: api.version.version, plan: offer.planName, status: created.status } });
      }
      if (needsApproval) {
        await notify(tx, await membersHoldingPermission(tx, api.api.orgId, DECIDING_PERMISSION), {
          kind: "approval_requested",
          text: `${actor.name} asks for the ${offer.planName} plan of ${api.api.name} ${api.version.version} for ${client.client.name}.`,
          // Naming the contract lets the notification resolve once the request is decided.
          link: `/manage/approvals?contract=${created.id}`,
        });
      }
      return created;
    });
  } catch (error) {
    // Two racing requests: the unique partial index lets exactly one through.
    if (isUniqueViolation(error, "contracts_live_idx")) throw new DomainError("contract_exists");
    throw error;
  }
  await publishChanges({ kind: "contract", id: contract.id });
  return contract;
}

function requireAwaitingDecision(actor: Actor, ctx: Awaited<ReturnType<typeof loadContract>>): void {
  requireDecider(actor, ctx.apiOrgId);
  if (ctx.contract.status !== "AwaitingApproval") throw new DomainError("invalid_state", "That contract is not awaiting approval.");
}

/** A plan administrator of the API's organization accepts a request; its term, if the plan has one, starts now. */
export async function approveContract(db: Db, actor: Actor, contractId: string, now = new Date()): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requireAwaitingDecision(actor, ctx);
    const offer = await findOffer(tx, ctx.contract.apiVersionId, ctx.contract.planVersionId);
    const endsAt = endOfTerm(now, offer?.durationDays ?? null);
    await tx.update(contracts).set({ status: "Active", decidedById: actor.userId, decidedAt: now, endsAt, expiryWarnedDays: null }).where(eq(contracts.id, id));
    await recordContractEvents(tx, id, { kind: "approved", actorId: actor.userId, at: now, planVersionId: ctx.contract.planVersionId, endsAt });
    await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.approved", entityType: "contract", entityId: id, details: { contract: describeContract(ctx) } });
    if (ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_approved", text: `Your contract ${describeContract(ctx)} was approved.`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id });
}

const rejectSchema = z.object({ contractId: z.string().uuid(), reason: contractReasonSchema });

export async function rejectContract(db: Db, actor: Actor, input: z.input<typeof rejectSchema>, now = new Date()): Promise<void> {
  const data = parseInput(rejectSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireAwaitingDecision(actor, ctx);
    await tx.update(contracts).set({ status: "Rejected", decidedById: actor.userId, decidedAt: now, reason: data.reason }).where(eq(contracts.id, data.contractId));
    await recordContractEvents(tx, data.contractId, { kind: "rejected", actorId: actor.userId, at: now, reason: data.reason });
    await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.rejected", entityType: "contract", entityId: data.contractId, details: { contract: describeContract(ctx), reason: data.reason } });
    if (ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_rejected", text: `Your contract ${describeContract(ctx)} was rejected: ${data.reason}`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

/** The consumer takes back a request that awaits approval. */
export async function withdrawContract(db: Db, actor: Actor, contractId: string, now = new Date()): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requirePermission(actor, ctx.clientOrgId, "clientEdit");
    if (ctx.contract.status !== "AwaitingApproval") throw new DomainError("invalid_state", "Only a request awaiting approval can be withdrawn.");
    await tx.update(contracts).set({ status: "Withdrawn", endedById: actor.userId, endedAt: now }).where(eq(contracts.id, id));
    await recordContractEvents(tx, id, { kind: "withdrawn", actorId: actor.userId, at: now });
    await audit(tx, actor, { orgId: ctx.clientOrgId, action: "contract.withdrawn", entityType: "contract", entityId: id, details: { contract: describeContract(ctx) } });
  });
  await publishChanges({ kind: "contract", id });
}

const breakSchema = z.object({
  contractId: z.string().uuid(),
  reason: multilineText({ max: TEXT_LIMITS.reason }).optional(),
  /** Which side ends it; inferred from the actor's permissions when absent (client side first). */
  side: z.enum(["client", "api"]).optional(),
});

/** Fields that end a contract: a pending plan change goes with it. */
const NO_PENDING_PLAN = { pendingPlanVersionId: null, pendingPlanRequestedById: null, pendingPlanRequestedAt: null } as const;

/**
 * Ends an active or suspended contract at once. The client side needs clientEdit; the API side
 * needs apiAdmin and a reason, which the consumer is shown. A pending plan change ends with it.
 */
export async function breakContract(db: Db, actor: Actor, input: z.input<typeof breakSchema>, now = new Date()): Promise<void> {
  const data = parseInput(breakSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    const side = data.side ?? (hasPermission(actor, ctx.clientOrgId, "clientEdit") ? "client" : "api");
    if (side === "client") {
      requirePermission(actor, ctx.clientOrgId, "clientEdit");
    } else {
      requirePermission(actor, ctx.apiOrgId, "apiAdmin");
      parseInput(z.object({ reason: contractReasonSchema }), { reason: data.reason ?? "" });
    }
    if (ctx.contract.status !== "Active" && ctx.contract.status !== "Suspended") throw new DomainError("invalid_state", "Only an active or suspended contract can be broken.");
    const reason = data.reason || null;
    await tx.update(contracts).set({ status: "Broken", endedById: actor.userId, endedAt: now, reason, ...NO_PENDING_PLAN }).where(eq(contracts.id, data.contractId));
    await recordContractEvents(tx, data.contractId, { kind: "broken", actorId: actor.userId, at: now, reason });
    const details = { contract: describeContract(ctx), reason, side };
    await audit(tx, actor, { orgId: ctx.clientOrgId, action: "contract.broken", entityType: "contract", entityId: data.contractId, details });
    if (ctx.apiOrgId !== ctx.clientOrgId) await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.broken", entityType: "contract", entityId: data.contractId, details });
    if (side === "api" && ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_broken", text: `The provider ended your contract ${describeContract(ctx)}: ${reason}`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

/**
 * Signs, for a new client version, the pending and active contracts of another version of the same
 * client; each copy goes through the contract rules again. A suspended contract is not copied: the
 * copy would escape the suspension. The plan's terms count as accepted: this client accepted them
 * for this plan already. Returns the new contracts' ids.
 */
export async function copyLiveContracts(tx: Db, actor: Actor, fromClientVersionId: string, toClientVersionId: string): Promise<string[]> {
  const live = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.clientVersionId, fromClientVersionId), inArray(contracts.status, ["AwaitingApproval", "Active"])));
  const ids: string[] = [];
  for (const contract of live) {
    const copy = await createContract(tx, actor, { clientVersionId: toClientVersionId, apiVersionId: contract.apiVersionId, planVersionId: contract.planVersionId, acceptTerms: true });
    ids.push(copy.id);
  }
  return ids;
}
