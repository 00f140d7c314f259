import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { plans, planVersions } from "@/db/schema";
import { etagOf } from "../etags";

export type Plan = typeof plans.$inferSelect;
export type PlanVersion = typeof planVersions.$inferSelect;

/** A plan version with its plan, for permission checks. `forUpdate` locks the version row until the transaction ends. */
export async function findPlanVersion(db: Queryable, planVersionId: string, options: { forUpdate?: boolean } = {}) {
  const query = db
    .select({ version: planVersions, plan: plans })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(planVersions.id, planVersionId));
  const [row] = options.forUpdate ? await query.for("update", { of: planVersions }) : await query;
  return row;
}

/** The ETag of a plan version: its policies and its status (locked policies never change). */
export function planVersionEtag(version: Pick<PlanVersion, "status" | "policies" | "durationDays" | "terms">): string {
  return etagOf({ status: version.status, policies: version.policies, durationDays: version.durationDays, terms: version.terms });
}
