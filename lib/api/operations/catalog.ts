import { z } from "zod";
import { CATALOG_SORT_KEYS, DEFAULT_CATALOG_SORT, getApiPage, listCatalog } from "@/lib/domain/catalog";
import { listMyOrganizations } from "@/lib/domain/organizations";
import { ROLES } from "@/lib/domain/permissions";
import { policySchema } from "@/lib/domain/plans";
import { defineOperation, reply } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/** Who the token acts for, and the catalog of APIs: what the Developer Portal's APIs page shows. */

const organizationRole = z.object({ slug: z.string(), name: z.string(), role: z.enum(ROLES as [string, ...string[]]) });

export const getMe = defineOperation({
  method: "GET",
  path: "/me",
  id: "getMe",
  tag: "Account",
  summary: "The token's user, profile and organizations",
  scope: "read",
  response: z
    .object({
      id: z.uuid(),
      email: z.string(),
      name: z.string(),
      profile: z.enum(["portal", "manager", "admin"]),
      organizations: z.array(organizationRole),
    })
    .meta({ id: "Me" }),
  handler: async ({ db, actor }) => ({
    id: actor.userId,
    email: actor.email,
    name: actor.name,
    profile: actor.profile,
    organizations: await listMyOrganizations(db, actor),
  }),
});

const catalogEntry = z
  .object({
    org: z.string(),
    orgName: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    public: z.boolean().meta({ description: "Public APIs need no contract and no key." }),
    latestVersion: z.string(),
    publishedAt: timestamp.nullable(),
  })
  .meta({ id: "CatalogEntry" });

export const listApis = defineOperation({
  method: "GET",
  path: "/apis",
  id: "listApis",
  tag: "Catalog",
  summary: "The catalog: every API with a published version",
  scope: "read",
  paged: true,
  query: listQuery({
    sortable: CATALOG_SORT_KEYS,
    defaultSort: DEFAULT_CATALOG_SORT,
    filters: { tag: z.string().max(100).optional().meta({ description: "Only APIs with this tag." }) },
  }),
  response: pageOf(catalogEntry),
  handler: async ({ db, actor, url, query }) => {
    const catalog = await listCatalog(db, actor, query);
    const data = catalog.rows.map((row) => ({
      org: row.orgSlug,
      orgName: row.orgName,
      slug: row.slug,
      name: row.name,
      description: row.description,
      tags: row.tags,
      public: row.isPublic,
      latestVersion: row.version,
      publishedAt: row.publishedAt,
    }));
    return paged(url, query, data, catalog.total);
  },
});

export const offeredPlan = z
  .object({
    planVersionId: z.uuid(),
    name: z.string(),
    slug: z.string(),
    version: z.string(),
    description: z.string(),
    policies: z.array(policySchema),
    requiresApproval: z.boolean(),
    summary: z.string().meta({ description: "The policies in words, as the portal shows them." }),
    durationDays: z.number().int().nullable().meta({ description: "Contracts on it end this many days after they start (a trial); null: no end." }),
    terms: z.string().meta({ description: "Terms of use in Markdown, to accept (`acceptTerms: true`) when signing; empty when there are none." }),
  })
  .meta({ id: "OfferedPlan" });

export const getApiVersion = defineOperation({
  method: "GET",
  path: "/apis/{org}/{api}/{version}",
  id: "getApiVersion",
  tag: "Catalog",
  summary: "An API version as its API page shows it, with the plans it offers",
  scope: "read",
  errors: ["not_found"],
  response: z
    .object({
      id: z.uuid().meta({ description: "The API version's id: `apiVersionId` when signing a contract." }),
      org: z.object({ slug: z.string(), name: z.string() }),
      api: z.object({ slug: z.string(), name: z.string(), description: z.string(), tags: z.array(z.string()) }),
      version: z.string(),
      status: z.enum(["Created", "Published", "Retired"]),
      public: z.boolean(),
      publishedAt: timestamp.nullable(),
      retiredAt: timestamp.nullable(),
      endpoint: z.string().meta({ description: "The gateway address of this version." }),
      versions: z.array(z.object({ version: z.string(), status: z.enum(["Created", "Published", "Retired"]) })),
      acceptsContracts: z.boolean(),
      plans: z.array(offeredPlan),
    })
    .meta({ id: "CatalogApiVersion" }),
  handler: async ({ db, actor, params }) => {
    const page = await getApiPage(db, actor, params.org, params.api, params.version);
    return {
      id: page.version.id,
      org: { slug: page.org.slug, name: page.org.name },
      api: { slug: page.api.slug, name: page.api.name, description: page.api.description, tags: page.api.tags },
      version: page.version.version,
      status: page.version.status,
      public: page.version.isPublic,
      publishedAt: page.version.publishedAt,
      retiredAt: page.version.retiredAt,
      endpoint: page.endpoint,
      versions: page.versions,
      acceptsContracts: page.acceptsContracts,
      plans: page.plans.map(({ planVersionId, name, slug, version, description, policies, requiresApproval, summary, durationDays, terms }) => ({
        planVersionId,
        name,
        slug,
        version,
        description,
        policies,
        requiresApproval,
        summary,
        durationDays,
        terms,
      })),
    };
  },
});

export const getOpenApiDocument = defineOperation({
  method: "GET",
  path: "/openapi.json",
  id: "getOpenApiDocument",
  tag: "Account",
  summary: "This document: the OpenAPI 3.1 description of /api/v1",
  scope: "public",
  response: z.record(z.string(), z.unknown()).meta({ description: "An OpenAPI 3.1 document." }),
  handler: async () => {
    // Imported here: the document is built from the registry, which holds this operation.
    const { openApiDocument } = await import("../openapi");
    return reply(openApiDocument() as unknown as Record<string, unknown>, { headers: { "cache-control": "public, max-age=300" } });
  },
});

export const catalogOperations = [getMe, listApis, getApiVersion, getOpenApiDocument];
