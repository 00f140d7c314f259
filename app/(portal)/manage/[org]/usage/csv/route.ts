import { getDb } from "@/db/client";
import { csvFileName, plain, usageCsvError, usageCsvResponse } from "@/components/usage/csv-response";
import { rangeQueryOf } from "@/components/usage/range-params";
import { organizationSubject, segment } from "@/components/usage/subjects";
import { getActor } from "@/lib/auth/actor";
import { getOrganizationApiUsage } from "@/lib/domain/usage";

/** The usage series of all an organization's APIs as CSV, for its API managers. */
export async function GET(request: Request, { params }: { params: Promise<{ org: string }> }) {
  const actor = await getActor();
  if (!actor) return plain(401, "Sign in to download usage.");
  const { org } = await params;
  const query = rangeQueryOf(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const db = await getDb();
    const subject = await organizationSubject(db, actor, segment(org));
    const report = await getOrganizationApiUsage(db, actor, { orgId: subject.org.id, ...query.input });
    return usageCsvResponse(csvFileName("usage", subject.fileStem, report.range.preset), report.points);
  } catch (error) {
    return usageCsvError(error);
  }
}
