import { and, type Column, eq, inArray, or, type SQL, sql, type SQLWrapper } from "drizzle-orm";
import { alias, type PgSelect, union } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, CONTRACT_STATUSES, contractStatusRankSql, organizations, plans, planVersions, users } from "@/db/schema";
import { managedEndpoint } from "../catalog";
import { DomainError } from "../errors";
import { listParamsSchema, oneOf } from "../list-params";
import { ascending, countUpTo, descending, type ListColumn, type PageRead, pagedList, qualified, wordsMatch } from "../lists";
import { searchWords } from "../text";
import { type Actor, hasPermission } from "../permissions";
import { type ContractStatus, LIVE_CONTRACT_STATUSES } from "./statuses";
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
  /** 1-based; default 1. Negative counts from the end: -1 is the last page. */
  page?: number;
  /** Default 25, at most 500. */
  pageSize?: number;
  /** The total is counted up to this many (TOTAL_CAP by default); one more means more. */
  totalCap?: number;
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
const statusWords = (status: ContractStatus) => (status === "AwaitingApproval" ? "Awaiting approval" : status);

/** The ids a candidate query finds, to be read up to a bound. */
type CandidateQuery = SQLWrapper & { limit(limit: number): PromiseLike<{ id: string }[]> };

/** A word's candidates in one column are passed to the list by id up to this many; past it, as their query. */
const LISTED_CANDIDATES = 10_000;

/**
 * `column` among the ids `candidates` (a factory: each call a new query) finds, undefined when it
 * finds none. Up to LISTED_CANDIDATES ids are read first and passed as one array: the list's
 * count and page then reuse them, and the planner knows how many they are, so a rare word reads
 * its contracts through an index instead of scanning the list.
 */
async function amongCandidates(column: Column, candidates: () => CandidateQuery): Promise<SQL | undefined> {
  const found = await candidates().limit(LISTED_CANDIDATES + 1);
  if (found.length === 0) return undefined;
  if (found.length > LISTED_CANDIDATES) return sql`${column} in (${candidates()})`;
  return sql`${column} = any(${sql.param(found.map((row) => row.id))}::uuid[])`;
}

/**
 * Where a word of a contract search is looked for: both sides, their organizations, the plan, the
 * status and the creator. The sides, plans and creators matching it are found in their own tables
 * first, each column through its trigram index (a union rather than an OR, which no index serves),
 * so a search reads each contract once, by its ids, instead of joining every table to every
 * contract before filtering.
 */
async function contractWordMatch(db: Queryable, word: string): Promise<SQL> {
  const has = (...columns: ListColumn[]) => wordsMatch(columns, word);
  const clientVersionIds = () => {
    const clientOrgIds = db.select({ id: clientOrg.id }).from(clientOrg).where(has(clientOrg.name));
    const clientIds = union(
      db.select({ id: clients.id }).from(clients).where(has(clients.name)),
      db.select({ id: clients.id }).from(clients).where(inArray(clients.orgId, clientOrgIds)),
    );
    return union(
      db.select({ id: clientVersions.id }).from(clientVersions).where(has(clientVersions.version)),
      db.select({ id: clientVersions.id }).from(clientVersions).where(inArray(clientVersions.clientId, clientIds)),
    );
  };
  const apiVersionIds = () => {
    const apiOrgIds = db.select({ id: apiOrg.id }).from(apiOrg).where(has(apiOrg.slug, apiOrg.name));
    const apiIds = db.select({ id: apis.id }).from(apis).where(or(has(apis.name, apis.slug), inArray(apis.orgId, apiOrgIds)));
    return db.select({ id: apiVersions.id }).from(apiVersions).where(or(has(apiVersions.version), inArray(apiVersions.apiId, apiIds))).$dynamic();
  };
  const planVersionIds = () => db.select({ id: planVersions.id }).from(planVersions).innerJoin(plans, eq(plans.id, planVersions.planId)).where(has(plans.name)).$dynamic();
  const creatorIds = () => db.select({ id: users.id }).from(users).where(has(users.name)).$dynamic();
  // The status as people read it ("awaiting" finds pending requests), matched here rather than on every row.
  const statuses = CONTRACT_STATUSES.filter((status) => statusWords(status).toLowerCase().includes(word.toLowerCase()));
  const matches = [
    await amongCandidates(contracts.clientVersionId, clientVersionIds),
    await amongCandidates(contracts.apiVersionId, apiVersionIds),
    await amongCandidates(contracts.planVersionId, planVersionIds),
    statuses.length > 0 ? inArray(contracts.status, statuses) : undefined,
    await amongCandidates(contracts.createdById, creatorIds),
  ].filter((match) => match !== undefined);
  return or(...matches) ?? sql`false`;
}

