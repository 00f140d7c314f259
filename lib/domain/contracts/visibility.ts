import { type Column, or, type SQL } from "drizzle-orm";
import { type Actor, hasPermission, permittedOrgCondition, permittedOrgIds, requirePermission } from "../permissions";

/** The organizations on both sides of a contract. */
export interface ContractSides {
  clientOrgId: string;
  apiOrgId: string;
}

/** A contract is visible from either side: clientView in the client's organization, or apiView in the API's. */
const VIEWING_PERMISSION = { clientOrgId: "clientView", apiOrgId: "apiView" } as const;

export function canSeeContract(actor: Actor, sides: ContractSides): boolean {
  return hasPermission(actor, sides.clientOrgId, VIEWING_PERMISSION.clientOrgId) || hasPermission(actor, sides.apiOrgId, VIEWING_PERMISSION.apiOrgId);
}

/** canSeeContract as a WHERE condition on the two organization columns; undefined means no restriction (admin). */
export function visibleContractsCondition(actor: Actor, columns: { clientOrgId: Column; apiOrgId: Column }): SQL | undefined {
  const fromClientSide = permittedOrgCondition(actor, VIEWING_PERMISSION.clientOrgId, columns.clientOrgId);
  const fromApiSide = permittedOrgCondition(actor, VIEWING_PERMISSION.apiOrgId, columns.apiOrgId);
  if (fromClientSide === undefined || fromApiSide === undefined) return undefined;
  return or(fromClientSide, fromApiSide);
}

/** Approving and rejecting belong to plan administrators of the API's organization (and admins). */
export const DECIDING_PERMISSION = "planAdmin";

export function requireDecider(actor: Actor, apiOrgId: string): void {
  requirePermission(actor, apiOrgId, DECIDING_PERMISSION, "Only a plan administrator of the API's organization can decide this request.");
}

/** The requests the actor may decide, as a WHERE condition on the API's organization column. */
export function decidableContractsCondition(actor: Actor, apiOrgIdColumn: Column): SQL | undefined {
  return permittedOrgCondition(actor, DECIDING_PERMISSION, apiOrgIdColumn);
}

/** Whether the actor decides requests in any organization: when not, approval lists need no query. */
export function decidesAnywhere(actor: Actor): boolean {
  return permittedOrgIds(actor, DECIDING_PERMISSION)?.length !== 0;
}
