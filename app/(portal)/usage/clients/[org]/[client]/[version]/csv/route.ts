import { getDb } from "@/db/client";
import { csvFileName, plain, usageCsvError, usageCsvResponse } from "@/components/usage/csv-response";
import { rangeQueryOf } from "@/components/usage/range-params";
import { clientVersionSubject, segment } from "@/components/usage/subjects";
import { getActor } from "@/lib/auth/actor";
import { getClientVersionUsage } from "@/lib/domain/usage";

/** A client version's usage series as CSV, for the signed-in users of its organization. */
export async function GET(request: Request, { params }: { params: Promise<{ org: string; client: string; version: string }> }) {
  const actor = await getActor();
  if (!actor) return plain(401, "Sign in to download usage.");
  const ref = await params;
  const query = rangeQueryOf(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const db = await getDb();
    const subject = await clientVersionSubject(db, actor, { org: segment(ref.org), client: segment(ref.client), version: segment(ref.version) });
    const report = await getClientVersionUsage(db, actor, { clientVersionId: subject.version.id, ...query.input });
    return usageCsvResponse(csvFileName("usage", subject.fileStem, report.range.preset), report.points);
  } catch (error) {
    return usageCsvError(error);
  }
}
