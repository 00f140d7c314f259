import type { MyClientContract } from "@/lib/domain/client-queries";

/** A row of a client's contracts table: the contract, its client's name for the confirm text, and whether the viewer may end it. */
export type ClientContract = Omit<MyClientContract, "clientVersionId" | "apiVersionId"> & { clientName: string; clientVersion: string; canEdit: boolean };

export function toClientContract(row: MyClientContract, client: { name: string; version: string }, canEdit: boolean): ClientContract {
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
    clientName: client.name,
    clientVersion: client.version,
    canEdit,
  };
}
