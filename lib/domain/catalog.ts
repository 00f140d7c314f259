import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, clients, clientVersions, contracts, organizations, plans as planTable, planVersions } from "@/db/schema";
import { readConfig } from "@/lib/config";
import { pathRefusal } from "@/lib/gateway/paths";
import { type Api, type ApiVersion, canSeeApiVersion } from "./apis/records";
import type { ContractStatus } from "./contracts/statuses";
import { DomainError, parseInput } from "./errors";
import { maskStoredApiKey } from "./keys";
import { type Actor, hasPermission, memberOrgIdsWith } from "./permissions";
import { describePolicies } from "./plans/commands";
import { listParamsSchema } from "./list-params";
import { ascending, pagedList } from "./lists";
import { cleanSearchText, TEXT_LIMITS, textProblem } from "./text";

/** The managed endpoint of an API version at the gateway: `{gateway}/{org}/{api}/{version}/`. */
export function managedEndpoint(orgSlug: string, apiSlug: string, version: string, gatewayUrl = readConfig().gatewayUrl): string {
  return `${gatewayUrl}/${encodeURIComponent(orgSlug)}/${encodeURIComponent(apiSlug)}/${encodeURIComponent(version)}/`;
}

export const CATALOG_SORT_KEYS = ["name", "organization", "published"] as const;
export type CatalogSortKey = (typeof CATALOG_SORT_KEYS)[number];
export const DEFAULT_CATALOG_SORT = { id: "name", desc: false } as const satisfies { id: CatalogSortKey; desc: boolean };

/** A tag as the catalog stores it: lower case, at most a tag's length; none when empty. */
function catalogTag(text: string | undefined): string | undefined {
  return cleanSearchText(text).toLowerCase().slice(0, TEXT_LIMITS.tag).trim() || undefined;
}

/** The URL params of the catalog: `q`, `sort`, `page` and `tag`. */
export const catalogListParams = listParamsSchema({
  sortable: CATALOG_SORT_KEYS,
  defaultSort: DEFAULT_CATALOG_SORT,
  filters: { tag: z.string().optional().transform(catalogTag) },
});

/** An API in the catalog, described by its latest published version. */
export interface CatalogEntry {
  apiId: string;
  orgSlug: string;
  orgName: string;
  slug: string;
  name: string;
  description: string;
  tags: string[];
  version: string;
  isPublic: boolean;
  publishedAt: Date | null;
}

export interface CatalogOptions {
  /** Words that must each appear in the name, description or tags. */
  q?: string;
  tag?: string;
  sort?: { id: CatalogSortKey; desc: boolean };
  page?: number;
  pageSize?: number;
}

/**
 * Who reads the catalog: a signed-in actor, or null for a signed-out visitor. A visitor sees what a
 * signed-in user of no organization sees: published APIs and the versions that were ever published.
 */
export type CatalogReader = Actor | null;

/** Whether the reader may see this version: drafts only to the API organization's viewers. */
function readerSeesVersion(reader: CatalogReader, api: Api, version: ApiVersion): boolean {
  return reader ? canSeeApiVersion(reader, api, version) : version.status !== "Created";
}

/** The latest published version of each API. */
function latestPublished(db: Queryable) {
  return db
    .selectDistinctOn([apiVersions.apiId], {
      apiId: apiVersions.apiId,
      version: apiVersions.version,
      isPublic: apiVersions.isPublic,
      publishedAt: apiVersions.publishedAt,
    })
    .from(apiVersions)
    .where(eq(apiVersions.status, "Published"))
    .orderBy(apiVersions.apiId, desc(apiVersions.publishedAt), desc(apiVersions.createdAt))
    .as("latest");
}

/**
 * The catalog: every API with a published version, which every signed-in user, and a signed-out
 * visitor (null), may see. Returns a page of entries, the total, and every tag in use with its count.
 */
