import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, memberships, plans, planVersions, users } from "@/db/schema";
import { findApiVersion, canSeeApiVersion } from "./apis";
import { audit, notify } from "./audit";
import { findClientVersion, LIVE_CONTRACT_STATUSES } from "./clients";
import { DomainError, parseInput } from "./errors";
import { publishChanges } from "./events";
import { type Actor, hasPermission, isAdmin, requirePermission } from "./permissions";
import { multilineText, TEXT_LIMITS } from "./text";

export type Contract = typeof contracts.$inferSelect;

const reasonSchema = multilineText({ max: TEXT_LIMITS.reason, min: 1, minMessage: "A reason is required" });

const createContractSchema = z.object({
  clientVersionId: z.string().uuid(),
  apiVersionId: z.string().uuid(),
  planVersionId: z.string().uuid(),
});

/** The users who may answer approval requests for an organization's plans. */
async function approverIds(tx: Queryable, orgId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.orgId, orgId),
        inArray(memberships.role, ["owner", "api-developer"]),
        inArray(users.profile, ["manager", "admin"]),
        eq(users.disabled, false),
      ),
    );
  return rows.map((r) => r.id);
}

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
      if (client.version.retiredAt) throw new DomainError("client_retired");

      const api = await findApiVersion(tx, data.apiVersionId);
      if (!api || !canSeeApiVersion(actor, api.api, api.version)) throw new DomainError("api_not_found");
      if (api.version.status !== "Published") throw new DomainError("api_not_published");
      if (api.version.isPublic) throw new DomainError("api_is_public");

      const [offer] = await tx
        .select({ requiresApproval: apiPlans.requiresApproval, planStatus: planVersions.status, planName: plans.name })
        .from(apiPlans)
        .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
        .innerJoin(plans, eq(plans.id, planVersions.planId))
        .where(and(eq(apiPlans.apiVersionId, data.apiVersionId), eq(apiPlans.planVersionId, data.planVersionId)));
      if (!offer) throw new DomainError("plan_not_offered");
      if (offer.planStatus !== "Locked") throw new DomainError("plan_not_locked");

      const [live] = await tx
        .select({ id: contracts.id })
        .from(contracts)
        .where(
          and(
            eq(contracts.clientVersionId, data.clientVersionId),
            eq(contracts.apiVersionId, data.apiVersionId),
            inArray(contracts.status, LIVE_CONTRACT_STATUSES),
          ),
        );
      if (live) throw new DomainError("contract_exists");

      const needsApproval = offer.requiresApproval && !hasPermission(actor, api.api.orgId, "planAdmin");
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
        await notify(tx, await approverIds(tx, api.api.orgId), {
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

function canSeeContract(actor: Actor, ctx: ContractContext): boolean {
  return hasPermission(actor, ctx.clientOrgId, "clientView") || hasPermission(actor, ctx.apiOrgId, "apiView");
}

async function loadContract(tx: Queryable, actor: Actor, contractId: string): Promise<ContractContext> {
  const ctx = await findContractContext(tx, contractId);
  if (!ctx || !canSeeContract(actor, ctx)) throw new DomainError("contract_not_found");
  return ctx;
}

function describe(ctx: ContractContext): string {
  return `${ctx.clientName} ${ctx.clientVersion} → ${ctx.apiName} ${ctx.apiVersion} (${ctx.planName})`;
}

function requireApprover(actor: Actor, ctx: ContractContext): void {
  if (!isAdmin(actor)) requirePermission(actor, ctx.apiOrgId, "planAdmin", "Only a plan administrator of the API's organization can decide this request.");
  if (ctx.contract.status !== "AwaitingApproval") throw new DomainError("invalid_state", "That contract is not awaiting approval.");
}

export async function approveContract(db: Db, actor: Actor, contractId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), contractId);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, id);
    requireApprover(actor, ctx);
    await tx.update(contracts).set({ status: "Active", decidedById: actor.userId, decidedAt: new Date() }).where(eq(contracts.id, id));
    await audit(tx, actor, { orgId: ctx.apiOrgId, action: "contract.approved", entityType: "contract", entityId: id, details: { contract: describe(ctx) } });
    if (ctx.contract.createdById) {
      await notify(tx, [ctx.contract.createdById], { kind: "contract_approved", text: `Your contract ${describe(ctx)} was approved.`, link: "/my-clients" });
    }
  });
  await publishChanges({ kind: "contract", id });
}

const rejectSchema = z.object({ contractId: z.string().uuid(), reason: reasonSchema });

export async function rejectContract(db: Db, actor: Actor, input: z.input<typeof rejectSchema>): Promise<void> {
  const data = parseInput(rejectSchema, input);
  await db.transaction(async (tx) => {
    const ctx = await loadContract(tx, actor, data.contractId);
    requireApprover(actor, ctx);
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
      parseInput(z.object({ reason: reasonSchema }), { reason: data.reason ?? "" });
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
