import { eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, organizations } from "@/db/schema";
import { DomainError } from "../errors";
import { type Actor, hasPermission, mayViewInManagement, requireManagementView } from "../permissions";
import { type LatencySummary, summarizeLatency } from "./histogram";
import { rangePoints, resolveUsageRange, type UsageRange, type UsageRangeInput } from "./ranges";
import {
  COUNTER_SUMS,
  countsByPoint,
  histogramOf,
  type RawCounts,
  refusalsOf,
  rowsOf,
  scopeOfApiVersion,
  scopeOfApiVersionContracts,
  scopeOfClientVersion,
  scopeOfContract,
  scopeOfOrganizationApis,
  type UsageScope,
  usageRows,
} from "./read";
import { usageRetentionFromEnv } from "./settings";

/** Requests by outcome. Outcomes add up to `requests`. */
export interface UsageCounts {
  requests: number;
  s2xx: number;
  s3xx: number;
  /** 4xx answers other than the gateway's own refusals (those are in `refused`). */
  s4xx: number;
  s5xx: number;
  /** Requests the gateway refused itself (rate limit, quota…). */
  refused: number;
  latencyMsSum: number;
}

export interface UsagePoint extends UsageCounts {
  /** Start of the point's minute, hour or UTC day. */
  at: Date;
  meanLatencyMs: number | null;
}

export interface UsageReport {
  range: UsageRange;
  /** One per step of the range, zeros included. */
  points: UsagePoint[];
  totals: UsageCounts;
  latency: LatencySummary;
  /** Refusals by problem code, most frequent first. */
  refusals: { code: string; count: number }[];
}

export interface TopClient {
  clientVersionId: string;
  clientName: string;
  clientVersion: string;
  organizationName: string;
  requests: number;
}

export interface ApiVersionUsage extends UsageReport {
  /** The client versions that called the most in the range (at most 10). */
  topClients: TopClient[];
}

export interface ApiUsageLine {
  apiId: string;
  apiSlug: string;
  apiName: string;
  apiVersionId: string;
  version: string;
  requests: number;
  refused: number;
  s5xx: number;
}

