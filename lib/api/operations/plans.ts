import { z } from "zod";
import { DEFAULT_VERSIONED_SORT, VERSIONED_SORTS } from "@/lib/domain/lists";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import {
  createPlan,
  createPlanSchema,
  createPlanVersion,
  createPlanVersionSchema,
  describePolicies,
  getOrganizationPlan,
  getPlanVersionDetail,
  listOrganizationPlans,
  lockPlanVersion,
  type PlanVersionDetail,
  planVersionEtag,
  policiesSchema,
  policySchema,
  updatePlanPolicies,
  updatePlanVersionSettings,
  updatePlanVersionSettingsSchema,
} from "@/lib/domain/plans";
import { DomainError } from "@/lib/domain/errors";
import { versionSchema } from "@/lib/domain/slugs";
import { defineOperation, reply } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * The provider's plans, as API Management shows them at /manage/{org}/plans/{plan}/{version}:
 * plans and their versions, policies, duration and terms of use that change until the version is
 * locked, and locking.
 */

const TAG = "API Management";

const planVersionStatus = z.enum(["Created", "Locked"]).meta({ description: "A Locked version's policies never change; only locked versions can be offered." });

const planVersionSummary = z.object({ id: z.uuid(), version: z.string(), status: planVersionStatus }).meta({ id: "ManagedPlanVersionSummary" });

const planSummary = z
  .object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string(), versions: z.array(planVersionSummary) })
  .meta({ id: "ManagedPlanSummary" });

const managedPlan = z
  .object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string(), createdAt: timestamp, versions: z.array(planVersionSummary) })
  .meta({ id: "ManagedPlan" });

const managedPlanVersion = z
  .object({
    id: z.uuid().meta({ description: "The plan version's id: `planVersionId` when offering it on an API version." }),
    plan: z.object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string() }),
    version: z.string(),
    status: planVersionStatus,
    policies: z.array(policySchema),
    summary: z.string().meta({ description: "The policies in words, as the portal shows them." }),
    durationDays: z.number().int().nullable().meta({ description: "How many days its contracts last (a trial); null: they do not end." }),
    terms: z.string().meta({ description: "Terms of use in Markdown that signers accept; empty: none." }),
    lockedAt: timestamp.nullable(),
    createdAt: timestamp,
    versions: z.array(planVersionSummary),
    offeredBy: z.array(
      z.object({
        api: z.string().meta({ description: "The API's slug." }),
        apiName: z.string(),
        version: z.string(),
        status: z.enum(["Created", "Published", "Retired"]),
        requiresApproval: z.boolean(),
      }),
    ),
  })
  .meta({ id: "ManagedPlanVersion" });

function versionBody(detail: PlanVersionDetail) {
  const { plan, version } = detail;
  return {
    id: version.id,
    plan: { id: plan.id, slug: plan.slug, name: plan.name, description: plan.description },
    version: version.version,
    status: version.status,
    policies: version.policies,
    summary: describePolicies(version.policies),
    durationDays: version.durationDays,
    terms: version.terms,
    lockedAt: version.lockedAt,
    createdAt: version.createdAt,
    versions: detail.versions,
    offeredBy: detail.offeredBy.map(({ apiSlug, apiName, version: apiVersion, status, requiresApproval }) => ({ api: apiSlug, apiName, version: apiVersion, status, requiresApproval })),
  };
}

/** The representation with its ETag (policies and status), the one If-Match compares with. */
function versionReply(detail: PlanVersionDetail, headers: Record<string, string> = {}) {
  return reply(versionBody(detail), { headers: { ...headers, etag: planVersionEtag(detail.version) } });
}

type VersionParams = { org: string; plan: string; version: string };
const refOf = (params: VersionParams) => ({ org: params.org, plan: params.plan, version: params.version });

function planPath(org: string, plan: string): string {
  return `/api/v1/orgs/${encodeURIComponent(org)}/plans/${encodeURIComponent(plan)}`;
}

export const listOrganizationPlansOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/plans",
  id: "listOrganizationPlans",
  tag: TAG,
  summary: "The organization's plans, each with its versions",
  scope: "read",
  paged: true,
  errors: ["not_found"],
  query: listQuery({ sortable: VERSIONED_SORTS, defaultSort: DEFAULT_VERSIONED_SORT }),
  response: pageOf(planSummary),
  handler: async ({ db, actor, params, query, url }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "planView");
    const page = await listOrganizationPlans(db, actor, org.id, query);
    return paged(url, query, page.rows, page.total);
  },
});

export const createPlanOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/plans",
  id: "createPlan",
  tag: TAG,
  summary: "Create a plan with its first version",
  description: "The first version is named by `version` (1.0 by default), holds `policies` and starts Created: lock it to offer it.",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden", "slug_taken"],
  body: createPlanSchema.omit({ orgId: true }),
  response: managedPlan,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "planView");
    const { plan } = await createPlan(db, actor, { ...body, orgId: org.id });
    const { versions } = await getOrganizationPlan(db, actor, { org: org.slug, plan: plan.slug });
    return reply(
      { id: plan.id, slug: plan.slug, name: plan.name, description: plan.description, createdAt: plan.createdAt, versions },
      { headers: { location: planPath(org.slug, plan.slug) } },
    );
  },
});

