import { and, asc, desc, eq, inArray, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, contractStatusRankSql, memberships, organizations, plans, planVersions } from "@/db/schema";
import { canSeeApiVersion, findApiVersion } from "../apis/records";
import { managedEndpoint } from "../catalog";
import { liveContractWith, signingRefusal } from "../contracts/eligibility";
import { type ContractRow, type ContractSortKey, CONTRACT_SORT_KEYS, DEFAULT_CONTRACT_SORT, contractClientIdsQuery, listContracts, MAX_CONTRACT_PAGE_SIZE } from "../contracts/queries";
import { type ClientVersionStatus, clientVersionStatus, type ContractStatus, contractStatusesOf, ENDED_CONTRACT_STATUSES, LIVE_CONTRACT_STATUSES, parseStatusArray } from "../contracts/statuses";
import { DomainError } from "../errors";
import { fingerprintOfDigest, maskStoredApiKey } from "../keys";
import { listParamsSchema } from "../list-params";
import { ascending, compareVersions, descending, type ListColumn, type ListPage, type ListQuery, pagedList, pageWindow, sortOrder, type VersionedSort, type VersionedSummary, versionedParentPage, wordsMatch } from "../lists";
import { organizationPermissions, requireManagedOrganization } from "../organizations/access";
import { type Actor, hasPermission, memberOrgIdsWith, requireManagementView } from "../permissions";
import { isStorableText } from "../text";

/**
 * Where a client is read. `management`: an API Management page, for management profiles with the
 * view permission. `member`: the organization's own members wherever they work with their clients
 * (the REST API), where the role's clientView permission alone decides. Both answer not_found to
 * everyone else, so neither reveals what exists.
 */
export type ClientAccess = "management" | "member";

/** The organization of a client read with `access`; not_found for anyone who may not view its clients. */
export async function requireClientOrganization(db: Queryable, actor: Actor, slug: string, access: ClientAccess = "management") {
  if (access === "management") return requireManagedOrganization(db, actor, slug, "clientView");
  if (!isStorableText(slug)) throw new DomainError("not_found", "That organization does not exist.");
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  if (!org || !hasPermission(actor, org.id, "clientView")) throw new DomainError("not_found", "That organization does not exist.");
  return org;
}

/** The contracts My Clients lists by default: live ones, and rejected ones so their reason stays visible. */
export const MY_CLIENTS_CONTRACT_STATUSES: readonly ContractStatus[] = ["AwaitingApproval", "Active", "Suspended", "Rejected"];

/** With "Show ended contracts": the ended ones too (broken, withdrawn, expired), kept as history. */
export const MY_CLIENTS_ALL_CONTRACT_STATUSES: readonly ContractStatus[] = [...MY_CLIENTS_CONTRACT_STATUSES, ...ENDED_CONTRACT_STATUSES.filter((s) => s !== "Rejected")];

const shownStatuses = (includeEnded: boolean | undefined) => (includeEnded ? MY_CLIENTS_ALL_CONTRACT_STATUSES : MY_CLIENTS_CONTRACT_STATUSES);

export interface ClientVersionSummary {
  id: string;
  version: string;
  status: ClientVersionStatus;
  createdAt: Date;
  retiredAt: Date | null;
}

/** What the portal shows of a client version's keys: masked, never the key itself. */
export interface ApiKeySummary {
  masked: string;
  /** What the gateway's logs name the key by (see keyFingerprint). */
  fingerprint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** The key replaced by the last rotation, while it still works. */
  previous: { masked: string; fingerprint: string; expiresAt: Date; lastUsedAt: Date | null } | null;
}

/** A contract as My Clients lists it under its client version. */
export type MyClientContract = Pick<
  ContractRow,
  "id" | "clientVersionId" | "status" | "reason" | "createdAt" | "apiName" | "apiOrgSlug" | "apiSlug" | "apiVersionId" | "apiVersion" | "planName" | "planVersion" | "endpoint"