export async function listCatalog(db: Queryable, _reader: CatalogReader, options: CatalogOptions = {}) {
  const latest = latestPublished(db);
  const tag = catalogTag(options.tag);
  const list = await pagedList({
    db,
    query: () =>
      db
        .select({
          apiId: apis.id,
          orgSlug: organizations.slug,
          orgName: organizations.name,
          slug: apis.slug,
          name: apis.name,
          description: apis.description,
          tags: apis.tags,
          version: latest.version,
          isPublic: latest.isPublic,
          publishedAt: latest.publishedAt,
        })
        .from(latest)
        .innerJoin(apis, eq(apis.id, latest.apiId))
        .innerJoin(organizations, eq(organizations.id, apis.orgId))
        .$dynamic(),
    where: tag ? sql`${tag} = any(${apis.tags})` : undefined,
    search: [apis.name, apis.description, sql<string>`array_to_string(${apis.tags}, ' ')`, organizations.name],
    q: options.q,
    sort: options.sort ?? DEFAULT_CATALOG_SORT,
    sortColumns: { name: [apis.name], organization: [organizations.name], published: [latest.publishedAt] },
    orderBy: [ascending(apis.name), ascending(apis.id)],
    page: options.page,
    pageSize: options.pageSize,
  });

  // Tags of every catalog entry, counted here: a catalog holds hundreds of APIs, not millions.
  const tagLists = await db.select({ tags: apis.tags }).from(latest).innerJoin(apis, eq(apis.id, latest.apiId));
  const counts = new Map<string, number>();
  for (const { tags } of tagLists) for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  const tagRows = [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => a.tag.localeCompare(b.tag));

  const entries: CatalogEntry[] = list.rows;
  return { ...list, rows: entries, tags: tagRows };
}

/** One operation of an OpenAPI document, as the API page lists it. */
export interface ApiOperation {
  method: string;
  path: string;
  summary: string;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** The operations of an OpenAPI (or Swagger) JSON document; empty when there is none or it cannot be read. */
export function openApiOperations(openapi: string | null | undefined, limit = 500): ApiOperation[] {
  if (!openapi) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(openapi);
  } catch {
    return [];
  }
  const paths = (doc as { paths?: unknown })?.paths;
  if (!paths || typeof paths !== "object") return [];
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!item || typeof item !== "object") continue;
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (!operation || typeof operation !== "object") continue;
      const { summary, operationId, description } = operation as Record<string, unknown>;
      const text = [summary, operationId, description].find((v): v is string => typeof v === "string" && v.trim() !== "") ?? "";
      operations.push({ method: method.toUpperCase(), path, summary: text.trim().split("\n")[0].slice(0, 300) });
      if (operations.length >= limit) return operations;
    }
  }
  return operations;
}

/** "5 requests per second · 1,000 per day · needs approval" */
export function describeOffer(policies: Parameters<typeof describePolicies>[0], requiresApproval: boolean): string {
  const limits = describePolicies(policies);
  return requiresApproval ? `${limits} · needs approval` : limits;
}

/** "30-day trial": how a plan version with a duration is named to consumers; null without one. */
export function describeDuration(durationDays: number | null): string | null {
  return durationDays === null ? null : `${durationDays}-day trial`;
}

/** A plan as an API version offers it to consumers: its limits in words, approval, duration and terms. */
export interface PlanOffer {
  planVersionId: string;
  name: string;
  slug: string;
  version: string;
  description: string;
  locked: boolean;
  policies: Parameters<typeof describePolicies>[0];
  requiresApproval: boolean;
  /** "5 requests per second · needs approval" */
  summary: string;
  /** Contracts on it end this many days after they start; null: no end. */
  durationDays: number | null;
  /** Markdown terms of use a contract must accept; "" when there are none. */
  terms: string;
}

/**
 * The plans each of these API versions offers, by API version id, ordered by name. For versions
 * the caller has already found visible (the API page's version, the versions of the actor's contracts).
 */
export async function listPlanOffers(db: Queryable, apiVersionIds: readonly string[]): Promise<Map<string, PlanOffer[]>> {
  const offers = new Map<string, PlanOffer[]>();
  if (apiVersionIds.length === 0) return offers;
  const rows = await db
    .select({
      apiVersionId: apiPlans.apiVersionId,
      planVersionId: planVersions.id,
      name: planTable.name,
      slug: planTable.slug,
      version: planVersions.version,
      description: planTable.description,
      status: planVersions.status,
      policies: planVersions.policies,
      requiresApproval: apiPlans.requiresApproval,
      durationDays: planVersions.durationDays,
      terms: planVersions.terms,
    })
    .from(apiPlans)
    .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
    .innerJoin(planTable, eq(planTable.id, planVersions.planId))
    .where(inArray(apiPlans.apiVersionId, [...new Set(apiVersionIds)]))
    .orderBy(planTable.name, planVersions.version);
  for (const { apiVersionId, status, ...row } of rows) {
    const offer: PlanOffer = { ...row, locked: status === "Locked", summary: describeOffer(row.policies, row.requiresApproval) };
    offers.set(apiVersionId, [...(offers.get(apiVersionId) ?? []), offer]);
  }
  return offers;
}

