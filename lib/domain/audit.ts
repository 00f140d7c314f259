import type { Queryable } from "@/db/client";
import { auditEvents, notifications } from "@/db/schema";
import { enqueueNotificationEmails } from "./email";
import type { Actor } from "./permissions";
import { enqueueWebhookEvents } from "./webhooks";

export interface AuditInput {
  orgId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  details?: Record<string, unknown>;
}

/** Writes one audit event in the caller's transaction, and the webhook deliveries it causes. */
export async function audit(tx: Queryable, actor: Actor | null, event: AuditInput): Promise<void> {
  await tx.insert(auditEvents).values({ ...event, actorId: actor?.userId ?? null, details: event.details ?? {} });
  await enqueueWebhookEvents(tx, actor, event);
}

export interface NotificationInput {
  kind: string;
  text: string;
  link?: string;
}

export async function notify(tx: Queryable, recipientIds: Iterable<string>, notification: NotificationInput): Promise<void> {
  const unique = [...new Set(recipientIds)];
  if (unique.length === 0) return;
  await tx.insert(notifications).values(unique.map((recipientId) => ({ recipientId, ...notification })));
  await enqueueNotificationEmails(tx, unique, notification);
}
