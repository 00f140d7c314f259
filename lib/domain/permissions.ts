import { and, type Column, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { DomainError } from "./errors";

export type Profile = (typeof users.$inferSelect)["profile"];
export type Role = (typeof memberships.$inferSelect)["role"];

export const PERMISSIONS = [
  "orgView",
  "orgEdit",
  "orgAdmin",
  "apiView",
  "apiEdit",
  "apiAdmin",
  "planView",
  "planEdit",
  "planAdmin",
  "clientView",
  "clientEdit",
  "clientAdmin",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES: readonly Role[] = ["owner", "api-developer", "client-developer", "viewer"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  "api-developer": ["orgView", "apiView", "apiEdit", "apiAdmin", "planView", "planEdit", "planAdmin"],
  "client-developer": ["orgView", "clientView", "clientEdit", "clientAdmin"],
  viewer: ["orgView", "apiView", "planView", "clientView"],
};

/** The profiles that may enter API Management. */
const MANAGEMENT_PROFILES: readonly Profile[] = ["manager", "admin"];

/** Permissions that run an organization's API side or the organization itself: API Management only. */
const MANAGEMENT_ONLY: ReadonlySet<Permission> = new Set([
  "orgEdit",
  "orgAdmin",
  "apiEdit",
  "apiAdmin",
  "planEdit",
  "planAdmin",
]);

/** Who is acting, as the domain layer sees them: re-read from the database for each request. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  profile: Profile;
  /** Organization id -> role. */
  roles: ReadonlyMap<string, Role>;
}

export function isAdmin(actor: Actor): boolean {
  return actor.profile === "admin";
}

/** Whether the actor may enter API Management at all. */
export function hasManagementAccess(actor: Actor): boolean {
  return MANAGEMENT_PROFILES.includes(actor.profile);
}

export function hasPermission(actor: Actor, orgId: string, permission: Permission): boolean {
  if (isAdmin(actor)) return true;
  const role = actor.roles.get(orgId);
  if (!role || !ROLE_PERMISSIONS[role].includes(permission)) return false;
  return !MANAGEMENT_ONLY.has(permission) || hasManagementAccess(actor);
}

/** The one gate every rule goes through. */
export function requirePermission(actor: Actor, orgId: string, permission: Permission, message?: string): void {
  if (!hasPermission(actor, orgId, permission)) throw new DomainError("forbidden", message);
}

/** For acts outside any organization, such as changing a user's profile. */
export function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new DomainError("forbidden");
}

/** Whether the actor may look at this part of an organization in API Management. */
export function mayViewInManagement(actor: Actor, orgId: string, permission: Permission): boolean {
  return hasManagementAccess(actor) && hasPermission(actor, orgId, permission);
}

/** API Management pages answer not_found rather than forbidden, so they do not reveal what exists. */
export function requireManagementView(actor: Actor, orgId: string, permission: Permission, message = "That organization does not exist."): void {
  if (!mayViewInManagement(actor, orgId, permission)) throw new DomainError("not_found", message);
}

/** The organizations the actor belongs to and holds the permission in: the portal's own scope, admins included. */
export function memberOrgIdsWith(actor: Actor, permission: Permission): string[] {
  return [...actor.roles.keys()].filter((orgId) => hasPermission(actor, orgId, permission));
}

/** The organizations where the actor holds the permission; null means every organization (admin). */
export function permittedOrgIds(actor: Actor, permission: Permission): string[] | null {
  return isAdmin(actor) ? null : memberOrgIdsWith(actor, permission);
}

/**
 * The same scope as a WHERE condition on an organization id column, for list queries;
 * undefined means no restriction (admin).
 */
export function permittedOrgCondition(actor: Actor, permission: Permission, orgIdColumn: Column): SQL | undefined {
  const orgIds = permittedOrgIds(actor, permission);
  if (orgIds === null) return undefined;
  return orgIds.length > 0 ? inArray(orgIdColumn, orgIds) : sql`false`;
}

/**
 * The enabled members of an organization who hold the permission there, read from the same
 * tables as hasPermission: admins, and members whose role grants it and whose profile allows it.
 */
export async function membersHoldingPermission(db: Queryable, orgId: string, permission: Permission): Promise<string[]> {
  const roles = ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
  const profileAllows = MANAGEMENT_ONLY.has(permission) ? inArray(users.profile, [...MANAGEMENT_PROFILES]) : undefined;
  const rows = await db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.orgId, orgId),
        eq(users.disabled, false),
        or(eq(users.profile, "admin"), and(inArray(memberships.role, roles), profileAllows)),
      ),
    );
  return rows.map((r) => r.id);
}

/** Loads a user as an actor; null when the user is missing or disabled. */
export async function loadActor(db: Queryable, userId: string): Promise<Actor | null> {
  const [user] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.disabled, false)));
  if (!user) return null;
  const rows = await db.select().from(memberships).where(eq(memberships.userId, userId));
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    profile: user.profile,
    roles: new Map(rows.map((m) => [m.orgId, m.role])),
  };
}
