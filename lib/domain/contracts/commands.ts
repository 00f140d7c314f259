import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, plans, planVersions } from "@/db/schema";
import { canSeeApiVersion, findApiVersion } from "../apis/records";
import { audit, notify } from "../audit";
import { findClientVersion } from "../clients/records";
import { DomainError, isDomainError, parseInput } from "../errors";
import { publishChanges } from "../events";
import { type Actor, hasPermission, membersHoldingPermission, requirePermission } from "../permissions";
import { multilineText, TEXT_LIMITS } from "../text";
import { findLiveContractStatus, signingRefusal } from "./eligibility";
import { LIVE_CONTRACT_STATUSES } from "./statuses";
import { canSeeContract, DECIDING_PERMISSION, requireDecider } from "./visibility";

export type Contract = typeof contracts.$inferSelect;

/** Why a request is rejected or a contract broken by the provider: the consumer is shown it. */
export const contractReasonSchema = multilineText({ max: TEXT_LIMITS.reason, min: 1, minMessage: "A reason is required" });

const createContractSchema = z.object({
  clientVersionId: z.string().uuid(),
  apiVersionId: z.string().uuid(),
  planVersionId: z.string().uuid(),
});

/**
 * Signs a contract between a client version and an API version through a plan the API version offers.
 * The checks run in the order of the spec, each failure with its own code.
 */