export interface OrganizationApiUsage extends UsageReport {
  /** Every API version of the organization that was called in the range, busiest first. */
  apis: ApiUsageLine[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function outcomes(raw: RawCounts): UsageCounts {
  return {
    requests: raw.requests,
    s2xx: raw.s2xx,
    s3xx: raw.s3xx,
    // Refusals are recorded inside status4xx; shown apart so the outcomes add up.
    s4xx: Math.max(0, raw.s4xx - raw.refused),
    s5xx: raw.s5xx,
    refused: raw.refused,
    latencyMsSum: raw.latency,
  };
}

/** Reads the series, totals, latency and refusals of the scope, from the table of the range's step. */
async function readReport(db: Queryable, scope: UsageScope, range: UsageRange): Promise<UsageReport> {
  const { step, from, to } = range;
  const byPoint = new Map<number, RawCounts>();
  for (const row of await rowsOf<RawCounts & { t: number }>(db, countsByPoint(scope, step, from, to))) byPoint.set(row.t, row);
  const empty: RawCounts = { requests: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, latency: 0, refused: 0 };
  const total = { ...empty };
  const points = rangePoints(range).map((at) => {
    const raw = byPoint.get(at.getTime()) ?? empty;
    for (const key of Object.keys(total) as (keyof RawCounts)[]) total[key] += raw[key];
    const counts = outcomes(raw);
    return { at, ...counts, meanLatencyMs: counts.requests > 0 ? counts.latencyMsSum / counts.requests : null };
  });
  const buckets: number[] = [];
  for (const row of await rowsOf<{ i: number; n: number }>(db, histogramOf(scope, step, from, to))) buckets[row.i - 1] = row.n;
  for (let i = 0; i < buckets.length; i++) buckets[i] ??= 0;
  const refusals = (await rowsOf<{ code: string; n: number }>(db, refusalsOf(scope, step, from, to)))
    .map((r) => ({ code: r.code, count: r.n }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const totals = outcomes(total);
  return { range, points, totals, latency: summarizeLatency(buckets, totals.latencyMsSum, totals.requests), refusals };
}

function rangeOf(input: UsageRangeInput, now: Date): UsageRange {
  return resolveUsageRange({ preset: input.preset, from: input.from, to: input.to }, usageRetentionFromEnv(), now);
}

/** The client's organization of a contract, or undefined when it does not exist. */
async function contractClientOrg(db: Queryable, contractId: string): Promise<string | undefined> {
  if (!UUID.test(contractId)) return undefined;
  const [row] = await db
    .select({ orgId: clients.orgId })
    .from(contracts)
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .where(eq(contracts.id, contractId));
  return row?.orgId;
}

/**
 * A contract's usage is the consumer side's: whoever holds clientView in the client's
 * organization (admins too); contract_not_found for everyone else, as for a missing contract.
 */
export async function requireContractUsageView(db: Queryable, actor: Actor, contractId: string): Promise<void> {
  const orgId = await contractClientOrg(db, contractId);
  if (!orgId || !hasPermission(actor, orgId, "clientView")) throw new DomainError("contract_not_found");
}

/** One contract's usage over a range (clientView in the client's organization). */
export async function getContractUsage(db: Queryable, actor: Actor, input: { contractId: string } & UsageRangeInput, now = new Date()): Promise<UsageReport> {
  await requireContractUsageView(db, actor, input.contractId);
  return readReport(db, scopeOfContract(input.contractId), rangeOf(input, now));
}

/** A client version's usage over a range, all its contracts together (clientView in the client's organization). */
export async function getClientVersionUsage(
  db: Queryable,
  actor: Actor,
  input: { clientVersionId: string } & UsageRangeInput,
  now = new Date(),
): Promise<UsageReport> {
  const [row] = UUID.test(input.clientVersionId)
    ? await db
        .select({ orgId: clients.orgId })
        .from(clientVersions)
        .innerJoin(clients, eq(clients.id, clientVersions.clientId))
        .where(eq(clientVersions.id, input.clientVersionId))
    : [];
  if (!row || !hasPermission(actor, row.orgId, "clientView")) throw new DomainError("client_not_found");
  return readReport(db, scopeOfClientVersion(input.clientVersionId), rangeOf(input, now));
}

/**
 * An API version's usage over a range, all its contracts together, with its busiest clients
 * (API Management, apiView in the API's organization); api_not_found for everyone else.
 */
export async function getApiVersionUsage(
  db: Queryable,
  actor: Actor,
  input: { apiVersionId: string } & UsageRangeInput,
  now = new Date(),
): Promise<ApiVersionUsage> {
  const [row] = UUID.test(input.apiVersionId)
    ? await db.select({ orgId: apis.orgId }).from(apiVersions).innerJoin(apis, eq(apis.id, apiVersions.apiId)).where(eq(apiVersions.id, input.apiVersionId))
    : [];
  // The same answer whether it is missing or hidden, so the code reveals nothing.
  if (!row || !mayViewInManagement(actor, row.orgId, "apiView")) throw new DomainError("api_not_found");
  const range = rangeOf(input, now);
  const report = await readReport(db, scopeOfApiVersion(input.apiVersionId), range);
  return { ...report, topClients: await topClients(db, input.apiVersionId, range) };
}

/**
 * The client versions that called an API version the most in a range, from its contracts' rows of
 * the range's step. Summed per contract first (the primary key's order), then per client version
 * (a client version may hold an ended contract beside its live one); names are joined for the
 * leaders only, ties at the tenth place included so the names decide between them.
 */
async function topClients(db: Queryable, apiVersionId: string, range: UsageRange): Promise<TopClient[]> {
  const { step, from, to } = range;
  return rowsOf<TopClient>(
    db,
    sql`${usageRows(scopeOfApiVersionContracts(apiVersionId), step, from, to)},
      per_contract as (select key as contract_id, sum(requests) as requests from u group by key),
      per_client as (
        select k.client_version_id, sum(p.requests) as requests from per_contract p join contracts k on k.id = p.contract_id
        group by k.client_version_id having sum(p.requests) > 0),
      leaders as (select client_version_id, requests, rank() over (order by requests desc) as place from per_client)
      select cv.id as "clientVersionId", c.name as "clientName", cv.version as "clientVersion", o.name as "organizationName", l.requests::float8 as requests
      from leaders l
      join client_versions cv on cv.id = l.client_version_id
      join clients c on c.id = cv.client_id
      join organizations o on o.id = c.org_id
      where l.place <= 10
      order by l.requests desc, c.name, cv.version
      limit 10`,
  );
}

/**
 * The usage of every API of an organization over a range, with a line per API version
 * (API Management, apiView in the organization); not_found for everyone else.
 */
export async function getOrganizationApiUsage(db: Queryable, actor: Actor, input: { orgId: string } & UsageRangeInput, now = new Date()): Promise<OrganizationApiUsage> {
  const [org] = UUID.test(input.orgId) ? await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, input.orgId)) : [];
  if (!org) throw new DomainError("not_found", "That organization does not exist.");
  requireManagementView(actor, org.id, "apiView");
  const range = rangeOf(input, now);
  const scope = scopeOfOrganizationApis(org.id);
  const report = await readReport(db, scope, range);
  const lines = await rowsOf<ApiUsageLine & RawCounts>(
    db,
    sql`${usageRows(scope, range.step, range.from, range.to)}
      select a.id as "apiId", a.slug as "apiSlug", a.name as "apiName", av.id as "apiVersionId", av.version, ${COUNTER_SUMS}
      from u
      join api_versions av on av.id = u.key
      join apis a on a.id = av.api_id
      group by a.id, a.slug, a.name, av.id, av.version
      order by requests desc, a.name, av.version`,
  );
  const apisUsage = lines.map((l) => ({
    apiId: l.apiId,
    apiSlug: l.apiSlug,
    apiName: l.apiName,
    apiVersionId: l.apiVersionId,
    version: l.version,
    requests: l.requests,
    refused: l.refused,
    s5xx: l.s5xx,
  }));
  return { ...report, apis: apisUsage };
}
