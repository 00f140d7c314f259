import { randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, organizations, outboxMessages, plans, planVersions, webhookEndpoints } from "@/db/schema";
import { readConfig } from "@/lib/config";
import type { AuditInput } from "./audit";
import { audit } from "./audit";
import { apiOrg, clientOrg, withContractJoins } from "./contracts/queries";
import { DomainError, parseInput } from "./errors";
import { keyVault } from "./key-vault";
import { type Actor, hasPermission, mayViewInManagement } from "./permissions";
import { multilineText, TEXT_LIMITS, textProblem, CONTROL_CHARACTER_MESSAGE } from "./text";
import { addressRefusal, type AddressRange, parseAddress, parseAddressRange, type UpstreamRules, upstreamRulesFor } from "./upstream-rules";

/**
 * Webhooks: an organization's owner registers HTTPS endpoints, and the actions Portico audits
 * become signed events (Standard Webhooks) written to the outbox in the transaction of the action,
 * one message per subscribed endpoint. lib/outbox/webhook.ts delivers them.
 */

/** The events an endpoint can subscribe to; an empty subscription receives them all. */
export const WEBHOOK_EVENT_TYPES = [
  "contract.requested",
  "contract.created",
  "contract.approved",
  "contract.rejected",
  "contract.withdrawn",
  "contract.broken",
  "contract.plan_changed",
  "contract.suspended",
  "contract.resumed",
  "contract.expired",
  "key.rotated",
  "client_version.retired",
  "api_version.published",
  "api_version.retired",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Audited actions -> event types; contract.created is split by status in eventTypeOf. */
const ACTION_EVENTS: Record<string, WebhookEventType> = {
  "contract.approved": "contract.approved",
  "contract.rejected": "contract.rejected",
  "contract.withdrawn": "contract.withdrawn",
  "contract.broken": "contract.broken",
  "contract.plan_changed": "contract.plan_changed",
  // A plan change the provider approved moves the contract like an immediate one.
  "contract.plan_change_approved": "contract.plan_changed",
  "contract.suspended": "contract.suspended",
  "contract.resumed": "contract.resumed",
  "contract.expired": "contract.expired",
  "client_version.key_rotated": "key.rotated",
  "client_version.retired": "client_version.retired",
  "api_version.published": "api_version.published",
  "api_version.retired": "api_version.retired",
};

/** The event type an audited action is delivered as, or undefined when it is not an event. */
export function eventTypeOf(event: Pick<AuditInput, "action" | "details">): WebhookEventType | undefined {
  if (event.action === "contract.created") return event.details?.status === "AwaitingApproval" ? "contract.requested" : "contract.created";
  return ACTION_EVENTS[event.action];
}

/** What a receiver gets: never a key or a secret. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
/** An endpoint as shown: everything but its sealed secret. */
export type WebhookEndpointView = Omit<WebhookEndpoint, "secretSealed">;
export type WebhookDelivery = Pick<
  typeof outboxMessages.$inferSelect,
  "id" | "eventId" | "type" | "status" | "attempts" | "lastStatusCode" | "lastError" | "createdAt" | "sentAt" | "nextAttemptAt"
>;

// ---------------------------------------------------------------------------------------------
// Where an endpoint may be

const INTERNAL_RANGES: AddressRange[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/3",
  "::/128",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((text) => parseAddressRange(text)!);

const INTERNAL_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata", "metadata.google.internal", "metadata.goog", "instance-data"]);
const ALLOW_HINT = " An operator can allow it with PORTICO_UPSTREAM_ALLOW.";

function inRange(address: bigint, range: AddressRange): boolean {
  const shift = BigInt(128 - range.bits);
  return address >> shift === range.base >> shift;
}

function bareHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.+$/, "");
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Whether PORTICO_UPSTREAM_ALLOW names this host (by name and port) or address. */
function allowedByOperator(rules: UpstreamRules, host: string, address: bigint | undefined, port: number): boolean {
  return rules.allow.some((entry) =>
    "range" in entry ? address !== undefined && inRange(address, entry.range) && (entry.port === undefined || entry.port === port) : entry.host === host && entry.port === port,
  );
}

/**
 * Why Portico may not deliver to `address` (what `host` resolved to), or undefined when it may.
 * Stricter than the gateway's rules: a webhook goes out on Portico's own initiative, so no address
 * of this machine or of a private network, unless the operator allows it.
 */
export function webhookAddressRefusal(rules: UpstreamRules, host: string, address: string, port: number): string | undefined {
  const value = parseAddress(address);
  if (allowedByOperator(rules, bareHost(host), value, port)) return undefined;
  if (value === undefined) return `${address} is not an IP address.`;
  const gatewayRefusal = addressRefusal(rules, host, address, port, false);
  if (gatewayRefusal) return gatewayRefusal;
  if (rules.hostAddresses.has(value) || INTERNAL_RANGES.some((r) => inRange(value, r))) {
    return `${address} is an internal address (this machine or a private network); webhooks are only delivered to the internet.${ALLOW_HINT}`;
  }
  return undefined;
}

/** Why a webhook URL may not be used, as a sentence, or undefined when it may. Host names are judged again on their address at delivery. */
export function webhookUrlRefusal(rules: UpstreamRules, text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "Enter an https:// URL.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Enter an https:// URL.";
  if (url.username || url.password) return "A webhook URL cannot carry a user name or password.";
  const host = bareHost(url.hostname);
  const port = portOf(url);
  const address = parseAddress(host);
  if (allowedByOperator(rules, host, address, port)) return undefined;
  if (url.protocol !== "https:") return `Use https://: events must not cross the network in clear.${ALLOW_HINT}`;
  if (address !== undefined) return webhookAddressRefusal(rules, host, host, port);
  if (INTERNAL_NAMES.has(host) || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) {
    return `${host} names this machine or an internal network; webhooks are only delivered to the internet.${ALLOW_HINT}`;
  }
  return undefined;
}

/** The rules of this deployment, read each time so that a changed allow list applies at once. */
export function webhookRules(): UpstreamRules {
  return upstreamRulesFor(readConfig());
}

// ---------------------------------------------------------------------------------------------
// Endpoints

const urlSchema = z
  .string()
  .trim()
  .min(1, "Enter an https:// URL")
  .max(2000, "At most 2000 characters")
  .refine((u) => !textProblem(u), CONTROL_CHARACTER_MESSAGE);
const eventsSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: "Choose events from the list" }))
  .max(WEBHOOK_EVENT_TYPES.length)
  .default([])
  .transform((events) => WEBHOOK_EVENT_TYPES.filter((t) => events.includes(t)));