export async function createContract(db: Db, actor: Actor, input: z.input<typeof createContractSchema>): Promise<Contract> {
  const data = parseInput(createContractSchema, input);
  let contract: Contract;
  try {
    contract = await db.transaction(async (tx) => {
      const client = await findClientVersion(tx, data.clientVersionId);
      if (client && !hasPermission(actor, client.client.orgId, "clientEdit")) throw new DomainError("forbidden", "You may not edit that client.");
      if (!client) throw new DomainError("client_not_found");

      const found = await findApiVersion(tx, data.apiVersionId);
      const api = found && canSeeApiVersion(actor, found.api, found.version) ? found : undefined;
      const [offer] = await tx
        .select({ requiresApproval: apiPlans.requiresApproval, planStatus: planVersions.status, planName: plans.name })
        .from(apiPlans)
        .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
        .innerJoin(plans, eq(plans.id, planVersions.planId))
        .where(and(eq(apiPlans.apiVersionId, data.apiVersionId), eq(apiPlans.planVersionId, data.planVersionId)));
      const refusal = signingRefusal({
        clientVersion: client.version,
        apiVersion: api?.version,
        offer: offer ?? null,
        liveContractStatus: await findLiveContractStatus(tx, data.clientVersionId, data.apiVersionId),
      });
      if (refusal || !api || !offer) throw new DomainError(refusal?.code ?? "api_not_found");

      const needsApproval = offer.requiresApproval && !hasPermission(actor, api.api.orgId, DECIDING_PERMISSION);
      const [created] = await tx
        .insert(contracts)
        .values({
          ...data,
          status: needsApproval ? "AwaitingApproval" : "Active",
          createdById: actor.userId,
          ...(needsApproval ? {} : { decidedAt: new Date() }),
        })
        .returning();
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
          link: "/manage/approvals",
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

/** A contract with the names and organizations of both sides. */
async function findContractContext(tx: Queryable, contractId: string) {
  const [row] = await tx
    .select({
      contract: contracts,
      clientOrgId: clients.orgId,
      clientName: clients.name,
      clientVersion: clientVersions.version,
      apiOrgId: apis.orgId,
      apiName: apis.name,
      apiVersion: apiVersions.version,
      planName: plans.name,
    })
    .from(contracts)
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(contracts.id, contractId))
    .for("update", { of: contracts });
  return row;
}

type ContractContext = NonNullable<Awaited<ReturnType<typeof findContractContext>>>;

async function loadContract(tx: Queryable, actor: Actor, contractId: string): Promise<ContractContext> {
  const ctx = await findContractContext(tx, contractId);
  if (!ctx || !canSeeContract(actor, ctx)) throw new DomainError("contract_not_found");
  return ctx;
}

function describe(ctx: ContractContext): string {
  return `${ctx.clientName} ${ctx.clientVersion} → ${ctx.apiName} ${ctx.apiVersion} (${ctx.planName})`;
}

function requireAwaitingDecision(actor: Actor, ctx: ContractContext): void {
  requireDecider(actor, ctx.apiOrgId);
  if (ctx.contract.status !== "AwaitingApproval") throw new DomainError("invalid_state", "That contract is not awaiting approval.");
}

export async function approveContract(db: Db, actor: Actor, contractId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requireAwaitingDecision(actor, ctx);
    await tx.update(contracts).set({ status: "Active", decidedById: actor.userId, decidedAt: new Date() }).where(eq(contracts.id, id));
    await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.approved", entityType: "contract", entityId: id, details: { contract: describe(ctx) } });
    if (ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_approved", text: `Your contract ${describe(ctx)} was approved.`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id });
}

const rejectSchema = z.object({ contractId: z.string().uuid(), reason: contractReasonSchema });

export async function rejectContract(db: Db, actor: Actor, input: z.input<typeof rejectSchema>): Promise<void> {
  const data = parseInput(rejectSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireAwaitingDecision(actor, ctx);
    await tx.update(contracts).set({ status: "Rejected", decidedById: actor.userId, decidedAt: new Date(), reason: data.reason }).where(eq(contracts.id, data.contractId));
    await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.rejected", entityType: "contract", entityId: data.contractId, details: { contract: describe(ctx), reason: data.reason } });
    if (ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_rejected", text: `Your contract ${describe(ctx)} was rejected: ${data.reason}`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

/** The consumer takes back a request that awaits approval. */
export async function withdrawContract(db: Db, actor: Actor, contractId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requirePermission(actor, ctx.clientOrgId, "clientEdit");
    if (ctx.contract.status !== "AwaitingApproval") throw new DomainError("invalid_state", "Only a request awaiting approval can be withdrawn.");
    await tx.update(contracts).set({ status: "Withdrawn", endedById: actor.userId, endedAt: new Date() }).where(eq(contracts.id, id));
    await audit(tx, actor, { orgId: ctx.clientOrgId, action: "contract.withdrawn", entityType: "contract", entityId: id, details: { contract: describe(ctx) } });
  });
  await publishChanges({ kind: "contract", id });
}

const breakSchema = z.object({
  contractId: z.string().uuid(),
  reason: multilineText({ max: TEXT_LIMITS.reason }).optional(),
  /** Which side ends it; inferred from the actor's permissions when absent (client side first). */
  side: z.enum(["client", "api"]).optional(),
});

/**
 * Ends an active contract at once. The client side needs clientEdit; the API side needs
 * apiAdmin and a reason, which the consumer is shown.
 */
export async function breakContract(db: Db, actor: Actor, input: z.input<typeof breakSchema>): Promise<void> {
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
    if (ctx.contract.status !== "Active") throw new DomainError("invalid_state", "Only an active contract can be broken.");
    const reason = data.reason || null;
    await tx.update(contracts).set({ status: "Broken", endedById: actor.userId, endedAt: new Date(), reason }).where(eq(contracts.id, data.contractId));
    const details = { contract: describe(ctx), reason, side };
    await audit(tx, actor, { orgId: ctx.clientOrgId, action: "contract.broken", entityType: "contract", entityId: data.contractId, details });
    if (ctx.apiOrgId !== ctx.clientOrgId) await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.broken", entityType: "contract", entityId: data.contractId, details });
    if (side === "api" && ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_broken", text: `The provider ended your contract ${describe(ctx)}: ${reason}`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id: data.contractId });
}

/**
 * Signs, for a new client version, the live contracts of another version of the same client;
 * each copy goes through the contract rules again. Returns the new contracts' ids.
 */
export async function copyLiveContracts(tx: Db, actor: Actor, fromClientVersionId: string, toClientVersionId: string): Promise<string[]> {
  const live = await tx
    .select()
    .from(contracts)
    .where(and(eq(contracts.clientVersionId, fromClientVersionId), inArray(contracts.status, LIVE_CONTRACT_STATUSES)));
  const ids: string[] = [];
  for (const contract of live) {
    const copy = await createContract(tx, actor, { clientVersionId: toClientVersionId, apiVersionId: contract.apiVersionId, planVersionId: contract.planVersionId });
    ids.push(copy.id);
  }
  return ids;
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
 * one that was decided meanwhile, or that the actor may not decide, fails alone.
 */
export async function decideContracts(db: Db, actor: Actor, input: z.input<typeof decisionSchema>): Promise<DecisionOutcome> {
  const data = parseInput(decisionSchema, input);
  const outcome: DecisionOutcome = { decided: [], failed: [] };
  for (const contractId of new Set(data.contractIds)) {
    try {
      if (data.decision === "approve") await approveContract(db, actor, contractId);
      else await rejectContract(db, actor, { contractId, reason: data.reason });
      outcome.decided.push(contractId);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcome.failed.push({ contractId, code: error.code, message: error.message });
    }
  }
  return outcome;
}