/** Every word of `q` must appear in one of the places contractWordMatch looks; undefined when `q` holds no word. */
async function contractWordsMatch(db: Queryable, q: string | undefined): Promise<SQL | undefined> {
  const words = searchWords(q);
  if (words.length === 0) return undefined;
  const each: SQL[] = [];
  // One word after the other: a transaction runs one query at a time.
  for (const word of words) each.push(await contractWordMatch(db, word));
  return and(...each);
}

/** The tables a contract list may join besides contracts (clientOrg and apiOrg are the aliases above). */
type ContractJoin = "clientVersions" | "clients" | "clientOrg" | "apiVersions" | "apis" | "apiOrg" | "planVersions" | "plans" | "users";
const ALL_CONTRACT_JOINS: ReadonlySet<ContractJoin> = new Set(["clientVersions", "clients", "clientOrg", "apiVersions", "apis", "apiOrg", "planVersions", "plans", "users"]);

/** The joins of `needed`, each with the ones it goes through (clients through client versions…). */
function withJoins<T extends PgSelect>(query: T, needed: ReadonlySet<ContractJoin>): T {
  const has = (...names: ContractJoin[]) => names.some((name) => needed.has(name));
  let joined: PgSelect = query;
  if (has("clientVersions", "clients", "clientOrg")) joined = joined.innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId));
  if (has("clients", "clientOrg")) joined = joined.innerJoin(clients, eq(clients.id, clientVersions.clientId));
  if (has("clientOrg")) joined = joined.innerJoin(clientOrg, eq(clientOrg.id, clients.orgId));
  if (has("apiVersions", "apis", "apiOrg")) joined = joined.innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId));
  if (has("apis", "apiOrg")) joined = joined.innerJoin(apis, eq(apis.id, apiVersions.apiId));
  if (has("apiOrg")) joined = joined.innerJoin(apiOrg, eq(apiOrg.id, apis.orgId));
  if (has("planVersions", "plans")) joined = joined.innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId));
  if (has("plans")) joined = joined.innerJoin(plans, eq(plans.id, planVersions.planId));
  if (has("users")) joined = joined.leftJoin(users, eq(users.id, contracts.createdById));
  return joined as T;
}

/** The joins every contract list needs: both sides with their organizations, the plan and the creator. */
export function withContractJoins<T extends PgSelect>(query: T) {
  return withJoins(query, ALL_CONTRACT_JOINS);
}

/**
 * Sorts whose columns hold one value across the contracts of one API version, or of one client
 * version: within such a list they order by the tie-breakers alone, and need no join.
 */
const SAME_IN_SCOPE: { apiVersionId: readonly ContractSortKey[]; clientVersionId: readonly ContractSortKey[] } = {
  apiVersionId: ["api", "apiVersion", "endpoint"],
  clientVersionId: ["client", "clientVersion"],
};

/** What each sort joins to order by its columns. */
const SORT_JOINS: Readonly<Record<ContractSortKey, readonly ContractJoin[]>> = {
  client: ["clients"],
  clientVersion: ["clients"],
  api: ["apis"],
  apiVersion: ["apis"],
  plan: ["plans"],
  status: [],
  created: [],
  createdBy: ["users"],
  endpoint: ["apiOrg"],
};