> &
  // Always filled; optional only so that row types built from this one before the contract lifecycle still fit.
  Partial<Pick<ContractRow, "endsAt" | "pendingPlanVersionId">>;

export interface MyClient {
  id: string;
  slug: string;
  name: string;
  description: string;
  orgId: string;
  orgSlug: string;
  orgName: string;
  canEdit: boolean;
  canAdmin: boolean;
  versions: ClientVersionSummary[];
  selected: ClientVersionSummary & { key: ApiKeySummary };
  /** Live contracts of the selected version, all of them even when a filter shows fewer. */
  liveContractCount: number;
  contracts: MyClientContract[];
}

export interface MyClientsOptions {
  /** Finds clients by name, and contracts by anything a contract row shows. */
  q?: string;
  sort?: { id: ContractSortKey; desc: boolean };
  page?: number;
  pageSize?: number;
  /** Client id -> version to show; the latest version that is not retired otherwise. */
  versions?: Readonly<Record<string, string>>;
  /** "Show ended contracts": broken, withdrawn and expired contracts too. */
  includeEnded?: boolean;
}

/**
 * The URL params of My Clients: `q` and `page` page the clients; `contracts-sort` orders the
 * contracts of every section.
 */
export const myClientsListParams = listParamsSchema();
export const myClientContractsListParams = listParamsSchema({ prefix: "contracts-", sortable: CONTRACT_SORT_KEYS, defaultSort: DEFAULT_CONTRACT_SORT });

/** The masked key of a client version and, while it still works, the one its last rotation replaced. */
export function apiKeySummary(version: typeof clientVersions.$inferSelect, now = new Date()): ApiKeySummary {
  const inGrace = version.previousApiKeyDigest && version.previousApiKeyExpiresAt && version.previousApiKeyExpiresAt > now;
  return {
    masked: maskStoredApiKey(version.id, { sealed: version.apiKeySealed, legacy: version.legacyApiKey }),
    fingerprint: fingerprintOfDigest(version.apiKeyDigest),
    createdAt: version.apiKeyCreatedAt,
    lastUsedAt: version.apiKeyLastUsedAt,
    previous: inGrace
      ? {
          masked: maskStoredApiKey(version.id, { sealed: version.previousApiKeySealed, legacy: version.legacyPreviousApiKey }),
          fingerprint: fingerprintOfDigest(version.previousApiKeyDigest!),
          expiresAt: version.previousApiKeyExpiresAt!,
          lastUsedAt: version.previousApiKeyLastUsedAt,
        }
      : null,
  };
}

/** From versions newest first: the wanted one, else the newest not retired, else the newest. */
function pickVersion<T extends { version: { version: string; retiredAt: Date | null } }>(versions: T[], wanted?: string): T {
  return versions.find((v) => v.version.version === wanted) ?? versions.find((v) => !v.version.retiredAt) ?? versions[0];
}

const apiOrg = alias(organizations, "api_org");

type LeanSortKey = Extract<ContractSortKey, "api" | "apiVersion" | "plan" | "status" | "endpoint" | "created">;
const LEAN_SORT_COLUMNS: Readonly<Record<LeanSortKey, readonly ListColumn[]>> = {
  api: [apis.name, apiVersions.version],
  apiVersion: [apiVersions.version, apis.name],
  plan: [plans.name, planVersions.version],
  status: [contractStatusRankSql(contracts.status)],
  endpoint: [apiOrg.slug, apis.slug, apiVersions.version],
  created: [contracts.createdAt],
};

/** The order of a My Clients section: a column it shows, else newest first. */
function leanOrder(sort: MyClientsOptions["sort"]) {
  const shown = sort && sort.id in LEAN_SORT_COLUMNS ? { id: sort.id as LeanSortKey, desc: sort.desc } : { id: "created" as const, desc: true };
  return sortOrder(shown, LEAN_SORT_COLUMNS, [descending(contracts.createdAt), ascending(contracts.id)]);
}

/**
 * The shown contracts of client versions the caller has already found visible (their clients come
 * from the actor's organizations): only the joins a My Clients row needs.
 */
