import { and, type Column, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { type apiVersions, contracts, type planVersions } from "@/db/schema";
import { type ContractStatus, LIVE_CONTRACT_STATUSES } from "./statuses";

/** What the contract rules need to know about one client version signing with one API version. */
export interface SigningFacts {
  clientVersion: { retiredAt: Date | null };
  /** Undefined when the API version is missing or the actor may not see it. */
  apiVersion: Pick<typeof apiVersions.$inferSelect, "status" | "isPublic"> | undefined;
  /** The chosen plan as this API version offers it: null when it is not offered, absent while no plan is chosen. */
  offer?: { planStatus: (typeof planVersions.$inferSelect)["status"] } | null;
  /** The status of the client version's live contract with this API version, if it has one. */
  liveContractStatus: ContractStatus | null;
}

export type SigningRefusalCode = "client_retired" | "api_not_found" | "api_not_published" | "api_is_public" | "plan_not_offered" | "plan_not_locked" | "contract_exists";

/** Why a client version cannot sign: a stable code for programs, a short reason for people. */
export interface SigningRefusal {
  code: SigningRefusalCode;
  reason: string;
}

/**
 * Whether the client version may sign a contract with the API version, and the first reason why
 * not, in the order of the contract rules (SPEC §4) after the actor's own permission.
 */
export function signingRefusal(facts: SigningFacts): SigningRefusal | null {
  const { clientVersion, apiVersion, offer, liveContractStatus } = facts;
  if (clientVersion.retiredAt) return { code: "client_retired", reason: "retired" };
  if (!apiVersion) return { code: "api_not_found", reason: "this API version does not exist" };
  if (apiVersion.status !== "Published") return { code: "api_not_published", reason: "this API version is not published" };
  if (apiVersion.isPublic) return { code: "api_is_public", reason: "this API version is public and needs no contract" };
  if (offer === null) return { code: "plan_not_offered", reason: "this API version does not offer that plan" };
  if (offer && offer.planStatus !== "Locked") return { code: "plan_not_locked", reason: "that plan version is not locked" };
  if (liveContractStatus === "Active") return { code: "contract_exists", reason: "already has a contract with this API version" };
  if (liveContractStatus === "AwaitingApproval") return { code: "contract_exists", reason: "already awaiting approval for this API version" };
  if (liveContractStatus === "Suspended") return { code: "contract_exists", reason: "already has a suspended contract with this API version" };
  return null;
}

/** The live contract of a client version with an API version joins on this; one at most, by the unique partial index. */
export function liveContractWith(live: { clientVersionId: Column; apiVersionId: Column; status: Column }, clientVersionId: Column | string, apiVersionId: string) {
  return and(eq(live.clientVersionId, clientVersionId), eq(live.apiVersionId, apiVersionId), inArray(live.status, LIVE_CONTRACT_STATUSES));
}

export async function findLiveContractStatus(db: Queryable, clientVersionId: string, apiVersionId: string): Promise<ContractStatus | null> {
  const [live] = await db.select({ status: contracts.status }).from(contracts).where(liveContractWith(contracts, clientVersionId, apiVersionId));
  return live?.status ?? null;
}