const CONTRACT_SORT_COLUMNS: Readonly<Record<ContractSortKey, readonly ListColumn[]>> = {
  client: [clients.name, clientVersions.version],
  clientVersion: [clientVersions.version, clients.name],
  api: [apis.name, apiVersions.version],
  apiVersion: [apiVersions.version, apis.name],
  plan: [plans.name, planVersions.version],
  status: [contractStatusRankSql(contracts.status)],
  created: [contracts.createdAt],
  createdBy: [users.name],
  endpoint: [apiOrg.slug, apis.slug, apiVersions.version],
};

/**
 * Sorts whose first columns live in a table the contracts refer to (a plan, a creator, a client
 * version): no index on contracts holds that order. Within one API version's contracts, their
 * pages are read by walking the referred table in the sort's order and taking, for each of its
 * rows, the first contracts through the index (api version, referred id, created, id): see
 * walkedPage. A shorter list is sorted as a whole: that costs little, and less than a walk
 * through a referred table much longer than the list.
 */
const WALKED_SORTS: ReadonlySet<ContractSortKey> = new Set(["plan", "createdBy", "clientVersion"]);
/** Lists of up to this many contracts (and counted to the end) are sorted as a whole rather than walked. */
const WALK_ABOVE = 5_000;

/** The ids a query of contract ids answers, in its order. */
async function readIds(db: Queryable, query: SQL): Promise<{ id: string }[]> {
  const result = (await db.execute(query)) as unknown as { rows: { id: string }[] };
  return result.rows;
}

const direction = (isDescending: boolean) => sql.raw(isDescending ? "desc" : "asc");

/**
 * The ids of one page of an API version's contracts in a walked sort (see WALKED_SORTS), in the
 * same order as the sorted query: the sort's columns, then newest first, then by id. Each row of
 * the referred table contributes at most offset + limit contracts, read in the tie-breakers'
 * order through an index, so a page costs what its rows and the referred rows walked cost, not
 * what the API version's contracts do.
 */
function walkedPage(db: Queryable, sort: { id: ContractSortKey; desc: boolean }, joins: readonly ContractJoin[], read: PageRead) {
  const keys = direction(sort.desc !== read.reversed);
  // The tie-breakers: newest first, then by id; mirrored when the page is read from the end.
  const newest = direction(!read.reversed);
  const byId = direction(read.reversed);
  const needed = read.offset + read.limit;
  /** The first `needed` contracts of the list whose reference satisfies `link`, in the tie-breakers' order. */
  const probe = (link: SQL) =>
    withJoins(db.select({ id: contracts.id, createdAt: contracts.createdAt }).from(contracts).$dynamic(), new Set(joins))
      .where(and(read.where, link))
      .orderBy(sql`${contracts.createdAt} ${newest}`, sql`${contracts.id} ${byId}`)
      .limit(needed);
  const page = sql`order by ${sql.raw("walked.key1")} ${keys}, ${sql.raw("walked.key2")} ${keys}, walked.created_at ${newest}, walked.id ${byId} limit ${read.limit} offset ${read.offset}`;
  if (sort.id === "plan") {
    // Plans are few: every plan version is probed, whether the API version offers it now or did.
    return sql`select walked.id from (
      select ${plans.name} as key1, ${planVersions.version} as key2, found.id, found.created_at
      from ${planVersions} inner join ${plans} on ${plans.id} = ${planVersions.planId}
      cross join lateral (${probe(sql`${qualified(contracts.planVersionId)} = ${qualified(planVersions.id)}`)}) found
    ) walked ${page}`;
  }
  if (sort.id === "createdBy") {
    // Contracts whose creator is gone sort as an empty name does in the sorted query: last, or first when descending.
    return sql`select walked.id from (
      select ${users.name} as key1, null::text as key2, found.id, found.created_at
      from ${users} cross join lateral (${probe(sql`${qualified(contracts.createdById)} = ${qualified(users.id)}`)}) found
      union all
      select null::text, null::text, found.id, found.created_at from (${probe(sql`${qualified(contracts.createdById)} is null`)}) found
    ) walked ${page}`;
  }
  // clientVersion: the version labels (few, found by skipping through their index), then under
  // each the clients by name, each client version's contracts probed in turn. The walked tables
  // have names of their own: the probe may join client versions and clients itself.
  return sql`with recursive labels(version) as (
      (select ${clientVersions.version} from ${clientVersions} order by 1 limit 1)
      union all
      select (select next.version from ${clientVersions} next where next.version > labels.version order by 1 limit 1) from labels where labels.version is not null
    )
    select walked.id from (
      select labels.version as key1, per_label.name as key2, per_label.id, per_label.created_at
      from labels cross join lateral (
        select walked_client.name, found.id, found.created_at
        from ${clientVersions} walked_version inner join ${clients} walked_client on walked_client.id = walked_version.client_id
        cross join lateral (${probe(sql`${qualified(contracts.clientVersionId)} = walked_version.id`)}) found
        where walked_version.version = labels.version
        order by walked_client.name ${keys}, found.created_at ${newest}, found.id ${byId}
        limit ${needed}
      ) per_label
      where labels.version is not null
    ) walked ${page}`;
}

