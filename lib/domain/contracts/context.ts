import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, plans, planVersions } from "@/db/schema";
import { DomainError } from "../errors";
import type { Actor } from "../permissions";
import { canSeeContract } from "./visibility";

/** Contracts with the names and organizations of both sides: what rules check and notifications name. */
export function selectContractContext(tx: Queryable) {
  return tx
    .select({
      contract: contracts,
      clientOrgId: clients.orgId,
      clientName: clients.name,
      clientVersion: clientVersions.version,
      apiOrgId: apis.orgId,
      apiName: apis.name,
      apiVersion: apiVersions.version,
      apiVersionStatus: apiVersions.status,
      planName: plans.name,
    })
    .from(contracts)
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId));
}

/** A contract with the names and organizations of both sides, its row locked until the transaction ends. */
export async function findContractContext(tx: Queryable, contractId: string) {
  const [row] = await selectContractContext(tx)
    .where(eq(contracts.id, contractId))
    .for("update", { of: contracts });
  return row;
}

export type ContractContext = NonNullable<Awaited<ReturnType<typeof findContractContext>>>;

/** The contract, locked, if the actor may see it; contract_not_found otherwise, never a hint. */
export async function loadContract(tx: Queryable, actor: Actor, contractId: string): Promise<ContractContext> {
  const ctx = await findContractContext(tx, contractId);
  if (!ctx || !canSeeContract(actor, ctx)) throw new DomainError("contract_not_found");
  return ctx;
}

/** "Dashboard 1.0 → Weather 1.0 (Bronze)", for audit details and notifications. */
export function describeContract(ctx: Pick<ContractContext, "clientName" | "clientVersion" | "apiName" | "apiVersion" | "planName">): string {
  return `${ctx.clientName} ${ctx.clientVersion} → ${ctx.apiName} ${ctx.apiVersion} (${ctx.planName})`;
}

/** A plan version as an API version offers it: approval, lock, duration, terms and name; undefined when not offered. */
export async function findOffer(tx: Queryable, apiVersionId: string, planVersionId: string) {
  const [offer] = await tx
    .select({
      requiresApproval: apiPlans.requiresApproval,
      planStatus: planVersions.status,
      planName: plans.name,
      planVersion: planVersions.version,
      durationDays: planVersions.durationDays,
      terms: planVersions.terms,
    })
    .from(apiPlans)
    .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(apiPlans.apiVersionId, apiVersionId), eq(apiPlans.planVersionId, planVersionId)));
  return offer;
}

export type Offer = NonNullable<Awaited<ReturnType<typeof findOffer>>>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The end of a contract starting at `start` on a plan with this duration; null when the plan has none. */
export function endOfTerm(start: Date, durationDays: number | null): Date | null {
  return durationDays === null ? null : new Date(start.getTime() + durationDays * DAY_MS);
}

/** The message and field of a missing acceptance of a plan's terms of use. */
export const ACCEPT_TERMS_MESSAGE = "Accept the terms of use to continue.";

/** validation_failed on `acceptTerms` when the plan version has terms of use that were not accepted. */
export function requireTermsAccepted(offer: Pick<Offer, "terms">, acceptTerms: boolean | undefined): void {
  if (offer.terms.trim() !== "" && acceptTerms !== true) throw new DomainError("validation_failed", ACCEPT_TERMS_MESSAGE, { acceptTerms: ACCEPT_TERMS_MESSAGE });
}

/** Whether accepting the plan's terms is part of the story: only plans that have terms. */
export const hasTerms = (offer: Pick<Offer, "terms">) => offer.terms.trim() !== "";
