import { z } from "zod";
import { DomainError } from "@/lib/domain/errors";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import type { Db } from "@/db/client";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rollWebhookSecret,
  updateWebhookEndpoint,
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  type WebhookEndpointView,
} from "@/lib/domain/webhooks";
import { defineOperation, reply } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * An organization's webhooks, as /manage/{org}/webhooks shows them: endpoints that receive
 * Portico's events signed the Standard Webhooks way, their delivery log, and redelivery. Owners only.
 */

const TAG = "Webhooks";

const eventType = z.enum(WEBHOOK_EVENT_TYPES);
const events = z.array(eventType).max(WEBHOOK_EVENT_TYPES.length).meta({ description: "The events delivered; empty: every event." });

const webhookEndpoint = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    events,
    enabled: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: "WebhookEndpoint" });

const createdWebhookEndpoint = webhookEndpoint
  .extend({ secret: z.string().meta({ description: "The signing secret (whsec_…), shown this once: keep it to verify webhook-signature." }) })
  .meta({ id: "CreatedWebhookEndpoint" });

const webhookDelivery = z
  .object({
    id: z.uuid(),
    eventId: z.string().meta({ description: "The webhook-id header: the same for every attempt and redelivery of one event." }),
    type: z.string(),
    status: z.enum(["pending", "sent", "failed"]).meta({ description: "pending: not yet taken (retried with backoff for 24 hours); sent: answered 2xx; failed: gave up." }),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: timestamp,
    sentAt: timestamp.nullable(),
    nextAttemptAt: timestamp,
  })
  .meta({ id: "WebhookDelivery" });

const createBody = z.object({
  url: z.string().max(2000).meta({ description: "An https:// URL on the internet (http and internal addresses only where the operator allows them)." }),
  description: z.string().max(2000).optional(),
  events: events.optional(),
});

const updateBody = z.object({
  url: z.string().max(2000).optional(),
  description: z.string().max(2000).optional(),
  events: events.optional(),
  enabled: z.boolean().optional(),
});

function endpointBody(e: WebhookEndpointView) {
  return { id: e.id, url: e.url, description: e.description, events: e.events.filter((t): t is (typeof WEBHOOK_EVENT_TYPES)[number] => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t)), enabled: e.enabled, createdAt: e.createdAt };
}

function deliveryBody(d: WebhookDelivery) {
  return { id: d.id, eventId: d.eventId, type: d.type, status: d.status, attempts: d.attempts, lastStatusCode: d.lastStatusCode, lastError: d.lastError, createdAt: d.createdAt, sentAt: d.sentAt, nextAttemptAt: d.nextAttemptAt };
}

function webhookPath(org: string, id: string): string {
  return `/api/v1/orgs/${encodeURIComponent(org)}/webhooks/${encodeURIComponent(id)}`;
}

/** The endpoint named in the path, if it belongs to the organization in the path. */
async function endpointOf(db: Db, actor: Actor, params: { org: string; webhook: string }): Promise<WebhookEndpointView> {
  const org = await requireManagedOrganization(db, actor, params.org, "orgView");
  const endpoint = await getWebhookEndpoint(db, actor, params.webhook);
  if (endpoint.orgId !== org.id) throw new DomainError("not_found", "That webhook endpoint does not exist.");
  return endpoint;
}

export const listWebhookEndpointsOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/webhooks",
  id: "listWebhookEndpoints",
  tag: TAG,
  summary: "The organization's webhook endpoints, newest first",
  scope: "read",
  errors: ["not_found", "forbidden"],
  response: z.object({ data: z.array(webhookEndpoint) }),
  handler: async ({ db, actor, params }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "orgView");
    return { data: (await listWebhookEndpoints(db, actor, org.id)).map(endpointBody) };
  },
});

export const createWebhookEndpointOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/webhooks",
  id: "createWebhookEndpoint",
  tag: TAG,
  summary: "Register a webhook endpoint; the answer holds its signing secret, shown once",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden", "endpoint_not_allowed"],
  body: createBody,
  response: createdWebhookEndpoint,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireManagedOrganization(db, actor, params.org, "orgView");
    const { endpoint, secret } = await createWebhookEndpoint(db, actor, { ...body, orgId: org.id });
    return reply({ ...endpointBody(endpoint), secret }, { headers: { location: webhookPath(org.slug, endpoint.id), "cache-control": "no-store" } });
  },
});