const endpointIdSchema = z.string().uuid("That webhook endpoint does not exist.");

export const createWebhookEndpointSchema = z.object({
  orgId: z.string().uuid(),
  url: urlSchema,
  description: multilineText({ max: TEXT_LIMITS.description }).default(""),
  events: eventsSchema,
});

export const updateWebhookEndpointSchema = z.object({
  endpointId: endpointIdSchema,
  url: urlSchema.optional(),
  description: multilineText({ max: TEXT_LIMITS.description }).optional(),
  events: eventsSchema.optional(),
  enabled: z.boolean().optional(),
});

function requireWebhookUrl(url: string): void {
  const refusal = webhookUrlRefusal(webhookRules(), url);
  if (refusal) throw new DomainError("endpoint_not_allowed", `URL: ${refusal}`, { url: refusal });
}

/** Owners manage webhooks; whoever cannot see the organization in API Management is told it does not exist. */
export function requireWebhookAdmin(actor: Actor, orgId: string): void {
  if (!mayViewInManagement(actor, orgId, "orgView")) throw new DomainError("not_found", "That organization does not exist.");
  if (!hasPermission(actor, orgId, "orgAdmin")) throw new DomainError("forbidden", "Only an owner of the organization manages its webhooks.");
}

/** A new signing secret in the Standard Webhooks format: whsec_ and base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

// Sealed for this endpoint's row: a sealed secret moved to another row cannot be opened there.
const sealContext = (endpointId: string) => `webhook:${endpointId}`;

export function sealWebhookSecret(secret: string, endpointId: string): string {
  return keyVault().seal(secret, sealContext(endpointId));
}

/** The endpoint's signing secret, for the sender only. */
export function openWebhookSecret(endpoint: Pick<WebhookEndpoint, "id" | "secretSealed">): string {
  return keyVault().open(endpoint.secretSealed, sealContext(endpoint.id));
}

