import type { ContractRow } from "@/lib/domain/contracts";

/**
 * The fields of a contract the Contracts tabs show or act on. A page hands its rows to the
 * browser as these only: the ids and slugs a row also carries would be sent for nothing, 20 times a page.
 */
const SHOWN = [
  "id",
  "status",
  "reason",
  "createdAt",
  "endedAt",
  "endsAt",
  "pendingPlanVersionId",
  "createdByName",
  "clientName",
  "clientOrgName",
  "clientVersion",
  "apiName",
  "apiVersion",
  "apiOrgName",
  "endpoint",
  "planVersionId",
  "planName",
  "planVersion",
] as const satisfies readonly (keyof ContractRow)[];

/** A contract row as a Contracts tab has it, with the words for the plan a pending plan change asks for when the page knows them ("Gold 1.0"). */
export type ContractTableRow = Pick<ContractRow, (typeof SHOWN)[number]> & { pendingPlanLabel?: string };

/** The row of a Contracts tab for a contract: its shown fields only (plain data, for a server page to pass). */
export function contractTableRow(row: ContractRow, pendingPlanLabel?: string): ContractTableRow {
  const shown = Object.fromEntries(SHOWN.map((field) => [field, row[field]])) as Pick<ContractRow, (typeof SHOWN)[number]>;
  return pendingPlanLabel === undefined ? shown : { ...shown, pendingPlanLabel };
}
