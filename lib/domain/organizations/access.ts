import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { organizations } from "@/db/schema";
import { DomainError } from "../errors";
import { type Actor, hasManagementAccess, hasPermission, type Permission, requireManagementView } from "../permissions";
import { isStorableText } from "../text";
import type { Organization } from "./commands";

export type ViewPermission = Extract<Permission, "orgView" | "apiView" | "planView" | "clientView">;

/**
 * The organization behind an API Management page. Portal-only users, and users without the view
 * permission in that organization, get not_found: the page does not reveal that it exists.
 */
export async function requireManagedOrganization(db: Queryable, actor: Actor, slug: string, permission: ViewPermission = "orgView"): Promise<Organization> {
  // A slug from the URL that the database cannot hold names no organization.
  if (!hasManagementAccess(actor) || !isStorableText(slug)) throw new DomainError("not_found", "That organization does not exist.");
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  if (!org) throw new DomainError("not_found", "That organization does not exist.");
  requireManagementView(actor, org.id, permission);
  return org;
}

/** What the actor may do in one organization, for offering only the actions the rules allow. */
export function organizationPermissions(actor: Actor, orgId: string) {
  const can = (permission: Permission) => hasPermission(actor, orgId, permission);
  return {
    orgAdmin: can("orgAdmin"),
    apiView: can("apiView"),
    apiEdit: can("apiEdit"),
    apiAdmin: can("apiAdmin"),
    planView: can("planView"),
    planEdit: can("planEdit"),
    planAdmin: can("planAdmin"),
    clientView: can("clientView"),
    clientEdit: can("clientEdit"),
    clientAdmin: can("clientAdmin"),
  };
}

export type OrganizationPermissions = ReturnType<typeof organizationPermissions>;
