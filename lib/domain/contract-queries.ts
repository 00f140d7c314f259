import { and, asc, desc, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, organizations, plans, planVersions, users } from "@/db/schema";
import { managedEndpoint } from "./catalog";
import type { ContractStatus } from "./clients";
import { type Actor, hasPermission, isAdmin } from "./permissions";
import { countRows, pageTotal, totalOverPages } from "./paging";
import { searchWords } from "./text";

/** Columns a contract list can be sorted by. */
export const CONTRACT_SORT_KEYS = ["client", "clientVersion", "api", "apiVersion", "plan", "status", "created", "createdBy", "endpoint"] as const;
export type ContractSortKey = (typeof CONTRACT_SORT_KEYS)[number];
export const DEFAULT_CONTRACT_SORT = { id: "created", desc: true } as const satisfies { id: ContractSortKey; desc: boolean };

export const MAX_CONTRACT_PAGE_SIZE = 500;

export interface ListContractsOptions {
  /** Contracts of one client version (a client version's Contracts tab, a My Clients section). */
  clientVersionId?: string;
  /** Contracts of several client versions at once (My Clients renders a page of sections in one query). */
  clientVersionIds?: readonly string[];
  /** Contracts of one API version (an API version's Contracts tab). */
  apiVersionId?: string;
  /** Contracts of every version of these clients. */
  clientIds?: readonly string[];
  /** One status or several; all statuses when absent. */
  status?: ContractStatus | readonly ContractStatus[];
  planVersionId?: string;
  /** Words that must each appear in the client, API, organization, version, plan, status or creator. */
  q?: string;
  sort?: { id: ContractSortKey; desc: boolean };
  /** 1-based; default 1. */
  page?: number;
  /** Default 25, at most 500. */
  pageSize?: number;
}

/** One line of a contracts table: both sides, the plan, the state and the managed endpoint. */
export interface ContractRow {
  id: string;
  status: ContractStatus;
  /** Why it was rejected or broken by the provider. */
  reason: string | null;
  createdAt: Date;
  decidedAt: Date | null;
  endedAt: Date | null;
  createdByName: string | null;
  clientId: string;
  clientOrgId: string;
  clientOrgSlug: string;
  clientOrgName: string;
  clientSlug: string;
  clientName: string;
  clientVersionId: string;
  clientVersion: string;
  apiId: string;
  apiOrgId: string;
  apiOrgSlug: string;
  apiOrgName: string;
  apiSlug: string;
  apiName: string;
  apiVersionId: string;
  apiVersion: string;
  planVersionId: string;
  planSlug: string;
  planName: string;
  planVersion: string;
  /** `{gateway}/{org}/{api}/{version}/` */
  endpoint: string;
}

export interface ContractPage {
  rows: ContractRow[];
  total: number;
  page: number;
  pageSize: number;
}

const clientOrg = alias(organizations, "client_org");
const apiOrg = alias(organizations, "api_org");

/** The contract status as people read it, for searching ("awaiting" finds pending requests). */
const statusWords = sql<string>`case ${contracts.status} when 'AwaitingApproval' then 'Awaiting approval' else ${contracts.status}::text end`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Every word of `q` must appear in one of the contract's names; usable in any query that joins
 * the tables of listContracts (with the `client_org` and `api_org` aliases).
 */
export function contractSearchCondition(q: string): SQL | undefined {
  const words = searchWords(q);
  if (words.length === 0) return undefined;
  return and(
    ...words.map((word) => {
      const pattern = `%${escapeLike(word)}%`;
      return or(
        ilike(clients.name, pattern),
        ilike(clientVersions.version, pattern),
        ilike(apis.name, pattern),
        ilike(apis.slug, pattern),
        ilike(apiVersions.version, pattern),
        ilike(apiOrg.slug, pattern),
        ilike(apiOrg.name, pattern),
        ilike(clientOrg.name, pattern),
        ilike(plans.name, pattern),
        ilike(statusWords, pattern),
        ilike(users.name, pattern),
      );
    }),
  );
}

/**
 * The permission rule of contract lists: a contract is visible to clientView in the client's
 * organization or apiView in the API's organization; admins see all. Undefined means no restriction.
 */
function visibleTo(actor: Actor): SQL | undefined {
  if (isAdmin(actor)) return undefined;
  const clientOrgs: string[] = [];
  const apiOrgs: string[] = [];
  for (const orgId of actor.roles.keys()) {
    if (hasPermission(actor, orgId, "clientView")) clientOrgs.push(orgId);
    if (hasPermission(actor, orgId, "apiView")) apiOrgs.push(orgId);
  }
  const conditions = [clientOrgs.length > 0 ? inArray(clients.orgId, clientOrgs) : undefined, apiOrgs.length > 0 ? inArray(apis.orgId, apiOrgs) : undefined].filter(
    (c): c is SQL => c !== undefined,
  );
  return conditions.length > 0 ? or(...conditions) : sql`false`;
}

