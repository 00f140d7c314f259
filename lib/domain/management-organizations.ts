import { and, asc, desc, eq, getTableName, ilike, inArray, or, sql, type Column, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, memberships, organizations, plans, planVersions, users } from "@/db/schema";
import { apiVersionStatus, type ApiVersionStatus } from "./apis";
import { clientVersionStatus, type ClientVersionStatus, type ContractStatus } from "./clients";
import { DomainError } from "./errors";
import { organizationPermissions, requireManagedOrganization } from "./management-access";
import { type Actor, hasManagementAccess, hasPermission, isAdmin, type Permission, type Role } from "./permissions";
import { countRows, pageTotal, totalOverPages } from "./paging";
import { searchWords } from "./text";

/**
 * A column named with its table. Drizzle leaves the table out of column names in single-table
 * queries, which would make a correlated subquery compare a column with itself.
 */
export function qualified(column: Column) {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/** Orders version strings the way people read them: 1.2 before 1.10. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

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

/**
 * The organizations shown on /manage, a page at a time: the actor's own, or every one for an
 * admin (personal organizations included, hence the paging). None for portal users.
 */
export async function listManagedOrganizations(db: Queryable, actor: Actor, query: ListQuery<OrganizationSort> = {}): Promise<ListPage<ManagedOrganization>> {
  if (!hasManagementAccess(actor)) return { rows: [], total: 0 };
  const ids = [...actor.roles.keys()];
  if (!isAdmin(actor) && ids.length === 0) return { rows: [], total: 0 };
  const countOf = (table: typeof apis | typeof plans | typeof clients | typeof memberships) =>
    sql<number>`(select count(*)::int from ${table} where ${qualified(table.orgId)} = ${qualified(organizations.id)})`;
  const counts = { apis: countOf(apis), plans: countOf(plans), clients: countOf(clients), members: countOf(memberships) };
  const { limit, offset } = paging(query);
  const where = and(isAdmin(actor) ? undefined : inArray(organizations.id, ids), searchCondition(query.q, [organizations.name, organizations.slug, organizations.description]));
  const direction = query.sort?.desc ? desc : asc;
  const sortBy = query.sort?.id ?? "name";
  const sortColumn = sortBy === "name" ? organizations.name : sortBy === "slug" ? organizations.slug : counts[sortBy];
  const rows = await db
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
    .where(where)
    .orderBy(direction(sortColumn), asc(organizations.slug))
    .limit(limit)
    .offset(offset);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(organizations).where(where);
  return { rows: rows.map((row) => ({ ...row, role: actor.roles.get(row.id) ?? null })), total };
}

export interface VersionSummary<S> {
  id: string;
  version: string;
  status: S;
}

export interface ApiSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  versions: VersionSummary<ApiVersionStatus>[];
}

export interface PlanSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  versions: VersionSummary<"Created" | "Locked">[];
}

export interface ClientSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  versions: VersionSummary<ClientVersionStatus>[];
}

export interface MemberSummary {
  userId: string;
  name: string;
  email: string;
  role: Role;
  since: Date;
}

