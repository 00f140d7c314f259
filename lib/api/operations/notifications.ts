import { z } from "zod";
import { listNotifications, markNotificationsRead } from "@/lib/domain/notifications";
import { defineOperation, reply } from "../operation";
import { idField, listQuery, pageOf, paged, timestamp } from "../schemas";

/** The user's own notifications, as /notifications shows them. Nobody reads or marks another user's. */

const notification = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    text: z.string(),
    link: z.string().nullable().meta({ description: "The portal page it is about, if any." }),
    read: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: "Notification" });

export const listNotificationsOperation = defineOperation({
  method: "GET",
  path: "/notifications",
  id: "listNotifications",
  tag: "Account",
  summary: "Your notifications, newest first, with the number unread",
  scope: "read",
  paged: true,
  query: listQuery({
    filters: { unread: z.enum(["true", "false"]).optional().meta({ description: "`true`: only the unread ones." }) },
  }),
  response: pageOf(notification).extend({ unread: z.number().int().meta({ description: "How many of all your notifications are unread." }) }),
  handler: async ({ db, actor, url, query }) => {
    const { rows, total, unread } = await listNotifications(db, actor, { q: query.q, page: query.page, pageSize: query.pageSize, unreadOnly: query.unread === "true" });
    const data = rows.map(({ id, kind, text, link, read, createdAt }) => ({ id, kind, text, link, read, createdAt }));
    const page = paged(url, query, data, total);
    return reply({ ...page.body, unread }, page.init);
  },
});

export const markNotificationsReadOperation = defineOperation({
  method: "POST",
  path: "/notifications/read",
  id: "markNotificationsRead",
  tag: "Account",
  summary: "Mark notifications read: some by id, or all",
  description: "Ids of notifications that are not yours, or already read, are skipped: `marked` counts those that changed.",
  scope: "write",
  body: z.union([
    z.strictObject({ ids: z.array(idField).min(1).max(500) }),
    z.strictObject({ all: z.literal(true) }),
  ]),
  response: z.object({ marked: z.number().int() }).meta({ id: "MarkedRead" }),
  handler: async ({ db, actor, body }) => ({ marked: await markNotificationsRead(db, actor, "all" in body ? "all" : body.ids) }),
});

export const notificationsOperations = [listNotificationsOperation, markNotificationsReadOperation];
