import { getDb } from "@/db/client";
import { csvFileName, plain, usageCsvError, usageCsvResponse } from "@/components/usage/csv-response";
import { rangeQueryOf } from "@/components/usage/range-params";
import { apiVersionSubject, segment } from "@/components/usage/subjects";
import { getActor } from "@/lib/auth/actor";
import { getApiVersionUsage } from "@/lib/domain/usage";

/** An API version's usage series as CSV, for its organization's API managers. */
export async function GET(request: Request, { params }: { params: Promise<{ org: string; api: string; version: string }> }) {
  const actor = await getActor();
  if (!actor) return plain(401, "Sign in to download usage.");
  const ref = await params;
  const query = rangeQueryOf(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const db = await getDb();
    const subject = await apiVersionSubject(db, actor, { org: segment(ref.org), api: segment(ref.api), version: segment(ref.version) });
    const report = await getApiVersionUsage(db, actor, { apiVersionId: subject.detail.version.id, ...query.input });
    return usageCsvResponse(csvFileName("usage", subject.fileStem, report.range.preset), report.points);
  } catch (error) {
    return usageCsvError(error);
  }
}