async function listVersionContracts(db: Queryable, clientVersionIds: string[], sort: MyClientsOptions["sort"], statuses: readonly ContractStatus[]): Promise<MyClientContract[]> {
  if (clientVersionIds.length === 0) return [];
  const rows = await db
    .select({
      id: contracts.id,
      clientVersionId: contracts.clientVersionId,
      status: contracts.status,
      reason: contracts.reason,
      createdAt: contracts.createdAt,
      endsAt: contracts.endsAt,
      pendingPlanVersionId: contracts.pendingPlanVersionId,
      apiName: apis.name,
      apiOrgSlug: apiOrg.slug,
      apiSlug: apis.slug,
      apiVersionId: apiVersions.id,
      apiVersion: apiVersions.version,
      planName: plans.name,
      planVersion: planVersions.version,
    })
    .from(contracts)
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(apiOrg, eq(apiOrg.id, apis.orgId))
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(inArray(contracts.clientVersionId, clientVersionIds), inArray(contracts.status, [...statuses])))
    .orderBy(...leanOrder(sort));
  return rows.map((row) => ({ ...row, endpoint: managedEndpoint(row.apiOrgSlug, row.apiSlug, row.apiVersion) }));
}

function leanContract(row: ContractRow): MyClientContract {
  return {
    id: row.id,
    clientVersionId: row.clientVersionId,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt,
    endsAt: row.endsAt,
    pendingPlanVersionId: row.pendingPlanVersionId,
    apiName: row.apiName,
    apiOrgSlug: row.apiOrgSlug,
    apiSlug: row.apiSlug,
    apiVersionId: row.apiVersionId,
    apiVersion: row.apiVersion,
    planName: row.planName,
    planVersion: row.planVersion,
    endpoint: row.endpoint,
  };
}

type ClientRow = { id: string; slug: string; name: string; description: string; orgId: string; orgSlug: string; orgName: string };

/** Versions, statuses, keys and contracts of a page of clients, in three queries. */
async function describeClients(
  db: Queryable,
  actor: Actor,
  clientRows: ClientRow[],
  options: { q?: string; matchedByName?: ReadonlySet<string>; sort?: MyClientsOptions["sort"]; versions?: MyClientsOptions["versions"]; includeEnded?: boolean },
): Promise<MyClient[]> {
  if (clientRows.length === 0) return [];
  const versionRows = await db
    .select({
      version: clientVersions,
      pending: sql<number>`count(${contracts.id}) filter (where ${contracts.status} = 'AwaitingApproval')`.mapWith(Number),
      // Active or suspended: either keeps the version Registered.
      active: sql<number>`count(${contracts.id}) filter (where ${contracts.status} in ('Active', 'Suspended'))`.mapWith(Number),
    })
    .from(clientVersions)
    .leftJoin(contracts, and(eq(contracts.clientVersionId, clientVersions.id), inArray(contracts.status, LIVE_CONTRACT_STATUSES)))
    .where(inArray(clientVersions.clientId, clientRows.map((c) => c.id)))
    .groupBy(clientVersions.id)
    .orderBy(desc(clientVersions.createdAt), desc(clientVersions.version));

  const byClient = new Map<string, typeof versionRows>();
  for (const row of versionRows) byClient.set(row.version.clientId, [...(byClient.get(row.version.clientId) ?? []), row]);

  const selected = new Map<string, (typeof versionRows)[number]>();
  for (const client of clientRows) {
    const versions = byClient.get(client.id);
    if (versions?.length) selected.set(client.id, pickVersion(versions, options.versions?.[client.id]));
  }

  // Sections whose client matched by name show all their contracts; the others only matching ones.
  const allIds: string[] = [];
  const filteredIds: string[] = [];
  for (const [clientId, row] of selected) {
    if (!options.q || options.matchedByName?.has(clientId)) allIds.push(row.version.id);
    else filteredIds.push(row.version.id);
  }
  const statuses = shownStatuses(options.includeEnded);
  const all = await listVersionContracts(db, allIds, options.sort, statuses);
  const filtered = filteredIds.length
    ? (await listContracts(db, actor, { clientVersionIds: filteredIds, status: statuses, q: options.q, sort: options.sort, pageSize: MAX_CONTRACT_PAGE_SIZE })).rows.map(leanContract)
    : [];
  const contractsByVersion = new Map<string, MyClientContract[]>();
  for (const contract of [...all, ...filtered]) {
    contractsByVersion.set(contract.clientVersionId, [...(contractsByVersion.get(contract.clientVersionId) ?? []), contract]);
  }

  return clientRows.flatMap((client) => {
    const versions = byClient.get(client.id) ?? [];
    const summaries = versions.map((v) => ({
      id: v.version.id,
      version: v.version.version,
      status: clientVersionStatus(v.version, [...(v.pending > 0 ? (["AwaitingApproval"] as const) : []), ...(v.active > 0 ? (["Active"] as const) : [])]),
      createdAt: v.version.createdAt,
      retiredAt: v.version.retiredAt,
    }));
    const chosen = selected.get(client.id);
    if (!chosen) return [];
    const summary = summaries.find((s) => s.id === chosen.version.id)!;
    return [
      {
        ...client,
        canEdit: hasPermission(actor, client.orgId, "clientEdit"),
        canAdmin: hasPermission(actor, client.orgId, "clientAdmin"),
        versions: summaries,
        selected: { ...summary, key: apiKeySummary(chosen.version) },
        liveContractCount: chosen.pending + chosen.active,
        contracts: contractsByVersion.get(chosen.version.id) ?? [],
      },
    ];
  });
}