export const getPlanOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/plans/{plan}",
  id: "getPlan",
  tag: TAG,
  summary: "A plan of the organization and its versions",
  scope: "read",
  errors: ["not_found", "plan_not_found"],
  response: managedPlan,
  handler: async ({ db, actor, params }) => {
    const { plan, versions } = await getOrganizationPlan(db, actor, params);
    return { id: plan.id, slug: plan.slug, name: plan.name, description: plan.description, createdAt: plan.createdAt, versions };
  },
});

export const createPlanVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/plans/{plan}/versions",
  id: "createPlanVersion",
  tag: TAG,
  summary: "Create a version of a plan, with policies or copied from another version",
  description: "`copyFrom` names a version of the same plan whose policies the new version starts with.",
  scope: "write",
  status: 201,
  etag: true,
  errors: ["not_found", "plan_not_found", "forbidden", "version_exists"],
  body: createPlanVersionSchema
    .omit({ planId: true, copyFromVersionId: true })
    .extend({ copyFrom: versionSchema.optional().meta({ description: "The name of the version to copy (1.0)." }) }),
  response: managedPlanVersion,
  handler: async ({ db, actor, params, body }) => {
    const { plan, versions } = await getOrganizationPlan(db, actor, params);
    const { copyFrom, ...fields } = body;
    const source = copyFrom === undefined ? undefined : versions.find((v) => v.version === copyFrom);
    if (copyFrom !== undefined && !source) {
      throw new DomainError("validation_failed", `copyFrom: This plan has no version ${copyFrom}.`, { copyFrom: `This plan has no version ${copyFrom}.` });
    }
    const version = await createPlanVersion(db, actor, { ...fields, planId: plan.id, copyFromVersionId: source?.id });
    const detail = await getPlanVersionDetail(db, actor, { org: params.org, plan: plan.slug, version: version.version });
    return versionReply(detail, { location: `${planPath(params.org, plan.slug)}/versions/${encodeURIComponent(version.version)}` });
  },
});

export const getPlanVersionOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/plans/{plan}/versions/{version}",
  id: "getPlanVersion",
  tag: TAG,
  summary: "A plan version: its policies, status and the API versions that offer it",
  scope: "read",
  etag: true,
  errors: ["not_found", "plan_not_found"],
  response: managedPlanVersion,
  handler: async ({ db, actor, params }) => versionReply(await getPlanVersionDetail(db, actor, refOf(params))),
});

export const updatePlanPoliciesOperation = defineOperation({
  method: "PUT",
  path: "/orgs/{org}/plans/{plan}/versions/{version}/policies",
  id: "updatePlanPolicies",
  tag: TAG,
  summary: "Replace the policies of a plan version that is not locked",
  description: "The body is the policies array, or `{ \"policies\": [...] }`. Send the ETag you read as If-Match.",
  scope: "write",
  etag: true,
  errors: ["not_found", "plan_not_found", "forbidden", "invalid_state"],
  body: z.union([policiesSchema, z.object({ policies: policiesSchema })]).transform((body) => (Array.isArray(body) ? body : body.policies)),
  response: managedPlanVersion,
  handler: async ({ db, actor, params, body, ifMatch }) => {
    const { version } = await getPlanVersionDetail(db, actor, refOf(params));
    await updatePlanPolicies(db, actor, { planVersionId: version.id, policies: body }, { ifMatch });
    return versionReply(await getPlanVersionDetail(db, actor, refOf(params)));
  },
});

export const updatePlanVersionSettingsOperation = defineOperation({
  method: "PATCH",
  path: "/orgs/{org}/plans/{plan}/versions/{version}",
  id: "updatePlanVersionSettings",
  tag: TAG,
  summary: "Change the duration or terms of use of a plan version that is not locked",
  description: "Absent fields are unchanged; `durationDays: null` means contracts do not end, `terms: \"\"` means none. Send the ETag you read as If-Match.",
  scope: "write",
  etag: true,
  errors: ["not_found", "plan_not_found", "forbidden", "invalid_state"],
  body: updatePlanVersionSettingsSchema.omit({ planVersionId: true }),
  response: managedPlanVersion,
  handler: async ({ db, actor, params, body, ifMatch }) => {
    const { version } = await getPlanVersionDetail(db, actor, refOf(params));
    await updatePlanVersionSettings(db, actor, { planVersionId: version.id, ...body }, { ifMatch });
    return versionReply(await getPlanVersionDetail(db, actor, refOf(params)));
  },
});

export const lockPlanVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/plans/{plan}/versions/{version}/lock",
  id: "lockPlanVersion",
  tag: TAG,
  summary: "Lock a plan version: its policies never change again, and API versions may offer it",
  scope: "write",
  etag: true,
  errors: ["not_found", "plan_not_found", "forbidden", "invalid_state"],
  response: managedPlanVersion,
  handler: async ({ db, actor, params }) => {
    const { version } = await getPlanVersionDetail(db, actor, refOf(params));
    await lockPlanVersion(db, actor, version.id);
    return versionReply(await getPlanVersionDetail(db, actor, refOf(params)));
  },
});

export const plansOperations = [
  listOrganizationPlansOperation,
  createPlanOperation,
  getPlanOperation,
  createPlanVersionOperation,
  getPlanVersionOperation,
  updatePlanVersionSettingsOperation,
  updatePlanPoliciesOperation,
  lockPlanVersionOperation,
];
