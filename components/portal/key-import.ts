import { type Actor, isAdmin } from "@/lib/domain/permissions";

/** Whom the New version form offers "Bring your own API key": the organization's owners (and admins), as the domain allows. */
export function mayImportApiKey(actor: Actor, orgId: string): boolean {
  return isAdmin(actor) || actor.roles.get(orgId) === "owner";
}
