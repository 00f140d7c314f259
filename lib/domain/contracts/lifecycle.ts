import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { contracts, plans, planVersions } from "@/db/schema";
import { audit, notify } from "../audit";
import { DomainError, isDomainError, parseInput } from "../errors";
import { publishChanges } from "../events";
import { type Actor, hasPermission, membersHoldingPermission, requirePermission } from "../permissions";
import { multilineText, TEXT_LIMITS } from "../text";
import { approveContract, type Contract, contractReasonSchema, rejectContract } from "./commands";
import { type ContractContext, describeContract, endOfTerm, findOffer, hasTerms, loadContract, type Offer, requireTermsAccepted } from "./context";
import { type ContractEventInput, recordContractEvents } from "./history";
import { RUNNING_CONTRACT_STATUSES } from "./statuses";
import { DECIDING_PERMISSION, requireDecider } from "./visibility";

/*
 * What happens to a contract while it runs: plan changes (asked by the consumer, decided like a
 * request, or made by the provider), suspension, and end dates. Each change locks the contract row,
 * so that two actors cannot both act on the state they read.
 */

/** Suspending, resuming, moving plans and setting end dates belong to whoever breaks contracts from the API side. */
export const PROVIDER_PERMISSION = "apiAdmin";

function requireProvider(actor: Actor, ctx: ContractContext, message: string): void {
  requirePermission(actor, ctx.apiOrgId, PROVIDER_PERMISSION, message);
}

function requireRunning(ctx: ContractContext, message: string): void {
  if (!RUNNING_CONTRACT_STATUSES.includes(ctx.contract.status)) throw new DomainError("invalid_state", message);
}

/** Audits on both sides of the contract (once when they are the same organization). */
async function auditBothSides(tx: Queryable, actor: Actor, ctx: ContractContext, action: string, details: Record<string, unknown>): Promise<void> {
  const entry = { action, entityType: "contract", entityId: ctx.contract.id, details: { contract: describeContract(ctx), ...details } };
  await audit(tx, actor, { orgId: ctx.clientOrgId, ...entry });
  if (ctx.apiOrgId !== ctx.clientOrgId) await audit(tx, actor, { orgId: ctx.apiOrgId, ...entry });
}

/** The consumer's side: who signed the contract and, for plan-change outcomes, who asked for the change. */
function consumers(ctx: ContractContext): string[] {
  return [ctx.contract.createdById, ctx.contract.pendingPlanRequestedById].filter((id): id is string => id !== null);
}

/** A plan version's plan name, as sentences name it ("a plan change to Gold"). */
async function planLabel(tx: Queryable, planVersionId: string): Promise<string> {
  const [row] = await tx.select({ name: plans.name }).from(planVersions).innerJoin(plans, eq(plans.id, planVersions.planId)).where(eq(planVersions.id, planVersionId));
  return row ? row.name : "another plan";
}

/** The target of a plan change: offered by the contract's API version, locked, and not the current plan. */
async function requireTargetOffer(tx: Queryable, ctx: ContractContext, planVersionId: string): Promise<Offer> {
  if (planVersionId === ctx.contract.planVersionId) throw new DomainError("invalid_state", `The contract is already on the ${ctx.planName} plan.`);
  const offer = await findOffer(tx, ctx.contract.apiVersionId, planVersionId);
  if (!offer) throw new DomainError("plan_not_offered");
  if (offer.planStatus !== "Locked") throw new DomainError("plan_not_locked");
  return offer;
}

/**
 * Puts the contract on another plan version now. The end date is kept unless the new plan has a
 * duration, which then starts over from now: a trial plan gives its full trial, and a plan without
 * one does not silently lift an end the provider set.
 */
async function switchPlan(tx: Queryable, ctx: ContractContext, planVersionId: string, offer: Offer, now: Date): Promise<Date | null> {
  const endsAt = offer.durationDays === null ? ctx.contract.endsAt : endOfTerm(now, offer.durationDays);
  const endChanged = endsAt?.getTime() !== ctx.contract.endsAt?.getTime();
  await tx
    .update(contracts)
    .set({ planVersionId, endsAt, ...(endChanged ? { expiryWarnedDays: null } : {}), pendingPlanVersionId: null, pendingPlanRequestedById: null, pendingPlanRequestedAt: null })
    .where(eq(contracts.id, ctx.contract.id));
  return endsAt;
}

const planChangeSchema = z.object({
  contractId: z.string().uuid(),
  planVersionId: z.string().uuid(),
  /** Required (true) when the target plan version has terms of use. */
  acceptTerms: z.boolean().optional(),
});

export interface PlanChangeOutcome {
  /** `changed`: the contract is on the new plan now; `pending`: the change awaits approval. */
  outcome: "changed" | "pending";
  contract: Contract;
}

