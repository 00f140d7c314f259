import { and, asc, desc, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, memberships, organizations, plans, planVersions } from "@/db/schema";
import { type ClientVersionStatus, clientVersionStatus, type ContractStatus, LIVE_CONTRACT_STATUSES } from "./clients";
import { managedEndpoint } from "./catalog";
import { type ContractRow, type ContractSortKey, listContractClientIds, listContracts, MAX_CONTRACT_PAGE_SIZE } from "./contract-queries";
import { DomainError } from "./errors";
import { maskStoredApiKey } from "./keys";
import { type Actor, hasPermission } from "./permissions";
import { countRows, pageTotal, totalOverPages } from "./paging";
import { isStorableText, searchWords } from "./text";

/** The contracts My Clients lists: live ones, and rejected ones so their reason stays visible. */
export const MY_CLIENTS_CONTRACT_STATUSES: readonly ContractStatus[] = ["AwaitingApproval", "Active", "Rejected"];

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
  createdAt: Date;
  lastUsedAt: Date | null;
  /** The key replaced by the last rotation, while it still works. */
  previous: { masked: string; expiresAt: Date; lastUsedAt: Date | null } | null;
}

/** A contract as My Clients lists it under its client version. */
export type MyClientContract = Pick<
  ContractRow,
  "id" | "clientVersionId" | "status" | "reason" | "createdAt" | "apiName" | "apiOrgSlug" | "apiSlug" | "apiVersionId" | "apiVersion" | "planName" | "planVersion" | "endpoint"
>;

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
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The organizations whose clients the actor may see in the portal: those they belong to. */
function clientOrgIds(actor: Actor): string[] {
  return [...actor.roles.keys()].filter((orgId) => hasPermission(actor, orgId, "clientView"));
}

function nameMatches(q: string): SQL | undefined {
  const words = searchWords(q);
  if (words.length === 0) return undefined;
  return and(...words.map((w) => or(ilike(clients.name, `%${escapeLike(w)}%`), ilike(clients.description, `%${escapeLike(w)}%`))));
}

