import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { notifications } from "@/db/schema";
import { parseInput } from "./errors";
import type { Actor } from "./permissions";

export type Notification = typeof notifications.$inferSelect;

export async function countUnreadNotifications(db: Queryable, actor: Actor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.recipientId, actor.userId), eq(notifications.read, false)));
  return row.n;
}

/** The actor's own notifications, newest first, a page at a time. Nobody sees another user's. */
export async function listNotifications(
  db: Queryable,
  actor: Actor,
  options: { page?: number; pageSize?: number; unreadOnly?: boolean } = {},
): Promise<{ rows: Notification[]; total: number; unread: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? 20)), 100);
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const where = and(eq(notifications.recipientId, actor.userId), options.unreadOnly ? eq(notifications.read, false) : undefined);
  const [rows, [counts]] = await Promise.all([
    db
      .select()
      .from(notifications)
      .where(where)
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db
      .select({
        total: sql<number>`count(*)`.mapWith(Number),
        unread: sql<number>`count(*) filter (where not ${notifications.read})`.mapWith(Number),
      })
      .from(notifications)
      .where(eq(notifications.recipientId, actor.userId)),
  ]);
  return { rows, total: options.unreadOnly ? counts.unread : counts.total, unread: counts.unread, page, pageSize };
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
