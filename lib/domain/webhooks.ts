import type { Queryable } from "@/db/client";
import type { AuditInput } from "./audit";
import type { Actor } from "./permissions";

/**
 * Webhook events: called by audit() in the transaction that records an action, it writes one
 * outbox message per enabled endpoint subscribed to the event the action maps to. Filled in by
 * the webhooks work.
 */
export async function enqueueWebhookEvents(_tx: Queryable, _actor: Actor | null, _event: AuditInput): Promise<void> {}
