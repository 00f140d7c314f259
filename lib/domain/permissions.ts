import { and, eq } from "drizzle-orm";
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
  return actor.profile === "manager" || actor.profile === "admin";
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
