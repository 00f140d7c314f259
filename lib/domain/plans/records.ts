import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { plans, planVersions } from "@/db/schema";

export type Plan = typeof plans.$inferSelect;
export type PlanVersion = typeof planVersions.$inferSelect;

/** A plan version with its plan, for permission checks. */
export async function findPlanVersion(db: Queryable, planVersionId: string) {
  const [row] = await db
    .select({ version: planVersions, plan: plans })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(planVersions.id, planVersionId));
  return row;
}
