import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, CONTRACT_STATUSES, organizations, plans, planVersions, users } from "@/db/schema";
import { managedEndpoint } from "../catalog";
import { DomainError } from "../errors";
import { listParamsSchema, oneOf } from "../list-params";
import { type ListColumn, pagedList, totalOverPages, wordsMatch } from "../lists";
import type { Actor } from "../permissions";
import { type ContractStatus, contractStatusRank, LIVE_CONTRACT_STATUSES } from "./statuses";
import { visibleContractsCondition } from "./visibility";

/** Columns a contract list can be sorted by. */
export const CONTRACT_SORT_KEYS = ["client", "clientVersion", "api", "apiVersion", "plan", "status", "created", "createdBy", "endpoint"] as const;
export type ContractSortKey = (typeof CONTRACT_SORT_KEYS)[number];
export const DEFAULT_CONTRACT_SORT = { id: "created", desc: true } as const satisfies { id: ContractSortKey; desc: boolean };

export const MAX_CONTRACT_PAGE_SIZE = 500;

/**
 * The URL params of a Contracts tab (`contracts-q`, `-sort`, `-page`, `-status`, and `-plan` when
 * the tab offers the plans it may filter by).
 */
export function contractListParams(planVersionIds: readonly string[] = []) {
  return listParamsSchema({
    prefix: "contracts-",
    sortable: CONTRACT_SORT_KEYS,
    defaultSort: DEFAULT_CONTRACT_SORT,
    filters: { status: oneOf(CONTRACT_STATUSES), plan: oneOf(planVersionIds) },
  });
}

