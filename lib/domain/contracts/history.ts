import { and, asc, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import { contractEvents, contracts, plans, planVersions, users } from "@/db/schema";
import { DomainError } from "../errors";
import type { Actor } from "../permissions";
import { type ContractRow, getContract } from "./queries";

export type ContractEventKind = (typeof contractEvents.$inferSelect)["kind"];

export interface ContractEventInput {
  kind: ContractEventKind;
  /** Null for what the system does on its own (expiry and its warnings). */
  actorId: string | null;
  at: Date;
  reason?: string | null;
  planVersionId?: string | null;
  fromPlanVersionId?: string | null;
  endsAt?: Date | null;
}

/** Writes what happened to a contract, in the caller's transaction. */
export async function recordContractEvents(tx: Queryable, contractId: string, ...events: ContractEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(contractEvents).values(events.map((event) => ({ contractId, ...event })));
}

/** A plan version as the history names it. */
export interface PlanRef {
  planVersionId: string;
  planSlug: string;
  planName: string;
  planVersion: string;
}

/** One line of a contract's story. */
export interface ContractEventView {
  id: string;
  kind: ContractEventKind;
  at: Date;
  actorId: string | null;
  /** Null for the system (expiry) or a deleted user. */
  actorName: string | null;
  reason: string | null;
  /** The plan accepted, requested or moved to. */
  plan: PlanRef | null;
  /** For plan changes: the plan left. */
  fromPlan: PlanRef | null;
  /** For end_date_set: the new end (null: removed); for expiry_warned: the end warned of. */
  endsAt: Date | null;
  /** For requested: the contract was active at once, with no approval to wait for. */
  activeAtOnce: boolean;
}

export interface ContractDetail {
  contract: ContractRow & {
    endsAt: Date | null;
    /** Set while the contract is Suspended: why the provider paused it. */
    suspensionReason: string | null;
    /** A plan change awaiting approval; the contract stays on its plan until it is decided. */
    pendingPlanChange: (PlanRef & { requestedAt: Date; requestedById: string | null; requestedByName: string | null }) | null;
    /** The terms of use of the contract's current plan version, and who accepted them; null when the plan has none. */
    terms: { planVersionId: string; text: string; acceptedAt: Date | null; acceptedById: string | null; acceptedByName: string | null } | null;
  };
  /** Oldest first. */
  events: ContractEventView[];
}

const fromPlanVersions = alias(planVersions, "from_plan_versions");
const fromPlans = alias(plans, "from_plans");

function planRef(id: string | null, slug: string | null, name: string | null, version: string | null): PlanRef | null {
  return id && slug !== null && name !== null && version !== null ? { planVersionId: id, planSlug: slug, planName: name, planVersion: version } : null;
}

/**
 * A contract with its end date, suspension, pending plan change and terms acceptance, and its
 * events oldest first, for whoever may see the contract (either side); contract_not_found otherwise.
 */
export async function getContractDetail(db: Queryable, actor: Actor, contractId: string): Promise<ContractDetail> {
  const row = await getContract(db, actor, contractId);
  const requester = alias(users, "pending_requester");
  const [extra] = await db
    .select({
      endsAt: contracts.endsAt,
      pendingPlanVersionId: contracts.pendingPlanVersionId,
      pendingPlanRequestedAt: contracts.pendingPlanRequestedAt,
      pendingPlanRequestedById: contracts.pendingPlanRequestedById,
      requesterName: requester.name,
      planSlug: plans.slug,
      planName: plans.name,
      planVersion: planVersions.version,
      terms: fromPlanVersions.terms,
    })
    .from(contracts)
    .leftJoin(planVersions, eq(planVersions.id, contracts.pendingPlanVersionId))
    .leftJoin(plans, eq(plans.id, planVersions.planId))
    .leftJoin(requester, eq(requester.id, contracts.pendingPlanRequestedById))
    // The current plan version, for its terms.
    .innerJoin(fromPlanVersions, eq(fromPlanVersions.id, contracts.planVersionId))
    .where(eq(contracts.id, row.id));
  if (!extra) throw new DomainError("contract_not_found");

  const events = await db
    .select({
      id: contractEvents.id,
      kind: contractEvents.kind,
      at: contractEvents.at,
      actorId: contractEvents.actorId,
      actorName: users.name,
      reason: contractEvents.reason,
      planVersionId: contractEvents.planVersionId,
      planSlug: plans.slug,
      planName: plans.name,
      planVersion: planVersions.version,
      fromPlanVersionId: contractEvents.fromPlanVersionId,
      fromPlanSlug: fromPlans.slug,
      fromPlanName: fromPlans.name,
      fromPlanVersion: fromPlanVersions.version,
      endsAt: contractEvents.endsAt,
    })
    .from(contractEvents)
    .leftJoin(users, eq(users.id, contractEvents.actorId))
    .leftJoin(planVersions, eq(planVersions.id, contractEvents.planVersionId))
    .leftJoin(plans, eq(plans.id, planVersions.planId))
    .leftJoin(fromPlanVersions, eq(fromPlanVersions.id, contractEvents.fromPlanVersionId))
    .leftJoin(fromPlans, eq(fromPlans.id, fromPlanVersions.planId))
    .where(eq(contractEvents.contractId, row.id))
    // Events of one transaction share their time: the kinds' own order (requested before terms_accepted) breaks the tie.
    .orderBy(asc(contractEvents.at), asc(contractEvents.kind), asc(contractEvents.id));

  const [accepted] = extra.terms.trim()
    ? await db
        .select({ at: contractEvents.at, actorId: contractEvents.actorId, actorName: users.name })
        .from(contractEvents)
        .leftJoin(users, eq(users.id, contractEvents.actorId))
        .where(and(eq(contractEvents.contractId, row.id), eq(contractEvents.kind, "terms_accepted"), eq(contractEvents.planVersionId, row.planVersionId)))
        .orderBy(desc(contractEvents.at))
        .limit(1)
    : [];

  return {
    contract: {
      ...row,
      endsAt: extra.endsAt,
      suspensionReason: row.status === "Suspended" ? row.reason : null,
      pendingPlanChange:
        extra.pendingPlanVersionId && extra.pendingPlanRequestedAt && extra.planSlug !== null && extra.planName !== null && extra.planVersion !== null
          ? {
              planVersionId: extra.pendingPlanVersionId,
              planSlug: extra.planSlug,
              planName: extra.planName,
              planVersion: extra.planVersion,
              requestedAt: extra.pendingPlanRequestedAt,
              requestedById: extra.pendingPlanRequestedById,
              requestedByName: extra.requesterName,
            }
          : null,
      terms: extra.terms.trim()
        ? { planVersionId: row.planVersionId, text: extra.terms, acceptedAt: accepted?.at ?? null, acceptedById: accepted?.actorId ?? null, acceptedByName: accepted?.actorName ?? null }
        : null,
    },
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      at: e.at,
      actorId: e.actorId,
      actorName: e.actorName,
      reason: e.reason,
      plan: planRef(e.planVersionId, e.planSlug, e.planName, e.planVersion),
      fromPlan: planRef(e.fromPlanVersionId, e.fromPlanSlug, e.fromPlanName, e.fromPlanVersion),
      endsAt: e.endsAt,
      // Only a contract that needed no approval is decided in the moment it is created.
      activeAtOnce: e.kind === "requested" && row.decidedAt?.getTime() === row.createdAt.getTime(),
    })),
  };
}
