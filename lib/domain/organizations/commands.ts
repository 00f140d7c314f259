import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { memberships, organizations, users } from "@/db/schema";
import { audit } from "../audit";
import { DomainError, parseInput } from "../errors";
import { type Actor, hasManagementAccess, hasPermission, ROLES, requirePermission, type Role } from "../permissions";
import { descriptionSchema, nameSchema, slugSchema } from "../slugs";
import { emailSchema } from "../users";
import { isStorableText } from "../text";
import type { MemberSummary } from "./queries";

export type Organization = typeof organizations.$inferSelect;

/** What a new organization needs; also the body of the API's POST /orgs. */
export const createOrganizationSchema = z.object({ slug: slugSchema, name: nameSchema, description: descriptionSchema });

/** Managers and admins create organizations; the creator becomes owner. */
export async function createOrganization(db: Db, actor: Actor, input: z.input<typeof createOrganizationSchema>): Promise<Organization> {
  if (!hasManagementAccess(actor)) throw new DomainError("forbidden");
  const data = parseInput(createOrganizationSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values(data).returning();
      await tx.insert(memberships).values({ userId: actor.userId, orgId: org.id, role: "owner" });
      await audit(tx, actor, { orgId: org.id, action: "organization.created", entityType: "organization", entityId: org.id, details: { slug: org.slug } });
      return org;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("slug_taken", `An organization with the identifier "${data.slug}" already exists.`);
    throw error;
  }
}

/** The organization with that slug if the actor may view it; not_found otherwise (existence is not revealed). */
export async function getOrganization(db: Queryable, actor: Actor, slug: string): Promise<Organization> {
  if (!isStorableText(slug)) throw new DomainError("not_found", "That organization does not exist.");
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  if (!org || !hasPermission(actor, org.id, "orgView")) throw new DomainError("not_found", "That organization does not exist.");
  return org;
}

export const roleSchema = z.enum(ROLES as [Role, ...Role[]]);
export const addMemberSchema = z.object({ orgId: z.string().uuid(), email: emailSchema, role: roleSchema });

/** Adds a registered user by email with a role (orgAdmin); answers the new membership. */
export async function addMember(db: Db, actor: Actor, input: z.input<typeof addMemberSchema>): Promise<MemberSummary> {
  const data = parseInput(addMemberSchema, input);
  requirePermission(actor, data.orgId, "orgAdmin");
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.email, data.email));
    if (!user) throw new DomainError("user_not_found", `No registered user has the email ${data.email}.`);
    const inserted = await tx
      .insert(memberships)
      .values({ userId: user.id, orgId: data.orgId, role: data.role })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw new DomainError("invalid_state", `${data.email} is already a member.`);
    await audit(tx, actor, { orgId: data.orgId, action: "member.added", entityType: "user", entityId: user.id, details: { email: data.email, role: data.role } });
    return { userId: user.id, name: user.name, email: user.email, role: inserted[0].role, since: inserted[0].createdAt };
  });
}

/**
 * Counts the owners and locks their rows until the transaction ends, so that two owners stepping
 * down at once are decided one after the other and the second one is told last_owner.
 */
async function lockOwners(tx: Queryable, orgId: string): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
    .orderBy(memberships.userId)
    .for("update");
  return rows.length;
}

export const changeRoleSchema = z.object({ orgId: z.string().uuid(), userId: z.string().uuid(), role: roleSchema });

export async function changeMemberRole(db: Db, actor: Actor, input: z.input<typeof changeRoleSchema>): Promise<void> {
  const data = parseInput(changeRoleSchema, input);
  requirePermission(actor, data.orgId, "orgAdmin");
  await db.transaction(async (tx) => {
    const owners = await lockOwners(tx, data.orgId);
    const [member] = await tx.select().from(memberships).where(and(eq(memberships.orgId, data.orgId), eq(memberships.userId, data.userId))).for("update");
    if (!member) throw new DomainError("not_found", "That user is not a member.");
    if (member.role === "owner" && data.role !== "owner" && owners === 1) throw new DomainError("last_owner");
    await tx.update(memberships).set({ role: data.role }).where(and(eq(memberships.orgId, data.orgId), eq(memberships.userId, data.userId)));
    await audit(tx, actor, { orgId: data.orgId, action: "member.role_changed", entityType: "user", entityId: data.userId, details: { from: member.role, to: data.role } });
  });
}

const removeMemberSchema = z.object({ orgId: z.string().uuid(), userId: z.string().uuid() });

export async function removeMember(db: Db, actor: Actor, input: z.input<typeof removeMemberSchema>): Promise<void> {
  const data = parseInput(removeMemberSchema, input);
  requirePermission(actor, data.orgId, "orgAdmin");
  await db.transaction(async (tx) => {
    const owners = await lockOwners(tx, data.orgId);
    const [member] = await tx.select().from(memberships).where(and(eq(memberships.orgId, data.orgId), eq(memberships.userId, data.userId))).for("update");
    if (!member) throw new DomainError("not_found", "That user is not a member.");
    if (member.role === "owner" && owners === 1) throw new DomainError("last_owner");
    await tx.delete(memberships).where(and(eq(memberships.orgId, data.orgId), eq(memberships.userId, data.userId)));
    await audit(tx, actor, { orgId: data.orgId, action: "member.removed", entityType: "user", entityId: data.userId, details: { role: member.role } });
  });
}
