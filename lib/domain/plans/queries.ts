import { and, asc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, plans, planVersions } from "@/db/schema";
import { DomainError } from "../errors";
import { compareVersions, type ListPage, type ListQuery, type VersionedSort, type VersionedSummary, versionedParentPage } from "../lists";
import { organizationPermissions, requireManagedOrganization } from "../organizations/access";
import { type Actor, requireManagementView } from "../permissions";
import { isStorableText } from "../text";

export interface PlanVersionRef {
  org: string;
  plan: string;
  version: string;
}

/** The plan version behind /manage/[org]/plans/[plan]/[version], for users with planView there. */
export async function getPlanVersionDetail(db: Queryable, actor: Actor, ref: PlanVersionRef) {
  const org = await requireManagedOrganization(db, actor, ref.org, "planView");
  if (!isStorableText(ref.plan, ref.version)) throw new DomainError("plan_not_found");
  const [row] = await db
    .select({ plan: plans, version: planVersions })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(plans.orgId, org.id), eq(plans.slug, ref.plan), eq(planVersions.version, ref.version)));
  if (!row) throw new DomainError("plan_not_found");
  const versions = await db
    .select({ id: planVersions.id, version: planVersions.version, status: planVersions.status })
    .from(planVersions)
    .where(eq(planVersions.planId, row.plan.id));
  const offeredBy = await db
    .select({ apiSlug: apis.slug, apiName: apis.name, version: apiVersions.version, status: apiVersions.status, requiresApproval: apiPlans.requiresApproval })
    .from(apiPlans)
    .innerJoin(apiVersions, eq(apiVersions.id, apiPlans.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .where(eq(apiPlans.planVersionId, row.version.id))
    .orderBy(asc(apis.name));
  return {
    org,
    plan: row.plan,
    version: row.version,
    versions: versions.sort((a, b) => compareVersions(a.version, b.version)),
    offeredBy: offeredBy.sort((a, b) => a.apiName.localeCompare(b.apiName) || compareVersions(a.version, b.version)),
    can: organizationPermissions(actor, org.id),
  };
}

export type PlanVersionDetail = Awaited<ReturnType<typeof getPlanVersionDetail>>;

export type PlanSummary = VersionedSummary<"Created" | "Locked">;

/** A page of the organization's plans, each with its versions (planView). */
export async function listOrganizationPlans(db: Queryable, actor: Actor, orgId: string, query: ListQuery<VersionedSort> = {}): Promise<ListPage<PlanSummary>> {
  requireManagementView(actor, orgId, "planView");
  return versionedParentPage(db, plans, orgId, query, {
    load: (planIds) =>
      db
        .select({ id: planVersions.id, parentId: planVersions.planId, version: planVersions.version, status: planVersions.status })
        .from(planVersions)
        .where(inArray(planVersions.planId, planIds)),
    summary: (v) => ({ id: v.id, version: v.version, status: v.status }),
  });
}

/** A plan of an organization with its versions, by slugs (planView there). */
export async function getOrganizationPlan(db: Queryable, actor: Actor, ref: Omit<PlanVersionRef, "version">) {
  const org = await requireManagedOrganization(db, actor, ref.org, "planView");
  if (!isStorableText(ref.plan)) throw new DomainError("plan_not_found", "That plan does not exist.");
  const [plan] = await db.select().from(plans).where(and(eq(plans.orgId, org.id), eq(plans.slug, ref.plan)));
  if (!plan) throw new DomainError("plan_not_found", "That plan does not exist.");
  const versions = await db
    .select({ id: planVersions.id, version: planVersions.version, status: planVersions.status })
    .from(planVersions)
    .where(eq(planVersions.planId, plan.id));
  return { org, plan, versions: versions.sort((a, b) => compareVersions(a.version, b.version)) };
}