/**
 * The consumer (clientEdit in the client's organization) asks to move an active or suspended
 * contract to another plan its API version offers. Immediate when the offer needs no approval or
 * the actor may decide; otherwise it waits for a plan administrator, one change at a time.
 */
export async function requestPlanChange(db: Db, actor: Actor, input: z.input<typeof planChangeSchema>, now = new Date()): Promise<PlanChangeOutcome> {
  const data = parseInput(planChangeSchema, input);
  const result = await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requirePermission(actor, ctx.clientOrgId, "clientEdit", "You may not edit that client.");
    requireRunning(ctx, "Only an active or suspended contract can change plans.");
    if (ctx.contract.pendingPlanVersionId) {
      throw new DomainError("invalid_state", `A plan change to ${await planLabel(tx, ctx.contract.pendingPlanVersionId)} is already awaiting approval.`);
    }
    if (ctx.apiVersionStatus !== "Published") throw new DomainError("api_not_published");
    const offer = await requireTargetOffer(tx, ctx, data.planVersionId);
    requireTermsAccepted(offer, data.acceptTerms);

    const accepted: ContractEventInput[] = hasTerms(offer) ? [{ kind: "terms_accepted", actorId: actor.userId, at: now, planVersionId: data.planVersionId }] : [];
    const from = ctx.contract.planVersionId;
    const immediate = !offer.requiresApproval || hasPermission(actor, ctx.apiOrgId, DECIDING_PERMISSION);
    if (immediate) {
      const endsAt = await switchPlan(tx, ctx, data.planVersionId, offer, now);
      await recordContractEvents(tx, ctx.contract.id, ...accepted, { kind: "plan_changed", actorId: actor.userId, at: now, planVersionId: data.planVersionId, fromPlanVersionId: from, endsAt });
      await auditBothSides(tx, actor, ctx, "contract.plan_changed", { from: ctx.planName, to: offer.planName });
    } else {
      await tx.update(contracts).set({ pendingPlanVersionId: data.planVersionId, pendingPlanRequestedById: actor.userId, pendingPlanRequestedAt: now }).where(eq(contracts.id, ctx.contract.id));
      await recordContractEvents(tx, ctx.contract.id, ...accepted, { kind: "plan_change_requested", actorId: actor.userId, at: now, planVersionId: data.planVersionId, fromPlanVersionId: from });
      await auditBothSides(tx, actor, ctx, "contract.plan_change_requested", { from: ctx.planName, to: offer.planName });
      await notify(tx, await membersHoldingPermission(tx, ctx.apiOrgId, DECIDING_PERMISSION), {
        kind: "plan_change_requested",
        text: `${actor.name} asks to move ${describeContract(ctx)} to the ${offer.planName} plan.`,
        link: `/manage/approvals?contract=${ctx.contract.id}`,
      });
    }
    const [contract] = await tx.select().from(contracts).where(eq(contracts.id, ctx.contract.id));
    return { outcome: immediate ? ("changed" as const) : ("pending" as const), contract };
  });
  await publishChanges({ kind: "contract", id: data.contractId });
  return result;
}

const NOT_PENDING = "That contract has no plan change awaiting approval.";

/** The consumer (clientEdit in the client's organization) takes back a plan change that awaits approval. */
export async function cancelPlanChange(db: Db, actor: Actor, contractId: string, now = new Date()): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requirePermission(actor, ctx.clientOrgId, "clientEdit", "You may not edit that client.");
    const pending = ctx.contract.pendingPlanVersionId;
    if (!pending) throw new DomainError("invalid_state", NOT_PENDING);
    await tx.update(contracts).set({ pendingPlanVersionId: null, pendingPlanRequestedById: null, pendingPlanRequestedAt: null }).where(eq(contracts.id, id));
    await recordContractEvents(tx, id, { kind: "plan_change_cancelled", actorId: actor.userId, at: now, planVersionId: pending, fromPlanVersionId: ctx.contract.planVersionId });
    await auditBothSides(tx, actor, ctx, "contract.plan_change_cancelled", { to: await planLabel(tx, pending) });
  });
  await publishChanges({ kind: "contract", id });
}

/**
 * A plan administrator of the API's organization (DECIDING_PERMISSION) accepts the pending plan
 * change: the contract moves to the new plan and keeps its status (a suspended one stays suspended).
 */