/**
 * Everything the API page shows: the API, the chosen version (the latest published one unless
 * `version` names another visible version), the versions to switch to, the offered plans and
 * the managed endpoint. not_found when the API or version does not exist or may not be seen.
 * A signed-out visitor (null) reads the same page as a signed-in user of no organization.
 */
export async function getApiPage(db: Queryable, reader: CatalogReader, orgSlug: string, apiSlug: string, version?: string) {
  // Path segments come from the URL: text the database cannot hold names no API.
  if (textProblem(orgSlug) || textProblem(apiSlug)) throw new DomainError("not_found", "That API does not exist.");
  const [row] = await db
    .select({ api: apis, org: organizations })
    .from(apis)
    .innerJoin(organizations, eq(organizations.id, apis.orgId))
    .where(and(eq(organizations.slug, orgSlug), eq(apis.slug, apiSlug)));
  if (!row) throw new DomainError("not_found", "That API does not exist.");
  const { api, org } = row;

  const allVersions = await db.select().from(apiVersions).where(eq(apiVersions.apiId, api.id)).orderBy(desc(apiVersions.createdAt));
  const visible = allVersions.filter((v) => readerSeesVersion(reader, api, v));
  if (visible.length === 0) throw new DomainError("not_found", "That API does not exist.");

  const published = visible.filter((v) => v.status === "Published").sort((a, b) => (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0));
  const chosen = version === undefined ? (published[0] ?? (reader && hasPermission(reader, api.orgId, "apiView") ? visible[0] : undefined)) : visible.find((v) => v.version === version);
  if (!chosen) throw new DomainError("not_found", version === undefined ? "That API has no published version." : `Version ${version} of this API does not exist.`);

  const plans = chosen.isPublic ? [] : ((await listPlanOffers(db, [chosen.id])).get(chosen.id) ?? []);

  return {
    api: { id: api.id, slug: api.slug, name: api.name, description: api.description, tags: api.tags },
    org: { id: org.id, slug: org.slug, name: org.name },
    version: {
      id: chosen.id,
      version: chosen.version,
      status: chosen.status,
      isPublic: chosen.isPublic,
      docs: chosen.docs,
      publishedAt: chosen.publishedAt,
      retiredAt: chosen.retiredAt,
    },
    versions: visible.map((v) => ({ version: v.version, status: v.status })),
    plans,
    operations: openApiOperations(chosen.openapi),
    endpoint: managedEndpoint(org.slug, api.slug, chosen.version),
    /** A contract can be asked for: published, private, with at least one plan. */
    acceptsContracts: chosen.status === "Published" && !chosen.isPublic && plans.length > 0,
  };
}

export type ApiPage = Awaited<ReturnType<typeof getApiPage>>;

/** Contracts an API page lists for its reader: the ones a My Clients page would show. */
const MY_API_CONTRACT_STATUSES: readonly ContractStatus[] = ["AwaitingApproval", "Active", "Suspended", "Rejected"];

/** One of the reader's contracts with the API, as the API page lists it. */
export interface MyApiContract {
  id: string;
  status: ContractStatus;
  clientName: string;
  clientVersion: string;
  apiVersion: string;
  planName: string;
  planVersion: string;
}

/**
 * The contracts of the actor's own clients (organizations where they hold clientView) with any
 * version of this API, newest first. The API's own organization does not widen this: a provider
 * sees here only the contracts of clients they work on.
 */
export async function listMyApiContracts(db: Queryable, actor: Actor, apiId: string): Promise<MyApiContract[]> {
  const orgIds = memberOrgIdsWith(actor, "clientView");
  if (orgIds.length === 0) return [];
  return db
    .select({
      id: contracts.id,
      status: contracts.status,
      clientName: clients.name,
      clientVersion: clientVersions.version,
      apiVersion: apiVersions.version,
      planName: planTable.name,
      planVersion: planVersions.version,
    })
    .from(contracts)
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(planTable, eq(planTable.id, planVersions.planId))
    .where(and(eq(apiVersions.apiId, apiId), inArray(clients.orgId, orgIds), inArray(contracts.status, [...MY_API_CONTRACT_STATUSES])))
    .orderBy(desc(contracts.createdAt), asc(contracts.id))
    .limit(100);
}

/** A client version whose key works with an API version: the choice offered by the curl example and Try it. */
export interface TryItKey {
  clientVersionId: string;
  clientName: string;
  version: string;
  /** The key as My Clients shows it before Reveal. */
  masked: string;
}

