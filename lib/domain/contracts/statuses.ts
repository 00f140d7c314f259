import { type Column, sql } from "drizzle-orm";
import { type clientVersions, contracts } from "@/db/schema";
import { qualified } from "../lists";

export type ContractStatus = (typeof contracts.$inferSelect)["status"];
export type ClientVersionStatus = "Created" | "AwaitingApproval" | "Registered" | "Retired";

/** Pending, active or suspended: at most one per client version and API version, whatever the plan (contracts_live_idx). */
export const LIVE_CONTRACT_STATUSES: ContractStatus[] = ["AwaitingApproval", "Active", "Suspended"];

/** In force, whether or not the gateway lets it through right now: what a plan change or an end date applies to. */
export const RUNNING_CONTRACT_STATUSES: ContractStatus[] = ["Active", "Suspended"];

/** Over for good: kept as history, shown in My Clients with "Show ended contracts". */
export const ENDED_CONTRACT_STATUSES: ContractStatus[] = ["Rejected", "Withdrawn", "Broken", "Expired"];

/**
 * Derived from the version's contracts: Retired, else AwaitingApproval, else Registered (an active
 * or suspended contract: a suspension is a pause, the version stays registered), else Created.
 */
export function clientVersionStatus(version: Pick<typeof clientVersions.$inferSelect, "retiredAt">, contractStatuses: readonly ContractStatus[]): ClientVersionStatus {
  if (version.retiredAt) return "Retired";
  if (contractStatuses.includes("AwaitingApproval")) return "AwaitingApproval";
  if (contractStatuses.includes("Active") || contractStatuses.includes("Suspended")) return "Registered";
  return "Created";
}

/** The statuses of a client version's contracts, which its own status is derived from. */
export const contractStatusesOf = (clientVersionId: Column) =>
  sql<ContractStatus[]>`coalesce((select array_agg(distinct ${qualified(contracts.status)}) from ${contracts} where ${qualified(contracts.clientVersionId)} = ${qualified(clientVersionId)}), '{}')`;

/** array_agg of the statuses arrives as a Postgres array literal from some drivers. */
export function parseStatusArray(value: ContractStatus[] | string): ContractStatus[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean) as ContractStatus[];
}
