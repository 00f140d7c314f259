import type { WebhookEventType } from "@/lib/domain/webhooks";

/** What each event tells, for the checklist. */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "contract.requested": "A contract is requested and awaits approval",
  "contract.created": "A contract is signed and active at once",
  "contract.approved": "A request is approved",
  "contract.rejected": "A request is rejected",
  "contract.withdrawn": "A request is withdrawn",
  "contract.broken": "A contract is broken",
  "contract.plan_changed": "A contract moves to another plan",
  "contract.suspended": "A contract is suspended",
  "contract.resumed": "A contract is resumed",
  "contract.expired": "A contract reaches its end date",
  "key.rotated": "A client version's API key is rotated",
  "client_version.retired": "A client version is retired",
  "api_version.published": "An API version is published",
  "api_version.retired": "An API version is retired",
};
