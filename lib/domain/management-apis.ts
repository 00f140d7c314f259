import { and, asc, eq, notInArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, contracts, plans, planVersions } from "@/db/schema";
import { apiVersionStatus, listOfferedPlans } from "./apis";
import { DomainError } from "./errors";
import { organizationPermissions, requireManagedOrganization } from "./management-access";
import { compareVersions, qualified } from "./management-organizations";
import type { Actor } from "./permissions";
import { isStorableText } from "./text";

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
  const offeredPlans = await listOfferedPlans(db, row.version.id);
  const siblings = await db
    .select({
      id: apiVersions.id,
      version: apiVersions.version,
      status: apiVersions.status,
      endpoint: apiVersions.endpoint,
      isPublic: apiVersions.isPublic,
      planCount: sql<number>`(select count(*)::int from ${apiPlans} where ${qualified(apiPlans.apiVersionId)} = ${qualified(apiVersions.id)})`,
    })
    .from(apiVersions)
    .where(eq(apiVersions.apiId, row.api.id));
  const [counts] = await db
    .select({
      live: sql<number>`count(*) filter (where ${contracts.status} in ('AwaitingApproval', 'Active'))::int`,
      pending: sql<number>`count(*) filter (where ${contracts.status} = 'AwaitingApproval')::int`,
    })
    .from(contracts)
    .where(eq(contracts.apiVersionId, row.version.id));
  const can = organizationPermissions(actor, org.id);
  return {
    org,
    api: row.api,
    version: row.version,
    status: apiVersionStatus(row.version, offeredPlans.length),
    offeredPlans,
    versions: siblings
      .map((v) => ({ id: v.id, version: v.version, status: apiVersionStatus(v, v.planCount) }))
      .sort((a, b) => compareVersions(a.version, b.version)),
    liveContracts: counts.live,
    pendingContracts: counts.pending,
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

/** A version label that follows the highest one: 1.0 -> 1.1, 2.9 -> 2.10, v3 -> v4. */
export function suggestNextVersion(versions: readonly string[]): string {
  const highest = [...versions].sort(compareVersions).at(-1);
  if (!highest) return "1.0";
  const match = /^(.*?)(\d+)(\D*)$/.exec(highest);
  if (!match) return `${highest}.1`;
  return `${match[1]}${Number(match[2]) + 1}${match[3]}`;
}
