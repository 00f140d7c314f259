import { z } from "zod";
import type { Queryable } from "@/db/client";
import {
  type ApiVersionDetail,
  apiVersionEtag,
  approvalSchema,
  createApi,
  createApiSchema,
  createApiVersion,
  createVersionSchema,
  getApiVersionDetail,
  getOrganizationApi,
  listOrganizationApis,
  offerPlan,
  offerPlanSchema,
  publishApiVersion,
  retireApiVersion,
  setRequiresApproval,
  updateApiVersion,
  updateVersionSchema,
  withdrawPlanOffer,
} from "@/lib/domain/apis";
import { DomainError } from "@/lib/domain/errors";
import { DEFAULT_VERSIONED_SORT, VERSIONED_SORTS } from "@/lib/domain/lists";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import { policySchema } from "@/lib/domain/plans";
import { versionSchema } from "@/lib/domain/slugs";
import { defineOperation, reply } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * The provider's side of APIs, as API Management shows them at /manage/{org}/apis/{api}/{version}:
 * an organization's APIs, their versions and settings, the plans a version offers, publishing and
 * retiring. Every rule is the domain's; these operations name objects by their slugs and versions.
 */

const TAG = "API Management";

const apiVersionStatus = z.enum(["Created", "Ready", "Published", "Retired"]).meta({ description: "Ready: Created with an endpoint and a plan (or public), so it may be published." });

const apiVersionSummary = z.object({ id: z.uuid(), version: z.string(), status: apiVersionStatus }).meta({ id: "ManagedApiVersionSummary" });

const managedApiSummary = z
  .object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string(), versions: z.array(apiVersionSummary) })
  .meta({ id: "ManagedApiSummary" });

const managedApi = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    createdAt: timestamp,
    versions: z.array(apiVersionSummary),
  })
  .meta({ id: "ManagedApi" });

const apiVersionPlan = z
  .object({
    planVersionId: z.uuid(),
    planId: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    version: z.string(),
    status: z.enum(["Created", "Locked"]),
    policies: z.array(policySchema),
    requiresApproval: z.boolean().meta({ description: "New contracts on this plan wait for a provider's approval." }),
  })
  .meta({ id: "ApiVersionPlan" });

const managedApiVersion = z
  .object({
    id: z.uuid(),
    api: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    version: z.string(),
    status: apiVersionStatus,
    notReadyReason: z.string().nullable().meta({ description: "Why a Created version cannot be published yet; null otherwise." }),
    endpoint: z.string().nullable().meta({ description: "The backend the gateway forwards to." }),
    isPublic: z.boolean(),
    docs: z.string().meta({ description: "Markdown." }),
    openapi: z.string().nullable().meta({ description: "An OpenAPI document in JSON, as text." }),
    publishedAt: timestamp.nullable(),
    retiredAt: timestamp.nullable(),
    createdAt: timestamp,
    plans: z.array(apiVersionPlan),
    versions: z.array(apiVersionSummary),
    liveContracts: z.number().int().meta({ description: "Live contracts, counted up to 10,000: 10001 means more than 10,000." }),
    pendingContracts: z.number().int().meta({ description: "Contracts awaiting approval, counted up to 10,000: 10001 means more than 10,000." }),
  })
  .meta({ id: "ManagedApiVersion" });

/** The API version's path below /api/v1, for Location. */
function versionPath(org: string, api: string, version: string): string {
  return `/api/v1/orgs/${encodeURIComponent(org)}/apis/${encodeURIComponent(api)}/versions/${encodeURIComponent(version)}`;
}

function planBody(plan: ApiVersionDetail["offeredPlans"][number]) {
  const { planVersionId, planId, slug, name, description, version, status, policies, requiresApproval } = plan;
  return { planVersionId, planId, slug, name, description, version, status, policies, requiresApproval };
}

function versionBody(detail: ApiVersionDetail) {
  const { version, api } = detail;
  return {
    id: version.id,
    api: { id: api.id, slug: api.slug, name: api.name },
    version: version.version,
    status: detail.status,
    notReadyReason: detail.notReadyReason,
    endpoint: version.endpoint,
    isPublic: version.isPublic,
    docs: version.docs,
    openapi: version.openapi,
    publishedAt: version.publishedAt,
    retiredAt: version.retiredAt,
    createdAt: version.createdAt,
    plans: detail.offeredPlans.map(planBody),
    versions: detail.versions,
    liveContracts: detail.liveContracts,
    pendingContracts: detail.pendingContracts,
  };
}

/** The representation with its ETag, the one If-Match compares with. */
function versionReply(detail: ApiVersionDetail, init: { status?: number; headers?: Record<string, string> } = {}) {
  return reply(versionBody(detail), { ...init, headers: { ...init.headers, etag: apiVersionEtag(detail.version) } });
}

type VersionParams = { org: string; api: string; version: string };
const detailOf = (params: VersionParams) => ({ org: params.org, api: params.api, version: params.version });

