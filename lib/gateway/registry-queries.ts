import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clientVersions, type CONTRACT_STATUSES, contracts, organizations, planVersions, type Policy } from "@/db/schema";

// Only these states matter at the gateway: other API versions answer 404, other contracts 403.
const GATEWAY_API_STATUSES = ["Published", "Retired"] as const;
/**
 * A contract's status at the gateway: the live ones (at most one per client version and API
 * version: contracts_live_idx), and Expired for a pair whose newest contract expired.
 */
export type GatewayContractStatus = "AwaitingApproval" | "Active" | "Suspended" | "Expired";

export interface ApiVersionRow {
  id: string;
  orgSlug: string;
  apiSlug: string;
  version: string;
  status: "Created" | "Published" | "Retired";
  endpoint: string | null;
  isPublic: boolean;
}

/** A client version's keys as the gateway knows them: by their SHA-256 digests, never in clear. */
export interface ClientVersionRow {
  id: string;
  apiKeyDigest: string;
  previousApiKeyDigest: string | null;
  previousApiKeyExpiresAt: Date | null;
  retiredAt: Date | null;
}

export interface ContractRow {
  id: string;
  clientVersionId: string;
  apiVersionId: string;
  planVersionId: string;
  status: (typeof CONTRACT_STATUSES)[number];
  endsAt: Date | null;
  /** Whether the gateway keeps it: live, or the newest of its pair and Expired. */
  indexed: boolean;
  policies: Policy[];
}

const apiVersionFields = {
  id: apiVersions.id,
  orgSlug: organizations.slug,
  apiSlug: apis.slug,
  version: apiVersions.version,
  status: apiVersions.status,
  endpoint: apiVersions.endpoint,
  isPublic: apiVersions.isPublic,
};

const clientVersionFields = {
  id: clientVersions.id,
  apiKeyDigest: clientVersions.apiKeyDigest,
  previousApiKeyDigest: clientVersions.previousApiKeyDigest,
  previousApiKeyExpiresAt: clientVersions.previousApiKeyExpiresAt,
  retiredAt: clientVersions.retiredAt,
};

// In the pages below, a contract's status travels as one character, followed by its end date (epoch ms) if it has one.
const STATUS_OF_CODE: Record<string, GatewayContractStatus> = { A: "Active", P: "AwaitingApproval", S: "Suspended", E: "Expired" };

/**
 * The contracts the gateway indexes: live ones, and an Expired one when no newer contract of its
 * client version and API version exists, so that the gateway answers contract_expired rather than
 * no_contract until the consumer renews. The subquery runs for Expired rows only.
 */
const INDEXED_CONTRACTS = sql`(contracts.status in ('AwaitingApproval', 'Active', 'Suspended') or (contracts.status = 'Expired' and not exists (
  select 1 from contracts newer
  where newer.client_version_id = contracts.client_version_id and newer.api_version_id = contracts.api_version_id and newer.created_at > contracts.created_at)))`;

const contractFields = {
  id: contracts.id,
  clientVersionId: contracts.clientVersionId,
  apiVersionId: contracts.apiVersionId,
  planVersionId: contracts.planVersionId,
  status: contracts.status,
  endsAt: contracts.endsAt,
  indexed: sql<boolean>`${INDEXED_CONTRACTS}`,
  policies: planVersions.policies,
};

function apiVersionQuery(db: Queryable) {
  return db
    .select(apiVersionFields)
    .from(apiVersions)
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(organizations, eq(organizations.id, apis.orgId));
}

function contractQuery(db: Queryable) {
  return db.select(contractFields).from(contracts).innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId));
}

export interface SnapshotSink {
  /** Every API version the gateway answers for, before anything else. */
  apiVersion(row: ApiVersionRow): void;
  /** Every plan version, before any contract. */
  planVersion(id: string, policies: Policy[]): void;
  /** A client version that is not retired, with its keys' digests; the previous one matters only while its grace period lasts. */
  clientVersion(id: string, apiKeyDigest: string, previousApiKeyDigest: string | null, previousApiKeyExpiresAt: number): void;
  /** A live contract, or the newest of its pair when that one expired; endsAt in epoch ms, null when it has no end. */
  contract(id: string, clientVersionId: string, apiVersionId: string, planVersionId: string, status: GatewayContractStatus, endsAt: number | null): void;
}

