import type { MyClientContract } from "@/lib/domain/clients";

/** A row of a client's contracts table: only what the row shows (the page sends no more). */
export type ClientContract = Omit<MyClientContract, "clientVersionId" | "apiVersionId">;

export function toClientContract(row: MyClientContract): ClientContract {
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt,
    apiName: row.apiName,
    apiOrgSlug: row.apiOrgSlug,
    apiSlug: row.apiSlug,
    apiVersion: row.apiVersion,
    planName: row.planName,
    planVersion: row.planVersion,
    endpoint: row.endpoint,
  };
}
