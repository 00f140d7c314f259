import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { notifications } from "@/db/schema";
import { parseInput } from "./errors";
import { listParamsSchema } from "./list-params";
import { pagedList, totalOverPages } from "./lists";
import type { Actor } from "./permissions";

export type Notification = typeof notifications.$inferSelect;

/** The URL params of the notifications list: only its page. */
export const notificationListParams = listParamsSchema();

export async function countUnreadNotifications(db: Queryable, actor: Actor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.recipientId, actor.userId), eq(notifications.read, false)));
  return row.n;
}

/**
 * The actor's own notifications, newest first, a page at a time, optionally only the unread ones
 * or those whose text holds each word of `q`. Nobody sees another user's.
 */
export async function listNotifications(
  db: Queryable,
  actor: Actor,
  options: { page?: number; pageSize?: number; unreadOnly?: boolean; q?: string } = {},
): Promise<{ rows: Notification[]; total: number; unread: number; page: number; pageSize: number }> {
  const [{ rows, total, page, pageSize }, unread] = await Promise.all([
    pagedList({
      query: () => db.select({ notification: notifications, total: totalOverPages() }).from(notifications).$dynamic(),
      where: and(eq(notifications.recipientId, actor.userId), options.unreadOnly ? eq(notifications.read, false) : undefined),
      search: [notifications.text],
      q: options.q,
      orderBy: [desc(notifications.createdAt), desc(notifications.id)],
      page: options.page,
      pageSize: options.pageSize,
    }),
    countUnreadNotifications(db, actor),
  ]);
  return { rows: rows.map((row) => row.notification), total, unread, page, pageSize };
}

const markReadSchema = z.union([z.literal("all"), z.array(z.string().uuid()).max(500)]);

/** Marks the actor's notifications read: some by id, or all. Ids of other users' notifications are ignored. */
export async function markNotificationsRead(db: Queryable, actor: Actor, ids: "all" | string[]): Promise<number> {
  const which = parseInput(markReadSchema, ids);
  const updated = await db
    .update(notifications)
    .set({ read: true })
    .where(and(eq(notifications.recipientId, actor.userId), eq(notifications.read, false), which === "all" ? undefined : inArray(notifications.id, which.length ? which : ["00000000-0000-0000-0000-000000000000"])))
    .returning({ id: notifications.id });
  return updated.length;
}