// Ids are random UUIDs: their first hex digit splits a table into 16 even pages, each one range scan.
const PAGES = [..."0123456789abcdef"].map((h) => [`${h}0000000-0000-0000-0000-000000000000`, `${h}fffffff-ffff-ffff-ffff-ffffffffffff`]);

/** Reads one page as a single text value: a row per line, fields separated by tabs. */
async function readPage(db: Queryable, query: ReturnType<typeof sql>, fields: number, onRow: (f: string[]) => void): Promise<void> {
  const result = (await db.execute(query)) as unknown as { rows: { page: string | null }[] };
  const page = result.rows[0]?.page;
  if (!page) return;
  for (const line of page.split("\n")) {
    const f = line.split("\t");
    if (f.length !== fields) throw new Error(`Unexpected registry row with ${f.length} fields instead of ${fields}`);
    onRow(f);
  }
}

/**
 * Everything the gateway needs, for a full load. Client versions and contracts (the big tables)
 * arrive as a few large text values rather than as rows: parsing hundreds of thousands of rows
 * one by one costs the drivers about twice as much.
 */
export async function loadEverything(db: Queryable, sink: SnapshotSink): Promise<void> {
  for (const row of await apiVersionQuery(db).where(inArray(apiVersions.status, [...GATEWAY_API_STATUSES]))) sink.apiVersion(row);
  for (const plan of await db.select({ id: planVersions.id, policies: planVersions.policies }).from(planVersions)) sink.planVersion(plan.id, plan.policies);
  for (const [from, to] of PAGES) {
    await readPage(
      db,
      sql`select string_agg(id::text || E'\t' || api_key_digest || E'\t' || coalesce(previous_api_key_digest, '') || E'\t' ||
            coalesce((extract(epoch from previous_api_key_expires_at) * 1000)::bigint::text, '0'), E'\n') as page
          from client_versions
          where id between ${from}::uuid and ${to}::uuid and retired_at is null`,
      4,
      (f) => sink.clientVersion(f[0], f[1], f[2] || null, Number(f[3])),
    );
  }
  const contractPage = (where: ReturnType<typeof sql>) =>
    readPage(
      db,
      sql`select string_agg(id::text || E'\t' || client_version_id::text || E'\t' || api_version_id::text || E'\t' ||
            plan_version_id::text || E'\t' || case status when 'Active' then 'A' when 'Suspended' then 'S' when 'Expired' then 'E' else 'P' end ||
            coalesce((extract(epoch from ends_at) * 1000)::bigint::text, ''), E'\n') as page
          from contracts
          where ${where}`,
      5,
      (f) => {
        const state = f[4];
        sink.contract(f[0], f[1], f[2], f[3], STATUS_OF_CODE[state[0]], state.length > 1 ? Number(state.slice(1)) : null);
      },
    );
  for (const [from, to] of PAGES) await contractPage(sql`id between ${from}::uuid and ${to}::uuid and status in ('AwaitingApproval', 'Active', 'Suspended')`);
  // Expired ones apart, so the live pages need no subquery; setContract lets a live contract win whatever the order.
  await contractPage(sql`status = 'Expired' and ${INDEXED_CONTRACTS}`);
}

export function loadApiVersions(db: Queryable, ids: string[]): Promise<ApiVersionRow[]> {
  return apiVersionQuery(db).where(inArray(apiVersions.id, ids));
}

export function loadClientVersions(db: Queryable, ids: string[]): Promise<ClientVersionRow[]> {
  return db.select(clientVersionFields).from(clientVersions).where(inArray(clientVersions.id, ids));
}

/** The contracts the gateway indexes (live ones, and the newest of a pair when it expired) of some client versions. */
export function loadLiveContractsOfClients(db: Queryable, clientVersionIds: string[]): Promise<ContractRow[]> {
  return contractQuery(db).where(and(inArray(contracts.clientVersionId, clientVersionIds), INDEXED_CONTRACTS));
}

/** Contracts in whatever state, so that ended ones can be removed. */
export function loadContracts(db: Queryable, ids: string[]): Promise<ContractRow[]> {
  return contractQuery(db).where(inArray(contracts.id, ids));
}

export function loadPlanVersions(db: Queryable, ids: string[]): Promise<{ id: string; policies: Policy[] }[]> {
  return db.select({ id: planVersions.id, policies: planVersions.policies }).from(planVersions).where(inArray(planVersions.id, ids));
}