const clientColumns = {
  id: clients.id,
  slug: clients.slug,
  name: clients.name,
  description: clients.description,
  orgId: clients.orgId,
  orgSlug: organizations.slug,
  orgName: organizations.name,
};

/**
 * My Clients: every client of the actor's organizations, a page of them at a time, each with its
 * versions, the shown version's status, masked key and contracts. With `q`, a client is listed
 * when its name or one of its contracts matches.
 */
export async function listMyClients(db: Queryable, actor: Actor, options: MyClientsOptions = {}) {
  const orgIds = memberOrgIdsWith(actor, "clientView");
  const q = options.q?.trim() ?? "";
  if (orgIds.length === 0) {
    const { page, pageSize } = pageWindow(options, { defaultSize: 10 });
    return { clients: [] as MyClient[], total: 0, page, pageSize };
  }
  const byName = wordsMatch([clients.name, clients.description], q);
  const withMatches = q ? await contractClientIdsQuery(db, actor, { status: shownStatuses(options.includeEnded), q }) : undefined;
  const { rows, total, page, pageSize } = await pagedList({
    db,
    query: () =>
      db
        .select({ ...clientColumns, matchedByName: byName ? sql<boolean>`(${byName})` : sql<boolean>`true` })
        .from(clients)
        .innerJoin(organizations, eq(organizations.id, clients.orgId))
        .$dynamic(),
    // The filter reads the clients alone: counting them needs neither their organizations nor their columns.
    countQuery: () => db.select({ id: clients.id }).from(clients).$dynamic(),
    where: and(
      inArray(clients.orgId, orgIds),
      q ? or(byName, withMatches ? inArray(clients.id, withMatches) : undefined) : undefined,
    ),
    orderBy: [ascending(clients.name), ascending(organizations.slug), ascending(clients.id)],
    page: options.page,
    pageSize: options.pageSize,
    defaultPageSize: 10,
  });

  const matchedByName = new Set(rows.filter((r) => r.matchedByName).map((r) => r.id));
  const described = await describeClients(db, actor, rows.map(({ matchedByName: _m, ...client }) => client), {
    q,
    matchedByName,
    sort: options.sort,
    versions: options.versions,
    includeEnded: options.includeEnded,
  });
  return { clients: described, total, page, pageSize };
}