/**
 * Whether every contract the options scope to is visible to the actor by that scope alone: an API
 * version of an organization where they view APIs, or a client version of one where they view
 * clients. Then the list needs neither the visibility condition nor the joins it reads.
 */
async function scopeIsVisible(db: Queryable, actor: Actor, options: ListContractsOptions): Promise<boolean> {
  if (options.apiVersionId) {
    const [owner] = await db.select({ orgId: apis.orgId }).from(apiVersions).innerJoin(apis, eq(apis.id, apiVersions.apiId)).where(eq(apiVersions.id, options.apiVersionId));
    if (owner && hasPermission(actor, owner.orgId, "apiView")) return true;
  }
  if (options.clientVersionId) {
    const [owner] = await db.select({ orgId: clients.orgId }).from(clientVersions).innerJoin(clients, eq(clients.id, clientVersions.clientId)).where(eq(clientVersions.id, options.clientVersionId));
    if (owner && hasPermission(actor, owner.orgId, "clientView")) return true;
  }
  return false;
}

/** The WHERE of a contract list, and the joins it reads: what the actor may see, narrowed by the options. */
async function contractConditions(db: Queryable, actor: Actor, options: ListContractsOptions): Promise<{ where: SQL | undefined; joins: ContractJoin[] }> {
  const statuses = options.status === undefined ? undefined : typeof options.status === "string" ? [options.status] : [...options.status];
  const visibility = visibleContractsCondition(actor, { clientOrgId: clients.orgId, apiOrgId: apis.orgId });
  const visible = visibility === undefined || (await scopeIsVisible(db, actor, options)) ? undefined : visibility;
  const words = await contractWordsMatch(db, options.q);
  const joins: ContractJoin[] = [...(visible ? (["clients", "apis"] as const) : []), ...(options.clientIds ? (["clientVersions"] as const) : [])];
  const where = and(
    visible,
    options.contractId ? eq(contracts.id, options.contractId) : undefined,
    options.clientVersionId ? eq(contracts.clientVersionId, options.clientVersionId) : undefined,
    options.clientVersionIds ? (options.clientVersionIds.length > 0 ? inArray(contracts.clientVersionId, [...options.clientVersionIds]) : sql`false`) : undefined,
    options.apiVersionId ? eq(contracts.apiVersionId, options.apiVersionId) : undefined,
    options.clientIds ? (options.clientIds.length > 0 ? inArray(clientVersions.clientId, [...options.clientIds]) : sql`false`) : undefined,
    options.planVersionId ? eq(contracts.planVersionId, options.planVersionId) : undefined,
    statuses ? (statuses.length > 0 ? inArray(contracts.status, statuses) : sql`false`) : undefined,
    words,
  );
  return { where, joins };
}