function view(endpoint: WebhookEndpoint): WebhookEndpointView {
  const { secretSealed: _sealed, ...rest } = endpoint;
  return rest;
}

/** The URL without its query or fragment, for the audit trail: a query may hold a receiver's token. */
function auditedUrl(text: string): string {
  const url = new URL(text);
  return `${url.origin}${url.pathname}`;
}

const isUuid = (value: unknown): value is string => z.uuid().safeParse(value).success;
const endpointNotFound = () => new DomainError("not_found", "That webhook endpoint does not exist.");

async function loadEndpoint(db: Queryable, actor: Actor, endpointId: string): Promise<WebhookEndpoint> {
  // An id that cannot be one names nothing: not found, like an unknown one.
  if (!isUuid(endpointId)) throw endpointNotFound();
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint || !mayViewInManagement(actor, endpoint.orgId, "orgView")) throw endpointNotFound();
  requireWebhookAdmin(actor, endpoint.orgId);
  return endpoint;
}

/** The organization's endpoints, newest first. */
export async function listWebhookEndpoints(db: Queryable, actor: Actor, orgId: string): Promise<WebhookEndpointView[]> {
  requireWebhookAdmin(actor, orgId);
  const rows = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, orgId)).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
  return rows.map(view);
}

export async function getWebhookEndpoint(db: Queryable, actor: Actor, endpointId: string): Promise<WebhookEndpointView> {
  return view(await loadEndpoint(db, actor, endpointId));
}

/** Registers an endpoint; the answer holds its secret, the only time it is shown. */
export async function createWebhookEndpoint(db: Db, actor: Actor, input: z.input<typeof createWebhookEndpointSchema>): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const data = parseInput(createWebhookEndpointSchema, input);
  requireWebhookAdmin(actor, data.orgId);
  requireWebhookUrl(data.url);
  const id = randomUUID();
  const secret = newWebhookSecret();
  const endpoint = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ id, orgId: data.orgId, url: data.url, description: data.description, events: data.events, secretSealed: sealWebhookSecret(secret, id), createdById: actor.userId })
      .returning();
    await audit(tx, actor, { orgId: data.orgId, action: "webhook_endpoint.created", entityType: "webhook_endpoint", entityId: id, details: { url: auditedUrl(data.url), events: data.events } });
    return row;
  });
  return { endpoint: view(endpoint), secret };
}

/** Changes an endpoint's URL, description, events or whether it receives events. */
export async function updateWebhookEndpoint(db: Db, actor: Actor, input: z.input<typeof updateWebhookEndpointSchema>): Promise<WebhookEndpointView> {
  const { endpointId, ...fields } = parseInput(updateWebhookEndpointSchema, input);
  const endpoint = await loadEndpoint(db, actor, endpointId);
  if (fields.url !== undefined) requireWebhookUrl(fields.url);
  const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (Object.keys(changes).length === 0) return view(endpoint);
  return db.transaction(async (tx) => {
    const [row] = await tx.update(webhookEndpoints).set(changes).where(eq(webhookEndpoints.id, endpoint.id)).returning();
    const details: Record<string, unknown> = { fields: Object.keys(changes) };
    if (fields.enabled !== undefined) details.enabled = fields.enabled;
    await audit(tx, actor, { orgId: endpoint.orgId, action: "webhook_endpoint.updated", entityType: "webhook_endpoint", entityId: endpoint.id, details });
    return view(row);
  });
}

/** Replaces the signing secret: deliveries from now on, retries included, are signed with the new one, shown once here. */
export async function rollWebhookSecret(db: Db, actor: Actor, endpointId: string): Promise<{ secret: string }> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  const secret = newWebhookSecret();
  await db.transaction(async (tx) => {
    await tx.update(webhookEndpoints).set({ secretSealed: sealWebhookSecret(secret, endpoint.id) }).where(eq(webhookEndpoints.id, endpoint.id));
    await audit(tx, actor, { orgId: endpoint.orgId, action: "webhook_endpoint.secret_rolled", entityType: "webhook_endpoint", entityId: endpoint.id });
  });
  return { secret };
}

/** Deletes an endpoint and its delivery log; its pending deliveries go with it. */
export async function deleteWebhookEndpoint(db: Db, actor: Actor, endpointId: string): Promise<void> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  await db.transaction(async (tx) => {
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    await audit(tx, actor, { orgId: endpoint.orgId, action: "webhook_endpoint.deleted", entityType: "webhook_endpoint", entityId: endpoint.id, details: { url: auditedUrl(endpoint.url) } });
  });
}