/** One client of the actor's organizations, by its organization and slug; client_not_found otherwise. */
export async function getMyClient(
  db: Queryable,
  actor: Actor,
  orgSlug: string,
  clientSlug: string,
  options: { version?: string; sort?: MyClientsOptions["sort"]; includeEnded?: boolean } = {},
): Promise<MyClient> {
  if (!isStorableText(orgSlug, clientSlug, options.version ?? "")) throw new DomainError("client_not_found", "That client does not exist.");
  const [row] = await db
    .select(clientColumns)
    .from(clients)
    .innerJoin(organizations, eq(organizations.id, clients.orgId))
    .where(and(eq(organizations.slug, orgSlug), eq(clients.slug, clientSlug)));
  if (!row || !hasPermission(actor, row.orgId, "clientView")) throw new DomainError("client_not_found", "That client does not exist.");
  const [client] = await describeClients(db, actor, [row], { sort: options.sort, includeEnded: options.includeEnded, versions: options.version ? { [row.id]: options.version } : undefined });
  if (!client) throw new DomainError("client_not_found", "That client does not exist.");
  return client;
}

/** Organizations where the actor may create clients, the one they joined first (their personal one) first. */
export async function listClientOrganizations(db: Queryable, actor: Actor) {
  const orgIds = memberOrgIdsWith(actor, "clientEdit");
  if (orgIds.length === 0) return [];
  return db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, actor.userId), inArray(memberships.orgId, orgIds)))
    .orderBy(asc(memberships.createdAt), asc(organizations.name));
}

/** A client version offered in the Create contract form; `disabledReason` says why it cannot sign. */
export interface ContractCandidate {
  clientVersionId: string;
  clientName: string;
  version: string;
  orgName: string;
  disabledReason: string | null;
}

/**
 * The client versions the actor may sign a contract with for this API version: those of their
 * organizations that they may edit. Retired ones, and ones that already have a live contract
 * with the API version, come with the reason they cannot sign.
 */
export async function listContractCandidates(db: Queryable, actor: Actor, apiVersionId: string): Promise<ContractCandidate[]> {
  const orgIds = memberOrgIdsWith(actor, "clientEdit");
  if (orgIds.length === 0) return [];
  const found = await findApiVersion(db, apiVersionId);
  const apiVersion = found && canSeeApiVersion(actor, found.api, found.version) ? found.version : undefined;
  const live = alias(contracts, "live");
  const rows = await db
    .select({
      clientVersionId: clientVersions.id,
      clientName: clients.name,
      version: clientVersions.version,
      orgName: organizations.name,
      retiredAt: clientVersions.retiredAt,
      liveStatus: live.status,
    })
    .from(clientVersions)
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(organizations, eq(organizations.id, clients.orgId))
    .leftJoin(live, liveContractWith(live, clientVersions.id, apiVersionId))
    .where(inArray(clients.orgId, orgIds))
    .orderBy(asc(clients.name), desc(clientVersions.createdAt));
  const multipleOrgs = new Set(rows.map((r) => r.orgName)).size > 1;
  return rows.map((r) => ({
    clientVersionId: r.clientVersionId,
    clientName: r.clientName,
    version: r.version,
    orgName: multipleOrgs ? r.orgName : "",
    disabledReason: signingRefusal({ clientVersion: r, apiVersion, liveContractStatus: r.liveStatus })?.reason ?? null,
  }));
}

export interface ClientVersionRef {
  org: string;
  client: string;
  version: string;
}

/**
 * The client version behind /manage/[org]/clients/[client]/[version], for users with clientView
 * there. The key itself stays out: only its mask and dates; revealing goes through revealApiKey.
 */
