import { getDb } from "@/db/client";
import type { ActivityEntry } from "@/lib/domain/activity";
import { describeActivity, loadActivityNames } from "@/lib/domain/activity-text";
import { ActivityLinesTable } from "./ActivityLinesTable";

/** Who did what, when: audit events, newest first, a page at a time, each told in a sentence. */
export async function ActivityTable({ rows, total, pageSize }: { rows: ActivityEntry[]; total: number; pageSize: number }) {
  const names = await loadActivityNames(await getDb(), rows);
  return <ActivityLinesTable rows={rows.map((row) => describeActivity(row, names))} total={total} pageSize={pageSize} />;
}