const deliveriesSchema = z.object({ page: z.coerce.number().int().min(1).max(1_000_000).default(1), pageSize: z.coerce.number().int().min(1).max(100).default(20) });

/** The endpoint's deliveries, newest first: one row per event sent (a redelivery is a row of its own). */
export async function listWebhookDeliveries(
  db: Queryable,
  actor: Actor,
  endpointId: string,
  params: z.input<typeof deliveriesSchema> = {},
): Promise<{ rows: WebhookDelivery[]; total: number }> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  const { page, pageSize } = parseInput(deliveriesSchema, params);
  const o = outboxMessages;
  const rows = await db
    .select({
      id: o.id,
      eventId: o.eventId,
      type: o.type,
      status: o.status,
      attempts: o.attempts,
      lastStatusCode: o.lastStatusCode,
      lastError: o.lastError,
      createdAt: o.createdAt,
      sentAt: o.sentAt,
      nextAttemptAt: o.nextAttemptAt,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(o)
    .where(and(eq(o.channel, "webhook"), eq(o.webhookEndpointId, endpoint.id)))
    .orderBy(desc(o.createdAt), desc(o.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const total = rows[0]?.total ?? (page > 1 ? (await db.$count(o, and(eq(o.channel, "webhook"), eq(o.webhookEndpointId, endpoint.id)))) : 0);
  return { rows: rows.map(({ total: _t, ...row }) => row), total };
}

/** Sends a delivery's event again, with the same webhook-id so that the receiver can tell it is the same event. */
export async function redeliverWebhook(db: Db, actor: Actor, endpointId: string, deliveryId: string, now = new Date()): Promise<WebhookDelivery> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  const deliveryNotFound = () => new DomainError("not_found", "That delivery does not exist.");
  if (!isUuid(deliveryId)) throw deliveryNotFound();
  const [original] = await db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.id, deliveryId), eq(outboxMessages.channel, "webhook"), eq(outboxMessages.webhookEndpointId, endpoint.id)));
  if (!original) throw deliveryNotFound();
  const [row] = await db
    .insert(outboxMessages)
    .values({ channel: "webhook", eventId: original.eventId, type: original.type, payload: original.payload, webhookEndpointId: endpoint.id, nextAttemptAt: now, createdAt: now })
    .returning();
  const { payload: _p, channel: _c, webhookEndpointId: _w, lockedUntil: _l, ...delivery } = row;
  return delivery;
}

// ---------------------------------------------------------------------------------------------
// Events

/** A Standard Webhooks message id: unique per event, kept across retries and redeliveries. */
export function newEventId(): string {
  return `msg_${randomBytes(16).toString("base64url")}`;
}

/** Both organizations of a contract and what a receiver needs to know about it. */
async function contractEvent(tx: Queryable, contractId: string) {
  const [row] = await withContractJoins(
    tx
    .select({
      id: contracts.id,
      status: contracts.status,
      reason: contracts.reason,
      endsAt: contracts.endsAt,
      clientOrgId: clients.orgId,
      clientOrg: clientOrg.slug,
      clientId: clients.id,
      clientSlug: clients.slug,
      clientName: clients.name,
      clientVersionId: clientVersions.id,
      clientVersion: clientVersions.version,
      apiOrgId: apis.orgId,
      apiOrg: apiOrg.slug,
      apiId: apis.id,
      apiSlug: apis.slug,
      apiName: apis.name,
      apiVersionId: apiVersions.id,
      apiVersion: apiVersions.version,
      planId: plans.id,
      planSlug: plans.slug,
      planName: plans.name,
      planVersionId: planVersions.id,
      planVersion: planVersions.version,
    })
    .from(contracts)
    .$dynamic(),
  ).where(eq(contracts.id, contractId));
  if (!row) return undefined;
  return {
    orgIds: [row.clientOrgId, row.apiOrgId],
    data: {
      contractId: row.id,
      status: row.status,
      reason: row.reason,
      endsAt: row.endsAt?.toISOString() ?? null,
      client: { id: row.clientId, slug: row.clientSlug, name: row.clientName, organization: row.clientOrg, versionId: row.clientVersionId, version: row.clientVersion },
      api: { id: row.apiId, slug: row.apiSlug, name: row.apiName, organization: row.apiOrg, versionId: row.apiVersionId, version: row.apiVersion },
      plan: { id: row.planId, slug: row.planSlug, name: row.planName, versionId: row.planVersionId, version: row.planVersion },
    },
  };
}