/** The joins every contract list needs: both sides with their organizations, the plan and the creator. */
function withJoins<T extends PgSelect>(query: T) {
  return query
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(clientOrg, eq(clientOrg.id, clients.orgId))
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(apiOrg, eq(apiOrg.id, apis.orgId))
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .leftJoin(users, eq(users.id, contracts.createdById));
}

function orderBy(sort: { id: ContractSortKey; desc: boolean }) {
  const dir = sort.desc ? desc : asc;
  const columns = {
    client: [clients.name, clientVersions.version],
    clientVersion: [clientVersions.version, clients.name],
    api: [apis.name, apiVersions.version],
    apiVersion: [apiVersions.version, apis.name],
    plan: [plans.name, planVersions.version],
    // The enum's order: Awaiting approval, Active, Rejected, Withdrawn, Broken.
    status: [contracts.status],
    created: [contracts.createdAt],
    createdBy: [users.name],
    endpoint: [apiOrg.slug, apis.slug, apiVersions.version],
  }[sort.id];
  return [...columns.map((c) => dir(c)), desc(contracts.createdAt), asc(contracts.id)];
}

/** The WHERE of a contract list: what the actor may see, narrowed by the options. */
function contractConditions(actor: Actor, options: ListContractsOptions): SQL | undefined {
  const statuses = options.status === undefined ? undefined : typeof options.status === "string" ? [options.status] : [...options.status];
  return and(
    visibleTo(actor),
    options.clientVersionId ? eq(contracts.clientVersionId, options.clientVersionId) : undefined,
    options.clientVersionIds ? (options.clientVersionIds.length > 0 ? inArray(contracts.clientVersionId, [...options.clientVersionIds]) : sql`false`) : undefined,
    options.apiVersionId ? eq(contracts.apiVersionId, options.apiVersionId) : undefined,
    options.clientIds ? (options.clientIds.length > 0 ? inArray(clientVersions.clientId, [...options.clientIds]) : sql`false`) : undefined,
    options.planVersionId ? eq(contracts.planVersionId, options.planVersionId) : undefined,
    statuses ? (statuses.length > 0 ? inArray(contracts.status, statuses) : sql`false`) : undefined,
    options.q ? contractSearchCondition(options.q) : undefined,
  );
}

/** The clients that have at least one contract the actor may see matching the options (a search, say). */
export async function listContractClientIds(db: Queryable, actor: Actor, options: Omit<ListContractsOptions, "sort" | "page" | "pageSize">): Promise<string[]> {
  const rows = await withJoins(db.selectDistinct({ clientId: clientVersions.clientId }).from(contracts).$dynamic()).where(contractConditions(actor, options));
  return rows.map((r) => r.clientId);
}

/**
 * A page of contracts with everything a contracts table shows, filtered to those the actor may see.
 * One query: the total comes with the rows (a window count), and again on its own only when the
 * page asked for lies past the end.
 */
export async function listContracts(db: Queryable, actor: Actor, options: ListContractsOptions = {}): Promise<ContractPage> {
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? 25)), MAX_CONTRACT_PAGE_SIZE);
  const page = Math.max(1, Math.floor(options.page ?? 1));

  const where = contractConditions(actor, options);

  const found = await withJoins(
    db
      .select({
        id: contracts.id,
        status: contracts.status,
        reason: contracts.reason,
        createdAt: contracts.createdAt,
        decidedAt: contracts.decidedAt,
        endedAt: contracts.endedAt,
        createdByName: users.name,
        clientId: clients.id,
        clientOrgId: clients.orgId,
        clientOrgSlug: clientOrg.slug,
        clientOrgName: clientOrg.name,
        clientSlug: clients.slug,
        clientName: clients.name,
        clientVersionId: clientVersions.id,
        clientVersion: clientVersions.version,
        apiId: apis.id,
        apiOrgId: apis.orgId,
        apiOrgSlug: apiOrg.slug,
        apiOrgName: apiOrg.name,
        apiSlug: apis.slug,
        apiName: apis.name,
        apiVersionId: apiVersions.id,
        apiVersion: apiVersions.version,
        planVersionId: planVersions.id,
        planSlug: plans.slug,
        planName: plans.name,
        planVersion: planVersions.version,
        total: totalOverPages(),
      })
      .from(contracts)
      .$dynamic(),
  )
    .where(where)
    .orderBy(...orderBy(options.sort ?? DEFAULT_CONTRACT_SORT))
    .limit(pageSize)
    .offset((page - 1) * pageSize);

  const total = await pageTotal(found, page, async () => {
    const [row] = await withJoins(db.select({ n: countRows() }).from(contracts).$dynamic()).where(where);
    return row.n;
  });

  const rows = found.map(({ total: _total, ...row }) => ({ ...row, endpoint: managedEndpoint(row.apiOrgSlug, row.apiSlug, row.apiVersion) }));
  return { rows, total, page, pageSize };
}
