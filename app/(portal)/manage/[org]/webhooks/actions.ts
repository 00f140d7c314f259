"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type ActionResult, actorAction } from "@/lib/auth/action";
import { createWebhookEndpoint, deleteWebhookEndpoint, redeliverWebhook, rollWebhookSecret, updateWebhookEndpoint, type WebhookEventType } from "@/lib/domain/webhooks";

// A checklist sends one `events` field per ticked box: none, one (a string) or several.
const eventList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

export const createWebhookAction = actorAction(
  z.object({ orgId: z.string(), url: z.string(), description: z.string().default(""), events: eventList }),
  async (actor, input): Promise<ActionResult> => {
    const { endpoint, secret } = await createWebhookEndpoint(await getDb(), actor, { ...input, events: input.events as WebhookEventType[] });
    refresh();
    return { ok: true, message: "Endpoint registered.", data: { id: endpoint.id, secret } };
  },
);

export const setWebhookEnabledAction = actorAction(z.object({ endpointId: z.string(), enabled: z.enum(["true", "false"]) }), async (actor, { endpointId, enabled }) => {
  await updateWebhookEndpoint(await getDb(), actor, { endpointId, enabled: enabled === "true" });
  refresh();
  return { ok: true, message: enabled === "true" ? "Endpoint enabled." : "Endpoint disabled: it receives no new events." };
});

export const rollWebhookSecretAction = actorAction(z.object({ endpointId: z.string() }), async (actor, { endpointId }): Promise<ActionResult> => {
  const { secret } = await rollWebhookSecret(await getDb(), actor, endpointId);
  return { ok: true, message: "New secret made: deliveries are signed with it from now on.", data: { secret } };
});

export const deleteWebhookAction = actorAction(z.object({ endpointId: z.string(), orgSlug: z.string() }), async (actor, { endpointId, orgSlug }) => {
  await deleteWebhookEndpoint(await getDb(), actor, endpointId);
  redirect(`/manage/${encodeURIComponent(orgSlug)}/webhooks`);
});

export const redeliverWebhookAction = actorAction(z.object({ endpointId: z.string(), deliveryId: z.string() }), async (actor, { endpointId, deliveryId }) => {
  await redeliverWebhook(await getDb(), actor, endpointId, deliveryId);
  refresh();
  return { ok: true, message: "Queued again, with the same webhook-id." };
});
