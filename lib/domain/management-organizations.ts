import { asc, eq, getTableName, inArray, sql, type Column } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, memberships, organizations, plans, planVersions, users } from "@/db/schema";
import { apiVersionStatus, type ApiVersionStatus } from "./apis";
import { clientVersionStatus, type ClientVersionStatus, type ContractStatus } from "./clients";
import { organizationPermissions, requireManagedOrganization } from "./management-access";
import { type Actor, hasManagementAccess, isAdmin, type Role } from "./permissions";

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

/** The organizations shown on /manage: the actor's own, or every one for an admin. */
export async function listManagedOrganizations(db: Queryable, actor: Actor): Promise<ManagedOrganization[]> {
  if (!hasManagementAccess(actor)) return [];
  const ids = [...actor.roles.keys()];
  if (!isAdmin(actor) && ids.length === 0) return [];
  const countOf = (table: typeof apis | typeof plans | typeof clients | typeof memberships) =>
    sql<number>`(select count(*)::int from ${table} where ${qualified(table.orgId)} = ${qualified(organizations.id)})`;
  const rows = await db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      description: organizations.description,
      apiCount: countOf(apis),
      planCount: countOf(plans),
      clientCount: countOf(clients),
      memberCount: countOf(memberships),
    })
    .from(organizations)
    .where(isAdmin(actor) ? undefined : inArray(organizations.id, ids))
    .orderBy(asc(organizations.name), asc(organizations.slug));
  return rows.map((row) => ({ ...row, role: actor.roles.get(row.id) ?? null }));
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
  tags: string[];
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

function group<T extends { parentId: string }, P extends { id: string }, V>(parents: P[], children: T[], toVersion: (child: T) => V & { version: string }) {
  const byParent = new Map<string, (V & { version: string })[]>();
  for (const child of children) {
    const list = byParent.get(child.parentId) ?? [];
    list.push(toVersion(child));
    byParent.set(child.parentId, list);
  }
  return parents.map((parent) => ({ ...parent, versions: (byParent.get(parent.id) ?? []).sort((a, b) => compareVersions(a.version, b.version)) }));
}

export async function listOrganizationApis(db: Queryable, orgId: string): Promise<ApiSummary[]> {
  const rows = await db
    .select({ id: apis.id, slug: apis.slug, name: apis.name, description: apis.description, tags: apis.tags })
    .from(apis)
    .where(eq(apis.orgId, orgId))
    .orderBy(asc(apis.name));
  if (rows.length === 0) return [];
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
  return group(rows, versions, (v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) }));
}

export async function listOrganizationPlans(db: Queryable, orgId: string): Promise<PlanSummary[]> {
  const rows = await db
    .select({ id: plans.id, slug: plans.slug, name: plans.name, description: plans.description })
    .from(plans)
    .where(eq(plans.orgId, orgId))
    .orderBy(asc(plans.name));
  if (rows.length === 0) return [];
  const versions = await db
    .select({ id: planVersions.id, parentId: planVersions.planId, version: planVersions.version, status: planVersions.status })
    .from(planVersions)
    .where(inArray(planVersions.planId, rows.map((r) => r.id)));
  return group(rows, versions, (v) => ({ id: v.id, version: v.version, status: v.status }));
}

/** The statuses of a client version's contracts, which its own status is derived from. */
export const contractStatusesOf = (clientVersionId: Column) =>
  sql<ContractStatus[]>`coalesce((select array_agg(distinct ${qualified(contracts.status)}) from ${contracts} where ${qualified(contracts.clientVersionId)} = ${qualified(clientVersionId)}), '{}')`;

export async function listOrganizationClients(db: Queryable, orgId: string): Promise<ClientSummary[]> {
  const rows = await db
    .select({ id: clients.id, slug: clients.slug, name: clients.name, description: clients.description })
    .from(clients)
    .where(eq(clients.orgId, orgId))
    .orderBy(asc(clients.name));
  if (rows.length === 0) return [];
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
  return group(rows, versions, (v) => ({ id: v.id, version: v.version, status: clientVersionStatus(v, parseStatusArray(v.contractStatuses)) }));
}

/** array_agg of an enum arrives as a Postgres array literal from some drivers. */
export function parseStatusArray(value: ContractStatus[] | string): ContractStatus[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean) as ContractStatus[];
}

export async function listOrganizationMembers(db: Queryable, orgId: string): Promise<MemberSummary[]> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.name), asc(users.email));
}

/** Everything the organization page shows, each section only to those who may view it. */
export async function getOrganizationOverview(db: Queryable, actor: Actor, slug: string) {
  const org = await requireManagedOrganization(db, actor, slug);
  const can = organizationPermissions(actor, org.id);
  const [apiList, planList, clientList, members] = await Promise.all([
    can.apiView ? listOrganizationApis(db, org.id) : null,
    can.planView ? listOrganizationPlans(db, org.id) : null,
    can.clientView ? listOrganizationClients(db, org.id) : null,
    listOrganizationMembers(db, org.id),
  ]);
  return { org, can, role: actor.roles.get(org.id) ?? null, apis: apiList, plans: planList, clients: clientList, members };
}

export type OrganizationOverview = Awaited<ReturnType<typeof getOrganizationOverview>>;