function keySummary(version: typeof clientVersions.$inferSelect, now = new Date()): ApiKeySummary {
  const inGrace = version.previousApiKeyDigest && version.previousApiKeyExpiresAt && version.previousApiKeyExpiresAt > now;
  return {
    masked: maskStoredApiKey(version.id, { sealed: version.apiKeySealed, legacy: version.legacyApiKey }),
    createdAt: version.apiKeyCreatedAt,
    lastUsedAt: version.apiKeyLastUsedAt,
    previous: inGrace
      ? {
          masked: maskStoredApiKey(version.id, { sealed: version.previousApiKeySealed, legacy: version.legacyPreviousApiKey }),
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

function leanOrder(sort: MyClientsOptions["sort"]) {
  const dir = sort?.desc === false ? asc : desc;
  const columns = {
    api: [apis.name, apiVersions.version],
    apiVersion: [apiVersions.version, apis.name],
    plan: [plans.name, planVersions.version],
    status: [contracts.status],
    endpoint: [apiOrg.slug, apis.slug, apiVersions.version],
    created: [contracts.createdAt],
  } as const;
  const key = sort && sort.id in columns ? (sort.id as keyof typeof columns) : "created";
  const direction = sort && sort.id in columns ? dir : desc;
  return [...columns[key].map((c) => direction(c)), desc(contracts.createdAt), asc(contracts.id)];
}

/**
 * The shown contracts of client versions the caller has already found visible (their clients come
 * from the actor's organizations): only the joins a My Clients row needs.
 */
async function listVersionContracts(db: Queryable, clientVersionIds: string[], sort: MyClientsOptions["sort"]): Promise<MyClientContract[]> {
  if (clientVersionIds.length === 0) return [];
  const rows = await db
    .select({
      id: contracts.id,
      clientVersionId: contracts.clientVersionId,
      status: contracts.status,
      reason: contracts.reason,
      createdAt: contracts.createdAt,
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
    .where(and(inArray(contracts.clientVersionId, clientVersionIds), inArray(contracts.status, [...MY_CLIENTS_CONTRACT_STATUSES])))
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
  options: { q?: string; matchedByName?: ReadonlySet<string>; sort?: MyClientsOptions["sort"]; versions?: MyClientsOptions["versions"] },
): Promise<MyClient[]> {
  if (clientRows.length === 0) return [];
  const versionRows = await db
    .select({
      version: clientVersions,
      pending: sql<boolean>`coalesce(bool_or(${contracts.status} = 'AwaitingApproval'), false)`,
      active: sql<boolean>`coalesce(bool_or(${contracts.status} = 'Active'), false)`,
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
  const all = await listVersionContracts(db, allIds, options.sort);
  const filtered = filteredIds.length
    ? (await listContracts(db, actor, { clientVersionIds: filteredIds, status: MY_CLIENTS_CONTRACT_STATUSES, q: options.q, sort: options.sort, pageSize: MAX_CONTRACT_PAGE_SIZE })).rows.map(leanContract)
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
      status: clientVersionStatus(v.version, [...(v.pending ? (["AwaitingApproval"] as const) : []), ...(v.active ? (["Active"] as const) : [])]),
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
        selected: { ...summary, key: keySummary(chosen.version) },
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
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? 10)), 100);
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const orgIds = clientOrgIds(actor);
  const q = options.q?.trim() ?? "";
  if (orgIds.length === 0) return { clients: [] as MyClient[], total: 0, page, pageSize };

  const byName = q ? nameMatches(q) : undefined;
  const withMatches = q ? await listContractClientIds(db, actor, { status: MY_CLIENTS_CONTRACT_STATUSES, q }) : [];
  const where = and(inArray(clients.orgId, orgIds), q ? or(byName, withMatches.length > 0 ? inArray(clients.id, withMatches) : undefined) : undefined);
  const rows = await db
    .select({
      ...clientColumns,
      matchedByName: byName ? sql<boolean>`(${byName})` : sql<boolean>`true`,
      total: totalOverPages(),
    })
    .from(clients)
    .innerJoin(organizations, eq(organizations.id, clients.orgId))
    .where(where)
    .orderBy(asc(clients.name), asc(organizations.slug), asc(clients.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);

  const total = await pageTotal(rows, page, async () => {
    const [row] = await db.select({ n: countRows() }).from(clients).innerJoin(organizations, eq(organizations.id, clients.orgId)).where(where);
    return row.n;
  });

  const matchedByName = new Set(rows.filter((r) => r.matchedByName).map((r) => r.id));
  const described = await describeClients(db, actor, rows.map(({ total: _t, matchedByName: _m, ...client }) => client), {
    q,
    matchedByName,
    sort: options.sort,
    versions: options.versions,
  });
  return { clients: described, total, page, pageSize };
}

/** One client of the actor's organizations, by its organization and slug; client_not_found otherwise. */
export async function getMyClient(
  db: Queryable,
  actor: Actor,
  orgSlug: string,
  clientSlug: string,
  options: { version?: string; sort?: MyClientsOptions["sort"] } = {},
): Promise<MyClient> {
  if (!isStorableText(orgSlug, clientSlug, options.version ?? "")) throw new DomainError("client_not_found", "That client does not exist.");
  const [row] = await db
    .select(clientColumns)
    .from(clients)
    .innerJoin(organizations, eq(organizations.id, clients.orgId))
    .where(and(eq(organizations.slug, orgSlug), eq(clients.slug, clientSlug)));
  if (!row || !hasPermission(actor, row.orgId, "clientView")) throw new DomainError("client_not_found", "That client does not exist.");
  const [client] = await describeClients(db, actor, [row], { sort: options.sort, versions: options.version ? { [row.id]: options.version } : undefined });
  if (!client) throw new DomainError("client_not_found", "That client does not exist.");
  return client;
}

/** Organizations where the actor may create clients, the one they joined first (their personal one) first. */
export async function listClientOrganizations(db: Queryable, actor: Actor) {
  const orgIds = [...actor.roles.keys()].filter((orgId) => hasPermission(actor, orgId, "clientEdit"));
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
  const orgIds = [...actor.roles.keys()].filter((orgId) => hasPermission(actor, orgId, "clientEdit"));
  if (orgIds.length === 0) return [];
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
    .leftJoin(live, and(eq(live.clientVersionId, clientVersions.id), eq(live.apiVersionId, apiVersionId), inArray(live.status, LIVE_CONTRACT_STATUSES)))
    .where(inArray(clients.orgId, orgIds))
    .orderBy(asc(clients.name), desc(clientVersions.createdAt));
  const multipleOrgs = new Set(rows.map((r) => r.orgName)).size > 1;
  return rows.map((r) => ({
    clientVersionId: r.clientVersionId,
    clientName: r.clientName,
    version: r.version,
    orgName: multipleOrgs ? r.orgName : "",
    disabledReason: r.retiredAt
      ? "retired"
      : r.liveStatus === "Active"
        ? "already has a contract with this API version"
        : r.liveStatus === "AwaitingApproval"
          ? "already awaiting approval for this API version"
          : null,
  }));
}