/** Columns the API, plan and client lists of an organization sort by. */
export const VERSIONED_SORTS = ["name", "slug"] as const;
export type VersionedSort = (typeof VERSIONED_SORTS)[number];
export const MEMBER_SORTS = ["name", "email", "role", "since"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

/** One page of a list: filter words, a sort column and direction, a 1-based page. */
export interface ListQuery<S extends string> {
  q?: string;
  sort?: { id: S; desc: boolean };
  page?: number;
  pageSize?: number;
}

export interface ListPage<T> {
  rows: T[];
  total: number;
}

function paging(query: ListQuery<string>) {
  const pageSize = Math.min(Math.max(1, Math.trunc(query.pageSize ?? 20)), 100);
  const page = Math.max(1, Math.trunc(query.page ?? 1));
  return { limit: pageSize, offset: (page - 1) * pageSize, page };
}

/** Every word must appear in one of the columns, case-insensitively. */
function searchCondition(q: string | undefined, columns: Column[]): SQL | undefined {
  const words = searchWords(q);
  if (words.length === 0) return undefined;
  return and(...words.map((word) => or(...columns.map((column) => ilike(column, `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)))));
}

/** The list's view permission in the organization, or not_found as for the page itself. */
function requireView(actor: Actor, orgId: string, permission: Permission): void {
  if (!hasManagementAccess(actor) || !hasPermission(actor, orgId, permission)) throw new DomainError("not_found", "That organization does not exist.");
}

type Parent = { id: string; slug: string; name: string; description: string };

/** A page of an organization's APIs, plans or clients (the parents of versions), with the total. */
async function parentPage(db: Queryable, table: typeof apis | typeof plans | typeof clients, orgId: string, query: ListQuery<VersionedSort>): Promise<ListPage<Parent>> {
  const { limit, offset, page } = paging(query);
  const where = and(eq(table.orgId, orgId), searchCondition(query.q, [table.name, table.slug, table.description]));
  const direction = query.sort?.desc ? desc : asc;
  const sortColumn = query.sort?.id === "slug" ? table.slug : table.name;
  const rows = await db
    .select({ id: table.id, slug: table.slug, name: table.name, description: table.description, total: totalOverPages() })
    .from(table)
    .where(where)
    .orderBy(direction(sortColumn), asc(table.slug))
    .limit(limit)
    .offset(offset);
  const total = await pageTotal(rows, page, async () => (await db.select({ n: countRows() }).from(table).where(where))[0].n);
  return { rows: rows.map(({ total: _total, ...row }) => row), total };
}

function group<T extends { parentId: string }, P extends { id: string }, V>(parents: P[], children: T[], toVersion: (child: T) => V & { version: string }) {
  const byParent = new Map<string, (V & { version: string })[]>();
  for (const child of children) {
    const list = byParent.get(child.parentId) ?? [];
    list.push(toVersion(child));
    byParent.set(child.parentId, list);
  }
  return parents.map((parent) => ({ ...parent, versions: (byParent.get(parent.id) ?? []).sort((a, b) => compareVersions(a.version, b.version)) }));
}

/** A page of the organization's APIs, each with its versions and their derived statuses (apiView). */
export async function listOrganizationApis(db: Queryable, actor: Actor, orgId: string, query: ListQuery<VersionedSort> = {}): Promise<ListPage<ApiSummary>> {
  requireView(actor, orgId, "apiView");
  const { rows, total } = await parentPage(db, apis, orgId, query);
  if (rows.length === 0) return { rows: [], total };
  const versions = await db
    .select({
      id: apiVersions.id,
      parentId: apiVersions.apiId,
      version: apiVersions.version,
      status: apiVersions.status,
      endpoint: apiVersions.endpoint,
      isPublic: apiVersions.isPublic,
      planCount: sql<number>`(select count(*)::int from ${apiPlans} where ${qualified(apiPlans.apiVersionId)} = ${qualified(apiVersions.id)})`,
    })
    .from(apiVersions)
    .where(inArray(apiVersions.apiId, rows.map((r) => r.id)));
  return { rows: group(rows, versions, (v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) })), total };
}

/** A page of the organization's plans, each with its versions (planView). */
export async function listOrganizationPlans(db: Queryable, actor: Actor, orgId: string, query: ListQuery<VersionedSort> = {}): Promise<ListPage<PlanSummary>> {
  requireView(actor, orgId, "planView");
  const { rows, total } = await parentPage(db, plans, orgId, query);
  if (rows.length === 0) return { rows: [], total };
  const versions = await db
    .select({ id: planVersions.id, parentId: planVersions.planId, version: planVersions.version, status: planVersions.status })
    .from(planVersions)
    .where(inArray(planVersions.planId, rows.map((r) => r.id)));
  return { rows: group(rows, versions, (v) => ({ id: v.id, version: v.version, status: v.status })), total };
}

/** The statuses of a client version's contracts, which its own status is derived from. */
export const contractStatusesOf = (clientVersionId: Column) =>
  sql<ContractStatus[]>`coalesce((select array_agg(distinct ${qualified(contracts.status)}) from ${contracts} where ${qualified(contracts.clientVersionId)} = ${qualified(clientVersionId)}), '{}')`;

/** A page of the organization's clients, each with its versions and their derived statuses (clientView). */
export async function listOrganizationClients(db: Queryable, actor: Actor, orgId: string, query: ListQuery<VersionedSort> = {}): Promise<ListPage<ClientSummary>> {
  requireView(actor, orgId, "clientView");
  const { rows, total } = await parentPage(db, clients, orgId, query);
  if (rows.length === 0) return { rows: [], total };
  const versions = await db
    .select({
      id: clientVersions.id,
      parentId: clientVersions.clientId,
      version: clientVersions.version,
      retiredAt: clientVersions.retiredAt,
      contractStatuses: contractStatusesOf(clientVersions.id),
    })
    .from(clientVersions)
    .where(inArray(clientVersions.clientId, rows.map((r) => r.id)));
  return { rows: group(rows, versions, (v) => ({ id: v.id, version: v.version, status: clientVersionStatus(v, parseStatusArray(v.contractStatuses)) })), total };
}

/** array_agg of an enum arrives as a Postgres array literal from some drivers. */
export function parseStatusArray(value: ContractStatus[] | string): ContractStatus[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean) as ContractStatus[];
}

/**
 * A page of the organization's members (orgView), with the number of owners in the whole
 * organization: the only owner can neither step down nor leave.
 */
export async function listOrganizationMembers(db: Queryable, actor: Actor, orgId: string, query: ListQuery<MemberSort> = {}): Promise<ListPage<MemberSummary> & { ownerCount: number }> {
  requireView(actor, orgId, "orgView");
  const { limit, offset } = paging(query);
  const where = and(eq(memberships.orgId, orgId), searchCondition(query.q, [users.name, users.email]));
  const direction = query.sort?.desc ? desc : asc;
  const sortColumn = { name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt }[query.sort?.id ?? "name"];
  const rows = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(where)
    .orderBy(direction(sortColumn), asc(users.email))
    .limit(limit)
    .offset(offset);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(where);
  return { rows, total, ownerCount: await countOwners(db, orgId) };
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