export async function approvePlanChange(db: Db, actor: Actor, contractId: string, now = new Date()): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requireDecider(actor, ctx.apiOrgId);
    const pending = ctx.contract.pendingPlanVersionId;
    if (!pending) throw new DomainError("invalid_state", NOT_PENDING);
    const offer = await findOffer(tx, ctx.contract.apiVersionId, pending);
    if (!offer) throw new DomainError("plan_not_offered");
    const endsAt = await switchPlan(tx, ctx, pending, offer, now);
    await recordContractEvents(tx, id, { kind: "plan_change_approved", actorId: actor.userId, at: now, planVersionId: pending, fromPlanVersionId: ctx.contract.planVersionId, endsAt });
    await auditBothSides(tx, actor, ctx, "contract.plan_change_approved", { to: offer.planName });
    await notify(tx, consumers(ctx), { kind: "plan_change_approved", text: `The move of ${describeContract(ctx)} to the ${offer.planName} plan was approved.`, link: "/my-clients" });
  });
  await publishChanges({ kind: "contract", id });
}

const rejectPlanChangeSchema = z.object({ contractId: z.string().uuid(), reason: contractReasonSchema });

/** A plan administrator of the API's organization refuses the pending plan change, with a reason the consumer is shown; the plan stays. */
export async function rejectPlanChange(db: Db, actor: Actor, input: z.input<typeof rejectPlanChangeSchema>, now = new Date()): Promise<void> {
  const data = parseInput(rejectPlanChangeSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireDecider(actor, ctx.apiOrgId);
    const pending = ctx.contract.pendingPlanVersionId;
    if (!pending) throw new DomainError("invalid_state", NOT_PENDING);
    const target = await planLabel(tx, pending);
    await tx.update(contracts).set({ pendingPlanVersionId: null, pendingPlanRequestedById: null, pendingPlanRequestedAt: null }).where(eq(contracts.id, data.contractId));
    await recordContractEvents(tx, data.contractId, { kind: "plan_change_rejected", actorId: actor.userId, at: now, reason: data.reason, planVersionId: pending, fromPlanVersionId: ctx.contract.planVersionId });
    await auditBothSides(tx, actor, ctx, "contract.plan_change_rejected", { to: target, reason: data.reason });
    await notify(tx, consumers(ctx), { kind: "plan_change_rejected", text: `The move of ${describeContract(ctx)} to the ${target} plan was rejected: ${data.reason}`, link: "/my-clients" });
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

const movePlanSchema = z.object({
  contractId: z.string().uuid(),
  planVersionId: z.string().uuid(),
  reason: multilineText({ max: TEXT_LIMITS.reason }).optional(),
});

/**
 * An API administrator of the API's organization moves an active or suspended contract to another
 * offered plan at once; the consumer is told. A plan change the consumer had asked for is dropped.
 */
export async function movePlan(db: Db, actor: Actor, input: z.input<typeof movePlanSchema>, now = new Date()): Promise<void> {
  const data = parseInput(movePlanSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireProvider(actor, ctx, "Only an API administrator of the API's organization can move a contract to another plan.");
    requireRunning(ctx, "Only an active or suspended contract can be moved to another plan.");
    const offer = await requireTargetOffer(tx, ctx, data.planVersionId);
    const reason = data.reason || null;
    const events: ContractEventInput[] = [];
    if (ctx.contract.pendingPlanVersionId) {
      events.push({ kind: "plan_change_cancelled", actorId: actor.userId, at: now, planVersionId: ctx.contract.pendingPlanVersionId, fromPlanVersionId: ctx.contract.planVersionId, reason: `Replaced by the provider's move to ${offer.planName}.` });
    }
    const endsAt = await switchPlan(tx, ctx, data.planVersionId, offer, now);
    events.push({ kind: "plan_changed", actorId: actor.userId, at: now, planVersionId: data.planVersionId, fromPlanVersionId: ctx.contract.planVersionId, endsAt, reason });
    await recordContractEvents(tx, ctx.contract.id, ...events);
    await auditBothSides(tx, actor, ctx, "contract.plan_changed", { from: ctx.planName, to: offer.planName, reason, side: "api" });
    await notify(tx, consumers(ctx), {
      kind: "contract_plan_changed",
      text: `The provider moved your contract ${describeContract(ctx)} to the ${offer.planName} plan${reason ? `: ${reason}` : "."}`,
      link: "/my-clients",
    });
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

const suspendSchema = z.object({ contractId: z.string().uuid(), reason: contractReasonSchema });

/**
 * An API administrator of the API's organization pauses an active contract, with a reason the
 * consumer is shown. Plan, key, counters and any pending plan change are kept; the gateway refuses
 * it (contract_suspended) until it is resumed.
 */
export async function suspendContract(db: Db, actor: Actor, input: z.input<typeof suspendSchema>, now = new Date()): Promise<void> {
  const data = parseInput(suspendSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireProvider(actor, ctx, "Only an API administrator of the API's organization can suspend a contract.");
    if (ctx.contract.status !== "Active") throw new DomainError("invalid_state", "Only an active contract can be suspended.");
    await tx.update(contracts).set({ status: "Suspended", reason: data.reason }).where(eq(contracts.id, data.contractId));
    await recordContractEvents(tx, data.contractId, { kind: "suspended", actorId: actor.userId, at: now, reason: data.reason });
    await auditBothSides(tx, actor, ctx, "contract.suspended", { reason: data.reason });
    await notify(tx, consumers(ctx), { kind: "contract_suspended", text: `The provider suspended your contract ${describeContract(ctx)}: ${data.reason}`, link: "/my-clients" });
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

/** An API administrator of the API's organization lets a suspended contract through again; the reason is cleared. */
export async function resumeContract(db: Db, actor: Actor, contractId: string, now = new Date()): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requireProvider(actor, ctx, "Only an API administrator of the API's organization can resume a contract.");
    if (ctx.contract.status !== "Suspended") throw new DomainError("invalid_state", "Only a suspended contract can be resumed.");
    await tx.update(contracts).set({ status: "Active", reason: null }).where(eq(contracts.id, id));
    await recordContractEvents(tx, id, { kind: "resumed", actorId: actor.userId, at: now });
    await auditBothSides(tx, actor, ctx, "contract.resumed", {});
    await notify(tx, consumers(ctx), { kind: "contract_resumed", text: `The provider resumed your contract ${describeContract(ctx)}.`, link: "/my-clients" });
  });
  await publishChanges({ kind: "contract", id });
}

const endDateSchema = z.object({ contractId: z.string().uuid(), endsAt: z.date({ error: "Choose a date" }).nullable() });

/** "2026-12-31 18:00 UTC": one way to write a moment in notifications, whatever the reader's zone. */
export function formatMoment(moment: Date): string {
  return `${moment.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * An API administrator of the API's organization sets when an active or suspended contract ends
 * (a moment in the future), or removes its end (null). The expiry warnings start over.
 */
export async function setContractEndDate(db: Db, actor: Actor, input: z.input<typeof endDateSchema>, now = new Date()): Promise<void> {
  const data = parseInput(endDateSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireProvider(actor, ctx, "Only an API administrator of the API's organization can set a contract's end date.");
    requireRunning(ctx, "Only an active or suspended contract can be given an end date.");
    if (data.endsAt && data.endsAt.getTime() <= now.getTime()) {
      throw new DomainError("validation_failed", "endsAt: Choose a moment in the future.", { endsAt: "Choose a moment in the future." });
    }
    await tx.update(contracts).set({ endsAt: data.endsAt, expiryWarnedDays: null }).where(eq(contracts.id, data.contractId));
    await recordContractEvents(tx, data.contractId, { kind: "end_date_set", actorId: actor.userId, at: now, endsAt: data.endsAt });
    await auditBothSides(tx, actor, ctx, "contract.end_date_set", { endsAt: data.endsAt?.toISOString() ?? null });
    await notify(tx, consumers(ctx), {
      kind: "contract_end_date_set",
      text: data.endsAt ? `Your contract ${describeContract(ctx)} now ends on ${formatMoment(data.endsAt)}.` : `Your contract ${describeContract(ctx)} no longer has an end date.`,
      link: "/my-clients",
    });
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

const decisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve"), contractIds: z.array(z.string().uuid()).min(1, "Select at least one request").max(100) }),
  z.object({
    decision: z.literal("reject"),
    contractIds: z.array(z.string().uuid()).min(1, "Select at least one request").max(100),
    reason: multilineText({ max: TEXT_LIMITS.reason, min: 1, minMessage: "A reason is required" }),
  }),
]);

export interface DecisionOutcome {
  decided: string[];
  failed: { contractId: string; code: string; message: string }[];
}

/**
 * Approves or rejects several requests, each through the contract rules in its own transaction:
 * one that was decided meanwhile, or that the actor may not decide, fails alone. A contract id
 * whose contract is running with a pending plan change decides that plan change.
 */
export async function decideContracts(db: Db, actor: Actor, input: z.input<typeof decisionSchema>, now = new Date()): Promise<DecisionOutcome> {
  const data = parseInput(decisionSchema, input);
  const outcome: DecisionOutcome = { decided: [], failed: [] };
  for (const contractId of new Set(data.contractIds)) {
    try {
      // Which kind of request it is; the decision itself re-reads the row locked and refuses a stale one.
      const [row] = await db.select({ status: contracts.status, pending: contracts.pendingPlanVersionId }).from(contracts).where(eq(contracts.id, contractId));
      const planChange = row !== undefined && row.status !== "AwaitingApproval" && row.pending !== null;
      if (data.decision === "approve") await (planChange ? approvePlanChange(db, actor, contractId, now) : approveContract(db, actor, contractId, now));
      else await (planChange ? rejectPlanChange(db, actor, { contractId, reason: data.reason }, now) : rejectContract(db, actor, { contractId, reason: data.reason }, now));
      outcome.decided.push(contractId);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcome.failed.push({ contractId, code: error.code, message: error.message });
    }
  }
  return outcome;
}