export const getWebhookEndpointOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/webhooks/{webhook}",
  id: "getWebhookEndpoint",
  tag: TAG,
  summary: "A webhook endpoint (never its secret)",
  scope: "read",
  errors: ["not_found", "forbidden"],
  response: webhookEndpoint,
  handler: async ({ db, actor, params }) => endpointBody(await endpointOf(db, actor, params)),
});

export const updateWebhookEndpointOperation = defineOperation({
  method: "PATCH",
  path: "/orgs/{org}/webhooks/{webhook}",
  id: "updateWebhookEndpoint",
  tag: TAG,
  summary: "Change an endpoint's URL, description or events, or enable and disable it",
  description: "Fields left out stay as they are. A disabled endpoint receives no new events; its pending deliveries wait.",
  scope: "write",
  errors: ["not_found", "forbidden", "endpoint_not_allowed"],
  body: updateBody,
  response: webhookEndpoint,
  handler: async ({ db, actor, params, body }) => {
    const endpoint = await endpointOf(db, actor, params);
    return endpointBody(await updateWebhookEndpoint(db, actor, { ...body, endpointId: endpoint.id }));
  },
});

export const deleteWebhookEndpointOperation = defineOperation({
  method: "DELETE",
  path: "/orgs/{org}/webhooks/{webhook}",
  id: "deleteWebhookEndpoint",
  tag: TAG,
  summary: "Delete an endpoint, its pending deliveries and its delivery log",
  scope: "write",
  errors: ["not_found", "forbidden"],
  handler: async ({ db, actor, params }) => {
    const endpoint = await endpointOf(db, actor, params);
    await deleteWebhookEndpoint(db, actor, endpoint.id);
  },
});

export const rollWebhookSecretOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/webhooks/{webhook}/secret",
  id: "rollWebhookSecret",
  tag: TAG,
  summary: "Replace the endpoint's signing secret; the new one is shown once",
  description: "Every delivery from now on, retries included, is signed with the new secret.",
  scope: "write",
  errors: ["not_found", "forbidden"],
  response: z.object({ secret: z.string() }).meta({ id: "WebhookSecret" }),
  handler: async ({ db, actor, params }) => {
    const endpoint = await endpointOf(db, actor, params);
    return reply(await rollWebhookSecret(db, actor, endpoint.id), { headers: { "cache-control": "no-store" } });
  },
});

export const listWebhookDeliveriesOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}/webhooks/{webhook}/deliveries",
  id: "listWebhookDeliveries",
  tag: TAG,
  summary: "The endpoint's deliveries, newest first: status, attempts, last status code or error",
  scope: "read",
  paged: true,
  errors: ["not_found", "forbidden"],
  query: listQuery({}),
  response: pageOf(webhookDelivery),
  handler: async ({ db, actor, params, query, url }) => {
    const endpoint = await endpointOf(db, actor, params);
    const page = await listWebhookDeliveries(db, actor, endpoint.id, { page: query.page, pageSize: query.pageSize });
    return paged(url, query, page.rows.map(deliveryBody), page.total);
  },
});

export const redeliverWebhookOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
  id: "redeliverWebhook",
  tag: TAG,
  summary: "Send a delivery's event again, with the same webhook-id",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden"],
  response: webhookDelivery,
  handler: async ({ db, actor, params }) => {
    const endpoint = await endpointOf(db, actor, params);
    return deliveryBody(await redeliverWebhook(db, actor, endpoint.id, params.delivery));
  },
});

export const webhooksOperations = [
  listWebhookEndpointsOperation,
  createWebhookEndpointOperation,
  getWebhookEndpointOperation,
  updateWebhookEndpointOperation,
  deleteWebhookEndpointOperation,
  rollWebhookSecretOperation,
  listWebhookDeliveriesOperation,
  redeliverWebhookOperation,
];