/** The actor's client versions (clientView, not retired) with an active contract with this API version. */
export async function listTryItKeys(db: Queryable, actor: Actor, apiVersionId: string): Promise<TryItKey[]> {
  const orgIds = memberOrgIdsWith(actor, "clientView");
  if (orgIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ version: clientVersions, clientName: clients.name })
    .from(contracts)
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .where(and(eq(contracts.apiVersionId, apiVersionId), eq(contracts.status, "Active"), isNull(clientVersions.retiredAt), inArray(clients.orgId, orgIds)))
    .orderBy(asc(clients.name), desc(clientVersions.createdAt));
  return rows.map(({ version, clientName }) => ({
    clientVersionId: version.id,
    clientName,
    version: version.version,
    masked: maskStoredApiKey(version.id, { sealed: version.apiKeySealed, legacy: version.legacyApiKey }),
  }));
}

/** Methods Try it sends: reading ones, so a click on a docs page changes nothing at the provider. */
export const TRY_IT_METHODS = ["GET", "HEAD"] as const;

const tryItInputSchema = z.object({
  org: z.string().max(200),
  api: z.string().max(200),
  version: z.string().max(200),
  method: z.enum(TRY_IT_METHODS, { message: "Try it sends GET and HEAD requests only." }),
  path: z.string().min(1).max(2000),
  params: z.record(z.string().max(200), z.string().max(1000, "A path parameter holds at most 1,000 characters.")).default({}),
  query: z
    .array(z.tuple([z.string().min(1, "A query parameter needs a name.").max(200), z.string().max(2000)]))
    .max(50, "At most 50 query parameters.")
    .default([]),
  clientVersionId: z.string().uuid("Choose one of your client versions.").optional(),
});

/** What Try it sends: the gateway URL, the method and whose key (none for a public API or when none was chosen). */
export interface TryItRequest {
  url: string;
  method: (typeof TRY_IT_METHODS)[number];
  clientVersionId: string | null;
}

const TEMPLATE_PARAM = /\{([^{}/]+)\}/g;

/**
 * Turns a Try it form into a request to the API version's managed endpoint, and nowhere else: the
 * operation must be one of its OpenAPI document, path parameters are encoded and the path passes
 * the gateway's own path rules, and a key may come only from a client version of the actor's with
 * an active contract with this version. Every refusal is a DomainError with a sentence.
 */
export async function planTryItRequest(db: Queryable, actor: Actor, input: z.input<typeof tryItInputSchema>, gatewayUrl = readConfig().gatewayUrl): Promise<TryItRequest> {
  const data = parseInput(tryItInputSchema, input);
  const page = await getApiPage(db, actor, data.org, data.api, data.version);
  if (page.version.status !== "Published") throw new DomainError("invalid_state", "Try it works on published versions only: the gateway serves no other.");
  if (!page.operations.some((op) => op.method === data.method && op.path === data.path)) {
    throw new DomainError("validation_failed", "That operation is not in this API version's OpenAPI document.");
  }
  if (data.path.includes("?") || !data.path.startsWith("/")) throw new DomainError("validation_failed", "Try it cannot call an operation whose path is not a plain path.");

  let missing: string | undefined;
  const rest = data.path.replace(TEMPLATE_PARAM, (_match, name: string) => {
    const value = data.params[name];
    if (!value) missing ??= name;
    return encodeURIComponent(value ?? "");
  });
  if (missing) throw new DomainError("validation_failed", `Fill in the path parameter ${missing}.`, { [`params.${missing}`]: "Required" });
  const refusal = pathRefusal(rest);
  if (refusal) throw new DomainError("validation_failed", refusal);

  const base = new URL(managedEndpoint(page.org.slug, page.api.slug, page.version.version, gatewayUrl));
  const target = new URL(base.href.slice(0, -1) + rest);
  for (const [name, value] of data.query) target.searchParams.append(name, value);
  // The joined path stays under the endpoint: the same origin, below the version's own path.
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) throw new DomainError("validation_failed", "That path leaves the API's endpoint.");

  let clientVersionId: string | null = null;
  if (!page.version.isPublic && data.clientVersionId) {
    const keys = await listTryItKeys(db, actor, page.version.id);
    if (!keys.some((k) => k.clientVersionId === data.clientVersionId)) {
      throw new DomainError("client_not_found", "Choose one of your client versions with an active contract with this API version.");
    }
    clientVersionId = data.clientVersionId;
  }
  return { url: target.href, method: data.method, clientVersionId };
}

// Rendering lives in its own pure module (lib/render-docs.ts); kept here for the catalog's callers.
export { renderDocs } from "@/lib/render-docs";
