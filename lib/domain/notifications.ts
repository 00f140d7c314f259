import { and, eq, inArray, not, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { contracts, notifications } from "@/db/schema";
import { countPendingApprovals } from "./contracts/approvals";
import { parseInput } from "./errors";
import { listParamsSchema } from "./list-params";
import { descending, pagedList } from "./lists";
import type { Actor } from "./permissions";

/**
 * A notification as its recipient sees it. `decided`: a request that awaited the recipient's
 * decision and awaits nothing any more; it counts as read.
 */
export type Notification = typeof notifications.$inferSelect & { decided: boolean };

/** The URL params of the notifications list: only its page. */
export const notificationListParams = listParamsSchema();

/** What the contracts domain writes to the deciders when a new contract or a plan change awaits approval. */
export const REQUEST_NOTIFICATION_KINDS = ["approval_requested", "plan_change_requested"];

/*
 * A request notification is decided once its request awaits nothing. When its link names the
 * contract (`?contract=<id>`), that contract is looked at. Links that do not (those written today:
 * plain /manage/approvals) can only be resolved all together: once nothing awaits the recipient's
 * decision, every request they were told of was approved, rejected, withdrawn or cancelled; while
 * anything awaits, they stay new, so a pending request is never hidden.
 */
const linkedContractId = sql`substring(${notifications.link} from 'contract=([0-9a-f-]{36})')`;

function decidedCondition(allDecided: boolean): SQL {
  const linkedDecided = sql`(${linkedContractId} is not null and not exists (
    select 1 from ${contracts} where ${contracts.id}::text = ${linkedContractId}
      and (${contracts.status} = 'AwaitingApproval' or ${contracts.pendingPlanVersionId} is not null)))`;
  return and(inArray(notifications.kind, REQUEST_NOTIFICATION_KINDS), allDecided ? sql`true` : linkedDecided)!;
}

async function requestsAllDecided(db: Queryable, actor: Actor): Promise<boolean> {
  return (await countPendingApprovals(db, actor)) === 0;
}

function unreadCondition(actor: Actor, allDecided: boolean): SQL {
  return and(eq(notifications.recipientId, actor.userId), eq(notifications.read, false), not(decidedCondition(allDecided)))!;
}

export async function countUnreadNotifications(db: Queryable, actor: Actor): Promise<number> {
  return countUnread(db, actor);
}

/** `allDecided`, when the caller already knows it, spares counting the approvals again. */
async function countUnread(db: Queryable, actor: Actor, allDecided?: boolean): Promise<number> {
  const count = async (decided: boolean) => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(unreadCondition(actor, decided));
    return row.n;
  };
  if (allDecided !== undefined) return count(allDecided);
  const n = await count(false);
  // The approvals are only counted when an unread notification is left that they could resolve.
  if (n === 0 || !(await requestsAllDecided(db, actor))) return n;
  return count(true);
}

/**
 * The actor's own notifications, newest first, a page at a time, optionally only the unread ones
 * or those whose text holds each word of `q`. Nobody sees another user's. A decided request
 * counts as read and says `decided`.
 */
export async function listNotifications(
  db: Queryable,
  actor: Actor,
  options: { page?: number; pageSize?: number; unreadOnly?: boolean; q?: string } = {},
): Promise<{ rows: Notification[]; total: number; unread: number; page: number; pageSize: number }> {
  const allDecided = await requestsAllDecided(db, actor);
  const [{ rows, total, page, pageSize }, unread] = await Promise.all([
    pagedList({
    db,
      query: () => db.select({ notification: notifications, decided: sql<boolean>`${decidedCondition(allDecided)}` }).from(notifications).$dynamic(),
      where: options.unreadOnly ? unreadCondition(actor, allDecided) : eq(notifications.recipientId, actor.userId),
      search: [notifications.text],
      q: options.q,
      orderBy: [descending(notifications.createdAt), descending(notifications.id)],
      page: options.page,
      pageSize: options.pageSize,
    }),
    countUnread(db, actor, allDecided),
  ]);
  return {
    rows: rows.map(({ notification, decided }) => ({ ...notification, read: notification.read || decided, decided })),
    total,
    unread,
    page,
    pageSize,
  };
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