/** A path's plan version id: anything but a UUID names no offered plan. */
function planVersionIdOf(text: string): string {
  if (!z.uuid().safeParse(text).success) throw new DomainError("plan_not_offered");
  return text;
}

export const listOrganizationApisOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/apis",
  id: "listOrganizationApis",
  tag: TAG,
  summary: "The organization's APIs, each with its versions",
  scope: "read",
  paged: true,
  errors: ["not_found"],
  query: listQuery({ sortable: VERSIONED_SORTS, defaultSort: DEFAULT_VERSIONED_SORT }),
  response: pageOf(managedApiSummary),
  handler: async ({ db, actor, params, query, url }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "apiView");
    const page = await listOrganizationApis(db, actor, org.id, query);
    return paged(url, query, page.rows, page.total);
  },
});

export const createApiOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/apis",
  id: "createApi",
  tag: TAG,
  summary: "Create an API with its first version",
  description: "The first version is named by `version` (1.0 by default) and starts Created; `endpoint`, `isPublic`, `docs` and `openapi` are its settings.",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden", "slug_taken", "endpoint_not_allowed"],
  body: createApiSchema.omit({ orgId: true }),
  response: managedApi,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "apiView");
    const { api } = await createApi(db, actor, { ...body, orgId: org.id });
    const { versions } = await getOrganizationApi(db, actor, { org: org.slug, api: api.slug });
    const location = `/api/v1/orgs/${encodeURIComponent(org.slug)}/apis/${encodeURIComponent(api.slug)}`;
    return reply({ id: api.id, slug: api.slug, name: api.name, description: api.description, tags: api.tags, createdAt: api.createdAt, versions }, { headers: { location } });
  },
});

export const getApiOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/apis/{api}",
  id: "getOrganizationApi",
  tag: TAG,
  summary: "An API of the organization and its versions",
  scope: "read",
  errors: ["not_found", "api_not_found"],
  response: managedApi,
  handler: async ({ db, actor, params }) => {
    const { api, versions } = await getOrganizationApi(db, actor, params);
    return { id: api.id, slug: api.slug, name: api.name, description: api.description, tags: api.tags, createdAt: api.createdAt, versions };
  },
});

export const createApiVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/apis/{api}/versions",
  id: "createApiVersion",
  tag: TAG,
  summary: "Create a version of an API, empty or copied from another version",
  description: "`copyFrom` names a version of the same API whose endpoint, visibility, docs, OpenAPI document and offered plans the new version starts with; the other fields override them.",
  scope: "write",
  status: 201,
  etag: true,
  errors: ["not_found", "api_not_found", "forbidden", "version_exists", "endpoint_not_allowed"],
  body: createVersionSchema
    .omit({ apiId: true, copyFromVersionId: true })
    .extend({ copyFrom: versionSchema.optional().meta({ description: "The name of the version to copy (1.0)." }) }),
  response: managedApiVersion,
  handler: async ({ db, actor, params, body }) => {
    const { api, versions } = await getOrganizationApi(db, actor, params);
    const { copyFrom, ...fields } = body;
    const source = copyFrom === undefined ? undefined : versions.find((v) => v.version === copyFrom);
    if (copyFrom !== undefined && !source) {
      throw new DomainError("validation_failed", `copyFrom: This API has no version ${copyFrom}.`, { copyFrom: `This API has no version ${copyFrom}.` });
    }
    const version = await createApiVersion(db, actor, { ...fields, apiId: api.id, copyFromVersionId: source?.id });
    const detail = await getApiVersionDetail(db, actor, { org: params.org, api: api.slug, version: version.version });
    return versionReply(detail, { headers: { location: versionPath(params.org, api.slug, version.version) } });
  },
});

export const getManagedApiVersionOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/apis/{api}/versions/{version}",
  id: "getManagedApiVersion",
  tag: TAG,
  summary: "An API version as its management page shows it: settings, readiness and offered plans",
  scope: "read",
  etag: true,
  errors: ["not_found", "api_not_found"],
  response: managedApiVersion,
  handler: async ({ db, actor, params }) => versionReply(await getApiVersionDetail(db, actor, detailOf(params))),
});

export const updateApiVersionOperation = defineOperation({
  method: "PATCH",
  path: "/orgs/{org}/apis/{api}/versions/{version}",
  id: "updateApiVersion",
  tag: TAG,
  summary: "Change an API version's docs, OpenAPI document, endpoint or visibility",
  description: "Fields left out stay as they are. Endpoint and visibility are frozen once published; docs and the OpenAPI document may change until retired. Send the ETag you read as If-Match.",
  scope: "write",
  etag: true,
  errors: ["not_found", "api_not_found", "forbidden", "invalid_state", "endpoint_not_allowed"],
  body: updateVersionSchema.omit({ apiVersionId: true }),
  response: managedApiVersion,
  handler: async ({ db, actor, params, body, ifMatch }) => {
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await updateApiVersion(db, actor, { ...body, apiVersionId: version.id }, { ifMatch });
    return versionReply(await getApiVersionDetail(db, actor, detailOf(params)));
  },
});

