import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans, apis, apiVersions, plans, planVersions } from "@/db/schema";
import { etagOf } from "../etags";
import { type Actor, hasPermission } from "../permissions";

export type Api = typeof apis.$inferSelect;
export type ApiVersion = typeof apiVersions.$inferSelect;

/** An API version with its API; undefined when missing. `forUpdate` locks the version row until the transaction ends. */
export async function findApiVersion(db: Queryable, apiVersionId: string, options: { forUpdate?: boolean } = {}) {
  const query = db
    .select({ version: apiVersions, api: apis })
    .from(apiVersions)
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .where(eq(apiVersions.id, apiVersionId));
  const [row] = options.forUpdate ? await query.for("update", { of: apiVersions }) : await query;
  return row;
}

/**
 * The ETag of an API version's settings: what updateApiVersion may change (docs, OpenAPI
 * document, endpoint, visibility) and its stored status, which decides what may still change.
 */
export function apiVersionEtag(version: Pick<ApiVersion, "status" | "endpoint" | "isPublic" | "docs" | "openapi">): string {
  return etagOf({ status: version.status, endpoint: version.endpoint, isPublic: version.isPublic, docs: version.docs, openapi: version.openapi });
}

/** Published and retired versions are visible to every signed-in user; others need apiView. */
export function canSeeApiVersion(actor: Actor, api: Api, version: ApiVersion): boolean {
  return version.status !== "Created" || hasPermission(actor, api.orgId, "apiView");
}

/** The plans an API version offers, with their policies. */
export async function listOfferedPlans(db: Queryable, apiVersionId: string) {
  return db
    .select({
      planVersionId: planVersions.id,
      planId: plans.id,
      slug: plans.slug,
      name: plans.name,
      description: plans.description,
      version: planVersions.version,
      status: planVersions.status,
      policies: planVersions.policies,
      requiresApproval: apiPlans.requiresApproval,
    })
    .from(apiPlans)
    .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(apiPlans.apiVersionId, apiVersionId))
    .orderBy(plans.name);
}
