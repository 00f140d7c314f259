import { and, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { notifications } from "@/db/schema";
import type { Actor } from "./permissions";

export async function countUnreadNotifications(db: Queryable, actor: Actor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.recipientId, actor.userId), eq(notifications.read, false)));
  return row.n;
}