export async function getClientVersionDetail(db: Queryable, actor: Actor, ref: ClientVersionRef, access: ClientAccess = "management") {
  const org = await requireClientOrganization(db, actor, ref.org, access);
  if (!isStorableText(ref.client, ref.version)) throw new DomainError("client_not_found");
  const [row] = await db
    .select({ client: clients, version: clientVersions, contractStatuses: contractStatusesOf(clientVersions.id) })
    .from(clientVersions)
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .where(and(eq(clients.orgId, org.id), eq(clients.slug, ref.client), eq(clientVersions.version, ref.version)));
  if (!row) throw new DomainError("client_not_found");
  const siblings = await db
    .select({ id: clientVersions.id, version: clientVersions.version, retiredAt: clientVersions.retiredAt, contractStatuses: contractStatusesOf(clientVersions.id) })
    .from(clientVersions)
    .where(eq(clientVersions.clientId, row.client.id));
  const { apiKeyDigest: _d, apiKeySealed: _s, previousApiKeyDigest: _pd, previousApiKeySealed: _ps, legacyApiKey: _l, legacyPreviousApiKey: _lp, ...version } = row.version;
  const statuses = parseStatusArray(row.contractStatuses);
  return {
    org,
    client: row.client,
    version,
    status: clientVersionStatus(row.version, statuses),
    contractStatuses: statuses,
    key: apiKeySummary(row.version),
    versions: siblings
      .map((v) => ({ id: v.id, version: v.version, status: clientVersionStatus(v, parseStatusArray(v.contractStatuses)) }))
      .sort((a, b) => compareVersions(a.version, b.version)),
    can: organizationPermissions(actor, org.id),
  };
}

export type ClientVersionDetail = Awaited<ReturnType<typeof getClientVersionDetail>>;

/**
 * The client behind /manage/[org]/clients/[client], for users with clientView there: the client
 * and its versions in reading order, each with its derived status.
 */
export async function getManagedClient(db: Queryable, actor: Actor, ref: Omit<ClientVersionRef, "version">, access: ClientAccess = "management") {
  const org = await requireClientOrganization(db, actor, ref.org, access);
  if (!isStorableText(ref.client)) throw new DomainError("client_not_found", "That client does not exist.");
  const [client] = await db.select().from(clients).where(and(eq(clients.orgId, org.id), eq(clients.slug, ref.client)));
  if (!client) throw new DomainError("client_not_found", "That client does not exist.");
  const rows = await db
    .select({ id: clientVersions.id, version: clientVersions.version, createdAt: clientVersions.createdAt, retiredAt: clientVersions.retiredAt, contractStatuses: contractStatusesOf(clientVersions.id) })
    .from(clientVersions)
    .where(eq(clientVersions.clientId, client.id));
  const versions: ClientVersionSummary[] = rows
    .map(({ contractStatuses, ...v }) => ({ ...v, status: clientVersionStatus(v, parseStatusArray(contractStatuses)) }))
    .sort((a, b) => compareVersions(a.version, b.version));
  return { org, client, versions };
}

export type ManagedClient = Awaited<ReturnType<typeof getManagedClient>>;

export type ClientSummary = VersionedSummary<ClientVersionStatus>;

/** A page of the organization's clients, each with its versions and their derived statuses (clientView). */
export async function listOrganizationClients(
  db: Queryable,
  actor: Actor,
  orgId: string,
  query: ListQuery<VersionedSort> = {},
  access: ClientAccess = "management",
): Promise<ListPage<ClientSummary>> {
  if (access === "management") requireManagementView(actor, orgId, "clientView");
  else if (!hasPermission(actor, orgId, "clientView")) throw new DomainError("not_found", "That organization does not exist.");
  return versionedParentPage(db, clients, orgId, query, {
    load: (clientIds) =>
      db
        .select({
          id: clientVersions.id,
          parentId: clientVersions.clientId,
          version: clientVersions.version,
          retiredAt: clientVersions.retiredAt,
          contractStatuses: contractStatusesOf(clientVersions.id),
        })
        .from(clientVersions)
        .where(inArray(clientVersions.clientId, clientIds)),
    summary: (v) => ({ id: v.id, version: v.version, status: clientVersionStatus(v, parseStatusArray(v.contractStatuses)) }),
  });
}
