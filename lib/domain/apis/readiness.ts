import { type Column, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiPlans } from "@/db/schema";
import { qualified } from "../lists";
import type { ApiVersion } from "./records";

export type ApiVersionStatus = "Created" | "Ready" | "Published" | "Retired";

export interface ApiVersionReadiness {
  status: ApiVersionStatus;
  /** Why a version still Created cannot be published yet; null once it is Ready or beyond. */
  notReadyReason: string | null;
}

/** Ready is derived (SPEC §3): an endpoint, and public or at least one offered plan. */
export function apiVersionReadiness(version: Pick<ApiVersion, "status" | "endpoint" | "isPublic">, offeredPlanCount: number): ApiVersionReadiness {
  if (version.status !== "Created") return { status: version.status, notReadyReason: null };
  const hasPlanOrIsPublic = version.isPublic || offeredPlanCount > 0;
  if (version.endpoint && hasPlanOrIsPublic) return { status: "Ready", notReadyReason: null };
  const notReadyReason = !version.endpoint
    ? hasPlanOrIsPublic
      ? "Not ready to publish: it needs an endpoint."
      : "Not ready to publish: it needs an endpoint, and a plan to offer unless it is public."
    : "Not ready to publish: it needs a plan to offer, unless it is public.";
  return { status: "Created", notReadyReason };
}

export function apiVersionStatus(version: Pick<ApiVersion, "status" | "endpoint" | "isPublic">, offeredPlanCount: number): ApiVersionStatus {
  return apiVersionReadiness(version, offeredPlanCount).status;
}

/** The number of plans an API version offers, as a column of a query over API versions. */
export const offeredPlanCountOf = (apiVersionId: Column) =>
  sql<number>`(select count(*)::int from ${apiPlans} where ${qualified(apiPlans.apiVersionId)} = ${qualified(apiVersionId)})`;

export async function countOfferedPlans(db: Queryable, apiVersionId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(apiPlans).where(eq(apiPlans.apiVersionId, apiVersionId));
  return row.n;
}
