import type { Queryable } from "@/db/client";
import type { NotificationInput } from "./audit";

/**
 * Email for notifications: called by notify() in the transaction that notifies, it writes one
 * outbox message per recipient who wants this kind of email (Settings → Notifications), when
 * mail is configured (SMTP_URL). Filled in by the email work.
 */
export async function enqueueNotificationEmails(_tx: Queryable, _recipientIds: readonly string[], _notification: NotificationInput): Promise<void> {}
