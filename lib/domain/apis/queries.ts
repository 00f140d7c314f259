import { and, asc, eq, inArray, isNotNull, notInArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, contracts, plans, planVersions } from "@/db/schema";
import { countApiVersionContracts } from "../contracts/queries";
import { RUNNING_CONTRACT_STATUSES } from "../contracts/statuses";
import { DomainError } from "../errors";
import { compareVersions, type ListPage, type ListQuery, type VersionedSort, type VersionedSummary, versionedParentPage } from "../lists";
import { organizationPermissions, requireManagedOrganization } from "../organizations/access";
import { type Actor, requireManagementView } from "../permissions";
import { isStorableText } from "../text";
import { apiVersionReadiness, apiVersionStatus, type ApiVersionStatus, offeredPlanCountOf } from "./readiness";
import { listOfferedPlans } from "./records";

export interface ApiVersionRef {
  org: string;
  api: string;
  version: string;
}

/** The API version behind /manage/[org]/apis/[api]/[version], for users with apiView there. */
export async function getApiVersionDetail(db: Queryable, actor: Actor, ref: ApiVersionRef) {
  const org = await requireManagedOrganization(db, actor, ref.org, "apiView");
  if (!isStorableText(ref.api, ref.version)) throw new DomainError("api_not_found");
  const [row] = await db
    .select({ api: apis, version: apiVersions })
    .from(apiVersions)
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .where(and(eq(apis.orgId, org.id), eq(apis.slug, ref.api), eq(apiVersions.version, ref.version)));
  if (!row) throw new DomainError("api_not_found");
  const offered = await listOfferedPlans(db, row.version.id);
  // The term and terms of use of each offered plan version, which a contract on it agrees to.
  const settings =
    offered.length === 0
      ? []
      : await db
          .select({ id: planVersions.id, durationDays: planVersions.durationDays, terms: planVersions.terms })
          .from(planVersions)
          .where(inArray(planVersions.id, offered.map((p) => p.planVersionId)));
  const settingsById = new Map(settings.map((s) => [s.id, s]));
  const offeredPlans = offered.map((p) => ({ ...p, durationDays: settingsById.get(p.planVersionId)?.durationDays ?? null, terms: settingsById.get(p.planVersionId)?.terms ?? "" }));
  const siblings = await db
    .select({
      id: apiVersions.id,
      version: apiVersions.version,
      status: apiVersions.status,
      endpoint: apiVersions.endpoint,
      isPublic: apiVersions.isPublic,
      planCount: offeredPlanCountOf(apiVersions.id),
    })
    .from(apiVersions)
    .where(eq(apiVersions.apiId, row.api.id));
  const counts = await countApiVersionContracts(db, row.version.id);
  const [planChanges] = await db
    .select({ pending: sql<number>`count(*)::int` })
    .from(contracts)
    .where(and(eq(contracts.apiVersionId, row.version.id), isNotNull(contracts.pendingPlanVersionId), inArray(contracts.status, RUNNING_CONTRACT_STATUSES)));
  const can = organizationPermissions(actor, org.id);
  const readiness = apiVersionReadiness(row.version, offeredPlans.length);
  return {
    org,
    api: row.api,
    version: row.version,
    status: readiness.status,
    notReadyReason: readiness.notReadyReason,
    offeredPlans,
    versions: siblings
      .map((v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) }))
      .sort((a, b) => compareVersions(a.version, b.version)),
    liveContracts: counts.live,
    pendingContracts: counts.pending,
    /** Running contracts whose plan change awaits approval. */
    pendingPlanChanges: planChanges.pending,
    can,
  };
}

export type ApiVersionDetail = Awaited<ReturnType<typeof getApiVersionDetail>>;

/**
 * Locked plan versions of the organization that this API version could still offer: one
 * version per plan, so plans already offered are left out.
 */
export async function listOfferablePlanVersions(db: Queryable, orgId: string, apiVersionId: string) {
  const offeredPlanIds = db
    .select({ planId: planVersions.planId })
    .from(apiPlans)
    .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
    .where(eq(apiPlans.apiVersionId, apiVersionId));
  const rows = await db
    .select({ planVersionId: planVersions.id, planName: plans.name, planSlug: plans.slug, version: planVersions.version, policies: planVersions.policies })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(plans.orgId, orgId), eq(planVersions.status, "Locked"), notInArray(planVersions.planId, offeredPlanIds)))
    .orderBy(asc(plans.name));
  return rows.sort((a, b) => a.planName.localeCompare(b.planName) || compareVersions(b.version, a.version));
}

export type ApiSummary = VersionedSummary<ApiVersionStatus>;

/** A page of the organization's APIs, each with its versions and their derived statuses (apiView). */
export async function listOrganizationApis(db: Queryable, actor: Actor, orgId: string, query: ListQuery<VersionedSort> = {}): Promise<ListPage<ApiSummary>> {
  requireManagementView(actor, orgId, "apiView");
  return versionedParentPage(db, apis, orgId, query, {
    load: (apiIds) =>
      db
        .select({
          id: apiVersions.id,
          parentId: apiVersions.apiId,
          version: apiVersions.version,
          status: apiVersions.status,
          endpoint: apiVersions.endpoint,
          isPublic: apiVersions.isPublic,
          planCount: offeredPlanCountOf(apiVersions.id),
        })
        .from(apiVersions)
        .where(inArray(apiVersions.apiId, apiIds)),
    summary: (v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) }),
  });
}

/** An API of an organization with its versions and their derived statuses, by slugs (apiView there). */
export async function getOrganizationApi(db: Queryable, actor: Actor, ref: Omit<ApiVersionRef, "version">) {
  const org = await requireManagedOrganization(db, actor, ref.org, "apiView");
  if (!isStorableText(ref.api)) throw new DomainError("api_not_found", "That API does not exist.");
  const [api] = await db.select().from(apis).where(and(eq(apis.orgId, org.id), eq(apis.slug, ref.api)));
  if (!api) throw new DomainError("api_not_found", "That API does not exist.");
  const versions = await db
    .select({ id: apiVersions.id, version: apiVersions.version, status: apiVersions.status, endpoint: apiVersions.endpoint, isPublic: apiVersions.isPublic, planCount: offeredPlanCountOf(apiVersions.id) })
    .from(apiVersions)
    .where(eq(apiVersions.apiId, api.id));
  return {
    org,
    api,
    versions: versions.map((v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) })).sort((a, b) => compareVersions(a.version, b.version)),
  };
}