export interface ListContractsOptions {
  /** One contract (a contract's own page, the API's GET /contracts/{id}). */
  contractId?: string;
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
  /** Why it was rejected, broken or suspended by the provider. */
  reason: string | null;
  createdAt: Date;
  decidedAt: Date | null;
  endedAt: Date | null;
  /** When it ends (a trial, or a date the provider set); null: no end. */
  endsAt: Date | null;
  /** The plan version a pending plan change asks for; null when none is pending. */
  pendingPlanVersionId: string | null;
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

/** The organizations of a contract's client and API, as every contract list joins them. */
export const clientOrg = alias(organizations, "client_org");
export const apiOrg = alias(organizations, "api_org");

/** The contract status as people read it, for searching ("awaiting" finds pending requests). */
const statusWords = sql<string>`case ${contracts.status} when 'AwaitingApproval' then 'Awaiting approval' else ${contracts.status}::text end`;

/** Where the words of a contract search are looked for: both sides, their organizations, the plan, the status and the creator. */
const CONTRACT_SEARCH_COLUMNS: readonly ListColumn[] = [
  clients.name,
  clientVersions.version,
  apis.name,
  apis.slug,
  apiVersions.version,
  apiOrg.slug,
  apiOrg.name,
  clientOrg.name,
  plans.name,
  statusWords,
  users.name,
];

/** The joins every contract list needs: both sides with their organizations, the plan and the creator. */
export function withContractJoins<T extends PgSelect>(query: T) {
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

const CONTRACT_SORT_COLUMNS: Readonly<Record<ContractSortKey, readonly ListColumn[]>> = {
  client: [clients.name, clientVersions.version],
  clientVersion: [clientVersions.version, clients.name],
  api: [apis.name, apiVersions.version],
  apiVersion: [apiVersions.version, apis.name],
  plan: [plans.name, planVersions.version],
  status: [contractStatusRank(contracts.status)],
  created: [contracts.createdAt],
  createdBy: [users.name],
  endpoint: [apiOrg.slug, apis.slug, apiVersions.version],
};

/** The WHERE of a contract list: what the actor may see, narrowed by the options. */
function contractConditions(actor: Actor, options: ListContractsOptions): SQL | undefined {
  const statuses = options.status === undefined ? undefined : typeof options.status === "string" ? [options.status] : [...options.status];
  return and(
    visibleContractsCondition(actor, { clientOrgId: clients.orgId, apiOrgId: apis.orgId }),
    options.contractId ? eq(contracts.id, options.contractId) : undefined,
    options.clientVersionId ? eq(contracts.clientVersionId, options.clientVersionId) : undefined,
    options.clientVersionIds ? (options.clientVersionIds.length > 0 ? inArray(contracts.clientVersionId, [...options.clientVersionIds]) : sql`false`) : undefined,
    options.apiVersionId ? eq(contracts.apiVersionId, options.apiVersionId) : undefined,
    options.clientIds ? (options.clientIds.length > 0 ? inArray(clientVersions.clientId, [...options.clientIds]) : sql`false`) : undefined,
    options.planVersionId ? eq(contracts.planVersionId, options.planVersionId) : undefined,
    statuses ? (statuses.length > 0 ? inArray(contracts.status, statuses) : sql`false`) : undefined,
    wordsMatch(CONTRACT_SEARCH_COLUMNS, options.q),
  );
}

/** The clients that have at least one contract the actor may see matching the options (a search, say). */
export async function listContractClientIds(db: Queryable, actor: Actor, options: Omit<ListContractsOptions, "sort" | "page" | "pageSize">): Promise<string[]> {
  const rows = await withContractJoins(db.selectDistinct({ clientId: clientVersions.clientId }).from(contracts).$dynamic()).where(contractConditions(actor, options));
  return rows.map((r) => r.clientId);
}

/**
 * A page of contracts with everything a contracts table shows, filtered to those the actor may see.
 * One query: the total comes with the rows (a window count), and again on its own only when the
 * page asked for lies past the end.
 */
export async function listContracts(db: Queryable, actor: Actor, options: ListContractsOptions = {}): Promise<ContractPage> {
  const { rows, total, page, pageSize } = await pagedList({
    query: () =>
      withContractJoins(
        db
          .select({
            id: contracts.id,
            status: contracts.status,
            reason: contracts.reason,
            createdAt: contracts.createdAt,
            decidedAt: contracts.decidedAt,
            endedAt: contracts.endedAt,
            endsAt: contracts.endsAt,
            pendingPlanVersionId: contracts.pendingPlanVersionId,
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
      ),
    where: contractConditions(actor, options),
    sort: options.sort ?? DEFAULT_CONTRACT_SORT,
    sortColumns: CONTRACT_SORT_COLUMNS,
    orderBy: [desc(contracts.createdAt), asc(contracts.id)],
    page: options.page,
    pageSize: options.pageSize,
    defaultPageSize: 25,
    maxPageSize: MAX_CONTRACT_PAGE_SIZE,
  });
  return { rows: rows.map((row) => ({ ...row, endpoint: managedEndpoint(row.apiOrgSlug, row.apiSlug, row.apiVersion) })), total, page, pageSize };
}

const contractIdSchema = z.string().uuid();

/**
 * One contract as the contract tables show it. contract_not_found, never a hint, when it does not
 * exist, the id is malformed, or the actor may see neither of its sides.
 */
export async function getContract(db: Queryable, actor: Actor, contractId: string): Promise<ContractRow> {
  if (!contractIdSchema.safeParse(contractId).success) throw new DomainError("contract_not_found");
  const { rows } = await listContracts(db, actor, { contractId, pageSize: 1 });
  if (!rows[0]) throw new DomainError("contract_not_found");
  return rows[0];
}

/** How many contracts of an API version are live, and how many of those await approval. */
export async function countApiVersionContracts(db: Queryable, apiVersionId: string): Promise<{ live: number; pending: number }> {
  const [counts] = await db
    .select({
      live: sql<number>`count(*) filter (where ${inArray(contracts.status, LIVE_CONTRACT_STATUSES)})::int`,
      pending: sql<number>`count(*) filter (where ${contracts.status} = 'AwaitingApproval')::int`,
    })
    .from(contracts)
    .where(eq(contracts.apiVersionId, apiVersionId));
  return counts;
}
