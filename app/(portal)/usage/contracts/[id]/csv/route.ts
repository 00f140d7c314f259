import { getDb } from "@/db/client";
import { csvFileName, plain, usageCsvError, usageCsvResponse } from "@/components/usage/csv-response";
import { rangeQueryOf } from "@/components/usage/range-params";
import { contractSubject } from "@/components/usage/subjects";
import { getActor } from "@/lib/auth/actor";
import { getContractUsage } from "@/lib/domain/usage";

/** The contract's usage series as CSV, for the signed-in user of its client's organization. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const actor = await getActor();
  if (!actor) return plain(401, "Sign in to download usage.");
  const { id } = await params;
  const query = rangeQueryOf(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const db = await getDb();
    const subject = await contractSubject(db, actor, id);
    const report = await getContractUsage(db, actor, { contractId: id, ...query.input });
    return usageCsvResponse(csvFileName("usage", subject.fileStem, report.range.preset), report.points);
  } catch (error) {
    return usageCsvError(error);
  }
}
