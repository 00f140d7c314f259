import type { MyClientContract } from "@/lib/domain/clients";
import { describeDuration, type PlanOffer } from "@/lib/domain/catalog";
import { RUNNING_CONTRACT_STATUSES } from "@/lib/domain/contracts";
import { renderDocs } from "@/lib/render-docs";

/** A plan a running contract may move to, as the Change plan dialog shows it. */
export interface PlanChangeChoice {
  planVersionId: string;
  /** "Gold 1.0" */
  label: string;
  name: string;
  description: string;
  /** Limits in words, "needs approval" included. */
  summary: string;
  requiresApproval: boolean;
  /** "30-day trial"; null when the plan has no end. */
  duration: string | null;
  durationDays: number | null;
  /** The terms of use, rendered safely; null when the plan has none. */
  termsHtml: string | null;
}

/** A row of a client's contracts table: only what the row shows (the page sends no more). */
export type ClientContract = Omit<MyClientContract, "clientVersionId" | "apiVersionId" | "endsAt" | "pendingPlanVersionId"> & {
  endsAt: Date | null;
  /** "Gold" while a plan change awaits approval. */
  pendingPlanName: string | null;
  /** The other locked plans its API version offers (running contracts only). */
  planChoices: PlanChangeChoice[];
};

export function planChangeChoice(offer: PlanOffer): PlanChangeChoice {
  return {
    planVersionId: offer.planVersionId,
    label: `${offer.name} ${offer.version}`,
    name: offer.name,
    description: offer.description,
    summary: offer.summary,
    requiresApproval: offer.requiresApproval,
    duration: describeDuration(offer.durationDays),
    durationDays: offer.durationDays,
    termsHtml: offer.terms.trim() ? renderDocs(offer.terms) : null,
  };
}

/** `offers`: the plans of the contract's API version (listPlanOffers), to change plan and to name a pending change. */
export function toClientContract(row: MyClientContract, offers: readonly PlanOffer[] = []): ClientContract {
  const running = RUNNING_CONTRACT_STATUSES.includes(row.status);
  const pending = row.pendingPlanVersionId ? offers.find((o) => o.planVersionId === row.pendingPlanVersionId) : undefined;
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt,
    endsAt: row.endsAt ?? null,
    pendingPlanName: row.pendingPlanVersionId ? (pending?.name ?? "another plan") : null,
    planChoices: running ? offers.filter((o) => o.locked && !(o.name === row.planName && o.version === row.planVersion)).map(planChangeChoice) : [],
    apiName: row.apiName,
    apiOrgSlug: row.apiOrgSlug,
    apiSlug: row.apiSlug,
    apiVersion: row.apiVersion,
    planName: row.planName,
    planVersion: row.planVersion,
    endpoint: row.endpoint,
  };
}