async function apiVersionEvent(tx: Queryable, apiVersionId: string) {
  const [row] = await tx
    .select({ orgId: apis.orgId, org: organizations.slug, apiId: apis.id, slug: apis.slug, name: apis.name, versionId: apiVersions.id, version: apiVersions.version, status: apiVersions.status })
    .from(apiVersions)
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(organizations, eq(organizations.id, apis.orgId))
    .where(eq(apiVersions.id, apiVersionId));
  if (!row) return undefined;
  return { orgIds: [row.orgId], data: { api: { id: row.apiId, slug: row.slug, name: row.name, organization: row.org, versionId: row.versionId, version: row.version, status: row.status } } };
}

async function clientVersionEvent(tx: Queryable, clientVersionId: string) {
  const [row] = await tx
    .select({ orgId: clients.orgId, org: organizations.slug, clientId: clients.id, slug: clients.slug, name: clients.name, versionId: clientVersions.id, version: clientVersions.version, retiredAt: clientVersions.retiredAt })
    .from(clientVersions)
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(organizations, eq(organizations.id, clients.orgId))
    .where(eq(clientVersions.id, clientVersionId));
  if (!row) return undefined;
  return { orgIds: [row.orgId], data: { client: { id: row.clientId, slug: row.slug, name: row.name, organization: row.org, versionId: row.versionId, version: row.version, retiredAt: row.retiredAt?.toISOString() ?? null } } };
}

/** Details of the audit that a receiver may see: plan names, dates and the grace period, never a key. */
function extraDetails(event: AuditInput): Record<string, unknown> {
  const details = event.details ?? {};
  const out: Record<string, unknown> = {};
  for (const name of ["from", "to", "side", "graceSeconds"] as const) {
    const value = details[name];
    if (typeof value === "string" || typeof value === "number") out[name] = value;
  }
  return out;
}

/**
 * Called by audit() in the transaction that records an action: writes one outbox message per
 * enabled endpoint subscribed to the event. A contract event goes to both of its organizations
 * (read from the contract, whichever side the audit is written for), once per transaction although
 * the contract rules audit it on each side.
 */
export async function enqueueWebhookEvents(tx: Queryable, _actor: Actor | null, event: AuditInput): Promise<void> {
  const type = eventTypeOf(event);
  if (!type) return;
  const subject =
    event.entityType === "contract"
      ? await contractEvent(tx, event.entityId)
      : event.entityType === "api_version"
        ? await apiVersionEvent(tx, event.entityId)
        : event.entityType === "client_version"
          ? await clientVersionEvent(tx, event.entityId)
          : undefined;
  const orgIds = [...new Set(subject?.orgIds ?? (event.orgId ? [event.orgId] : []))];
  if (orgIds.length === 0) return;
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.orgId, orgIds), eq(webhookEndpoints.enabled, true)));
  const receivers = endpoints.filter((e) => e.events.length === 0 || e.events.includes(type));
  if (receivers.length === 0) return;
  // Statements of one transaction share now(): a row written so names the other side's audit of the same event.
  const ids = receivers.map((e) => e.id);
  const [already] = await tx
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .where(
      and(
        inArray(outboxMessages.webhookEndpointId, ids),
        sql`${outboxMessages.createdAt} = now()`,
        eq(outboxMessages.type, type),
        sql`${outboxMessages.payload} -> 'data' ->> 'entityId' = ${event.entityId}`,
      ),
    )
    .limit(1);
  if (already) return;
  const payload: WebhookPayload = {
    type,
    timestamp: new Date().toISOString(),
    data: { entityId: event.entityId, ...(subject?.data ?? {}), ...extraDetails(event) },
  };
  const eventId = newEventId();
  await tx.insert(outboxMessages).values(receivers.map((e) => ({ channel: "webhook" as const, eventId, type, payload: payload as unknown as Record<string, unknown>, webhookEndpointId: e.id })));
}