export const publishApiVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/apis/{api}/versions/{version}/publish",
  id: "publishApiVersion",
  tag: TAG,
  summary: "Publish an API version: the gateway starts serving it",
  scope: "write",
  etag: true,
  errors: ["not_found", "api_not_found", "forbidden", "invalid_state", "api_not_ready", "endpoint_not_allowed"],
  response: managedApiVersion,
  handler: async ({ db, actor, params }) => {
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await publishApiVersion(db, actor, version.id);
    return versionReply(await getApiVersionDetail(db, actor, detailOf(params)));
  },
});

export const retireApiVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/apis/{api}/versions/{version}/retire",
  id: "retireApiVersion",
  tag: TAG,
  summary: "Retire a published API version: final, the gateway answers 410 from then on",
  scope: "write",
  etag: true,
  errors: ["not_found", "api_not_found", "forbidden", "invalid_state"],
  response: managedApiVersion,
  handler: async ({ db, actor, params }) => {
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await retireApiVersion(db, actor, version.id);
    return versionReply(await getApiVersionDetail(db, actor, detailOf(params)));
  },
});

export const listApiVersionPlansOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/apis/{api}/versions/{version}/plans",
  id: "listApiVersionPlans",
  tag: TAG,
  summary: "The plans an API version offers",
  scope: "read",
  errors: ["not_found", "api_not_found"],
  response: z.object({ data: z.array(apiVersionPlan) }),
  handler: async ({ db, actor, params }) => ({ data: (await getApiVersionDetail(db, actor, detailOf(params))).offeredPlans.map(planBody) }),
});

/** The offered plan as the version now shows it; plan_not_offered when it is not among them. */
async function offeredPlan(db: Queryable, actor: Actor, params: VersionParams, planVersionId: string) {
  const plan = (await getApiVersionDetail(db, actor, detailOf(params))).offeredPlans.find((p) => p.planVersionId === planVersionId);
  if (!plan) throw new DomainError("plan_not_offered");
  return planBody(plan);
}

export const offerPlanOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/apis/{api}/versions/{version}/plans",
  id: "offerPlan",
  tag: TAG,
  summary: "Offer a locked plan version of the organization on an API version not yet published",
  scope: "write",
  status: 201,
  errors: ["not_found", "api_not_found", "forbidden", "invalid_state", "api_is_public", "plan_not_found", "plan_not_locked", "plan_not_offered"],
  body: offerPlanSchema.omit({ apiVersionId: true }),
  response: apiVersionPlan,
  handler: async ({ db, actor, params, body }) => {
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await offerPlan(db, actor, { ...body, apiVersionId: version.id });
    const location = `${versionPath(params.org, params.api, params.version)}/plans/${body.planVersionId}`;
    return reply(await offeredPlan(db, actor, params, body.planVersionId), { headers: { location } });
  },
});

export const setRequiresApprovalOperation = defineOperation({
  method: "PATCH",
  path: "/orgs/{org}/apis/{api}/versions/{version}/plans/{planVersionId}",
  id: "setPlanRequiresApproval",
  tag: TAG,
  summary: "Whether new contracts on an offered plan need approval; may change after publishing",
  scope: "write",
  errors: ["not_found", "api_not_found", "forbidden", "plan_not_offered"],
  body: approvalSchema.pick({ requiresApproval: true }),
  response: apiVersionPlan,
  handler: async ({ db, actor, params, body }) => {
    const planVersionId = planVersionIdOf(params.planVersionId);
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await setRequiresApproval(db, actor, { apiVersionId: version.id, planVersionId, requiresApproval: body.requiresApproval });
    return offeredPlan(db, actor, params, planVersionId);
  },
});

export const withdrawPlanOfferOperation = defineOperation({
  method: "DELETE",
  path: "/orgs/{org}/apis/{api}/versions/{version}/plans/{planVersionId}",
  id: "withdrawPlanOffer",
  tag: TAG,
  summary: "Stop offering a plan on an API version not yet published",
  scope: "write",
  errors: ["not_found", "api_not_found", "forbidden", "invalid_state", "plan_not_offered"],
  handler: async ({ db, actor, params }) => {
    const planVersionId = planVersionIdOf(params.planVersionId);
    const { version } = await getApiVersionDetail(db, actor, detailOf(params));
    await withdrawPlanOffer(db, actor, { apiVersionId: version.id, planVersionId });
  },
});

export const apisOperations = [
  listOrganizationApisOperation,
  createApiOperation,
  getApiOperation,
  createApiVersionOperation,
  getManagedApiVersionOperation,
  updateApiVersionOperation,
  publishApiVersionOperation,
  retireApiVersionOperation,
  listApiVersionPlansOperation,
  offerPlanOperation,
  setRequiresApprovalOperation,
  withdrawPlanOfferOperation,
];
