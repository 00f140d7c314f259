import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { apis, clients, memberships, organizations, plans, users } from "@/db/schema";
import { DomainError } from "../errors";
import { listParamsSchema } from "../list-params";
import { ascending, type ListPage, type ListQuery, pagedList, qualified } from "../lists";
import { type Actor, hasManagementAccess, permittedOrgCondition, requireManagementView, type Role } from "../permissions";
import { organizationPermissions, requireManagedOrganization } from "./access";

export interface ManagedOrganization {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** The actor's role; null for an admin who is not a member. */
  role: Role | null;
  apiCount: number;
  planCount: number;
  clientCount: number;
  memberCount: number;
}

export const ORGANIZATION_SORTS = ["name", "slug", "apis", "plans", "clients", "members"] as const;
export type OrganizationSort = (typeof ORGANIZATION_SORTS)[number];
export const DEFAULT_ORGANIZATION_SORT = { id: "name", desc: false } as const satisfies { id: OrganizationSort; desc: boolean };

/** The URL params of the organizations list on /manage. */
export const organizationListParams = listParamsSchema({ sortable: ORGANIZATION_SORTS, defaultSort: DEFAULT_ORGANIZATION_SORT });

/**
 * The organizations shown on /manage, a page at a time: the actor's own, or every one for an
 * admin (personal organizations included, hence the paging). None for portal users.
 */
export async function listManagedOrganizations(db: Queryable, actor: Actor, query: ListQuery<OrganizationSort> = {}): Promise<ListPage<ManagedOrganization>> {
  if (!hasManagementAccess(actor)) return { rows: [], total: 0 };
  const countOf = (table: typeof apis | typeof plans | typeof clients | typeof memberships) =>
    sql<number>`(select count(*)::int from ${table} where ${qualified(table.orgId)} = ${qualified(organizations.id)})`;
  const counts = { apis: countOf(apis), plans: countOf(plans), clients: countOf(clients), members: countOf(memberships) };
  const { rows, total } = await pagedList({
    db,
    query: () =>
      db
        .select({
          id: organizations.id,
          slug: organizations.slug,
          name: organizations.name,
          description: organizations.description,
          apiCount: counts.apis,
          planCount: counts.plans,
          clientCount: counts.clients,
          memberCount: counts.members,
        })
        .from(organizations)
        .$dynamic(),
    where: permittedOrgCondition(actor, "orgView", organizations.id),
    search: [organizations.name, organizations.slug, organizations.description],
    q: query.q,
    sort: query.sort ?? DEFAULT_ORGANIZATION_SORT,
    sortColumns: { name: [organizations.name], slug: [organizations.slug], apis: [counts.apis], plans: [counts.plans], clients: [counts.clients], members: [counts.members] },
    orderBy: [ascending(organizations.slug)],
    page: query.page,
    pageSize: query.pageSize,
  });
  return { rows: rows.map((row) => ({ ...row, role: actor.roles.get(row.id) ?? null })), total };
}

export interface MemberSummary {
  userId: string;
  name: string;
  email: string;
  role: Role;
  since: Date;
}

export const MEMBER_SORTS = ["name", "email", "role", "since"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
export const DEFAULT_MEMBER_SORT = { id: "name", desc: false } as const satisfies { id: MemberSort; desc: boolean };

/** The URL params of an organization's Members tab. */
export const memberListParams = listParamsSchema({ sortable: MEMBER_SORTS, defaultSort: DEFAULT_MEMBER_SORT });

/**
 * A page of the organization's members (orgView), with the number of owners in the whole
 * organization: the only owner can neither step down nor leave.
 */
export async function listOrganizationMembers(db: Queryable, actor: Actor, orgId: string, query: ListQuery<MemberSort> = {}): Promise<ListPage<MemberSummary> & { ownerCount: number }> {
  requireManagementView(actor, orgId, "orgView");
  const { rows, total } = await pagedList({
    db,
    query: () =>
      db
        .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .$dynamic(),
    where: eq(memberships.orgId, orgId),
    search: [users.name, users.email],
    q: query.q,
    sort: query.sort ?? DEFAULT_MEMBER_SORT,
    sortColumns: { name: [users.name], email: [users.email], role: [memberships.role], since: [memberships.createdAt] },
    orderBy: [ascending(users.email)],
    page: query.page,
    pageSize: query.pageSize,
  });
  return { rows, total, ownerCount: await countOwners(db, orgId) };
}

/** One member of the organization (orgView); not_found for anyone who is not a member, or a malformed id. */
export async function getOrganizationMember(db: Queryable, actor: Actor, orgId: string, userId: string): Promise<MemberSummary> {
  requireManagementView(actor, orgId, "orgView");
  if (!z.uuid().safeParse(userId).success) throw new DomainError("not_found", "That user is not a member.");
  const [member] = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!member) throw new DomainError("not_found", "That user is not a member.");
  return member;
}

async function countOwners(db: Queryable, orgId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")));
  return row.n;
}

/** The organization page's heading: the organization, the actor's role and what the actor may do there. */
export async function getOrganizationOverview(db: Queryable, actor: Actor, slug: string) {
  const org = await requireManagedOrganization(db, actor, slug);
  return { org, can: organizationPermissions(actor, org.id), role: actor.roles.get(org.id) ?? null };
}

export type OrganizationOverview = Awaited<ReturnType<typeof getOrganizationOverview>>;

export interface MyOrganization {
  slug: string;
  name: string;
  role: Role;
}

/** The organizations the actor is a member of, with the actor's role in each, by name. */
export async function listMyOrganizations(db: Queryable, actor: Actor): Promise<MyOrganization[]> {
  return db
    .select({ slug: organizations.slug, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, actor.userId))
    .orderBy(asc(organizations.name), asc(organizations.slug));
}