/**
 * The clients that have at least one contract the actor may see matching the options (a search,
 * say), as a subquery: a list filters by it in the database, however many clients it holds.
 */
export async function contractClientIdsQuery(db: Queryable, actor: Actor, options: Omit<ListContractsOptions, "sort" | "page" | "pageSize">): Promise<SQL> {
  const { where, joins } = await contractConditions(db, actor, options);
  const clientIds = withJoins(db.selectDistinct({ clientId: clientVersions.clientId }).from(contracts).$dynamic(), new Set([...joins, "clientVersions"])).where(where);
  // Embedded as a query, in parentheses.
  return sql`${clientIds}`;
}

/**
 * A page of contracts with everything a contracts table shows, filtered to those the actor may see.
 * The page's ids are found first, joining only what the filter and the sort read, so that an
 * index in the list's order serves it; then the rows of those ids are read with every join.
 */
export async function listContracts(db: Queryable, actor: Actor, options: ListContractsOptions = {}): Promise<ContractPage> {
  const sort = options.sort ?? DEFAULT_CONTRACT_SORT;
  const { where, joins } = await contractConditions(db, actor, options);
  const sameInScope = (options.apiVersionId && SAME_IN_SCOPE.apiVersionId.includes(sort.id)) || (options.clientVersionId && SAME_IN_SCOPE.clientVersionId.includes(sort.id));
  const needed = new Set<ContractJoin>([...joins, ...(sameInScope ? [] : SORT_JOINS[sort.id])]);
  const walked = options.apiVersionId !== undefined && WALKED_SORTS.has(sort.id);
  const { rows: found, total, page, pageSize } = await pagedList({
    db,
    query: () => withJoins(db.select({ id: contracts.id }).from(contracts).$dynamic(), needed),
    // Counting needs only the joins the filter reads, not the sort's.
    countQuery: () => withJoins(db.select({ id: contracts.id }).from(contracts).$dynamic(), new Set(joins)),
    where,
    sort,
    sortColumns: sameInScope ? { ...CONTRACT_SORT_COLUMNS, [sort.id]: [] } : CONTRACT_SORT_COLUMNS,
    orderBy: [descending(contracts.createdAt), ascending(contracts.id)],
    page: options.page,
    pageSize: options.pageSize,
    defaultPageSize: 25,
    maxPageSize: MAX_CONTRACT_PAGE_SIZE,
    totalCap: options.totalCap,
    read: walked ? (read) => (read.capped || read.total > WALK_ABOVE ? readIds(db, walkedPage(db, sort, joins, read)) : undefined) : undefined,
  });
  const ids = found.map((row) => row.id);
  if (ids.length === 0) return { rows: [], total, page, pageSize };
  const loaded = await withContractJoins(
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
      })
      .from(contracts)
      .$dynamic(),
  ).where(inArray(contracts.id, ids));
  const byId = new Map(loaded.map((row) => [row.id, row]));
  const rows = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ ...row, endpoint: managedEndpoint(row.apiOrgSlug, row.apiSlug, row.apiVersion) }] : [];
  });
  return { rows, total, page, pageSize };
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

/**
 * How many contracts of an API version are live, and how many of those await approval, each
 * counted up to TOTAL_CAP (TOTAL_CAP + 1 stands for more; see formatTotal): a popular API's page
 * must not count every contract it has.
 */
export async function countApiVersionContracts(db: Queryable, apiVersionId: string): Promise<{ live: number; pending: number }> {
  const withStatus = (statuses: readonly ContractStatus[]) =>
    db
      .select({ id: contracts.id })
      .from(contracts)
      .where(and(eq(contracts.apiVersionId, apiVersionId), inArray(contracts.status, [...statuses])))
      .$dynamic();
  const live = await countUpTo(db, withStatus(LIVE_CONTRACT_STATUSES));
  const pending = await countUpTo(db, withStatus(["AwaitingApproval"]));
  return { live, pending };
}
