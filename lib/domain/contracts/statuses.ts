import { type Column, sql } from "drizzle-orm";
import { type clientVersions, contracts } from "@/db/schema";
import { qualified } from "../lists";

export type ContractStatus = (typeof contracts.$inferSelect)["status"];
export type ClientVersionStatus = "Created" | "AwaitingApproval" | "Registered" | "Retired";

/** Pending or active: at most one per client version and API version, whatever the plan. */
export const LIVE_CONTRACT_STATUSES: ContractStatus[] = ["AwaitingApproval", "Active"];

/** Derived from the version's contracts: Retired, else AwaitingApproval, else Registered, else Created. */
export function clientVersionStatus(version: Pick<typeof clientVersions.$inferSelect, "retiredAt">, contractStatuses: readonly ContractStatus[]): ClientVersionStatus {
  if (version.retiredAt) return "Retired";
  if (contractStatuses.includes("AwaitingApproval")) return "AwaitingApproval";
  if (contractStatuses.includes("Active")) return "Registered";
  return "Created";
}

/** The statuses of a client version's contracts, which its own status is derived from. */
export const contractStatusesOf = (clientVersionId: Column) =>
  sql<ContractStatus[]>`coalesce((select array_agg(distinct ${qualified(contracts.status)}) from ${contracts} where ${qualified(contracts.clientVersionId)} = ${qualified(clientVersionId)}), '{}')`;

/** array_agg of an enum arrives as a Postgres array literal from some drivers. */
export function parseStatusArray(value: ContractStatus[] | string): ContractStatus[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean) as ContractStatus[];
}
