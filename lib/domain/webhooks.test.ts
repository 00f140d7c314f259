import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages, webhookEndpoints } from "@/db/schema";
import { retireApiVersion } from "./apis";
import { rotateApiKey } from "./clients";
import { approveContract, breakContract, createContract } from "./contracts";
import { addMember } from "./organizations";
import type { Actor } from "./permissions";
import { expectCode, makeBareUser, makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, refresh } from "./test-fixtures";
import { parseUpstreamAllow, upstreamRulesFor } from "./upstream-rules";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  eventTypeOf,
  listWebhookDeliveries,
  listWebhookEndpoints,
  openWebhookSecret,
  redeliverWebhook,
  rollWebhookSecret,
  updateWebhookEndpoint,
  webhookUrlRefusal,
} from "./webhooks";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let providerOrg: string;
let consumer: Actor;
let consumerOrg: string;

const RECEIVER = "http://127.0.0.1:9/hooks";

beforeAll(async () => {
  // The receivers of these tests live on this machine: the operator allows it, as in e2e.
  process.env.PORTICO_UPSTREAM_ALLOW = "127.0.0.1";
  open = await openTestDb();
  db = open.db;
  ({ org: { id: providerOrg }, owner: provider } = await makeOrg(db, await makeUser(db, "manager")));
  ({ org: { id: consumerOrg }, owner: consumer } = await makeOrg(db, await makeUser(db, "manager")));
});
afterAll(async () => {
  delete process.env.PORTICO_UPSTREAM_ALLOW;
  await open?.close();
});

async function messagesOf(endpointId: string) {
  return db.select().from(outboxMessages).where(eq(outboxMessages.webhookEndpointId, endpointId)).orderBy(outboxMessages.createdAt);
}

describe("webhook endpoints", () => {
  it("an owner registers an endpoint; the secret is shown once and sealed in the database", async () => {
    const { endpoint, secret } = await createWebhookEndpoint(db, provider, { orgId: providerOrg, url: RECEIVER, description: "Billing", events: ["contract.approved", "api_version.published"] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    expect(endpoint).not.toHaveProperty("secretSealed");
    expect(endpoint.events).toEqual(["contract.approved", "api_version.published"]);
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row.secretSealed).not.toContain(secret.slice(6));
    expect(openWebhookSecret(row)).toBe(secret);
    const listed = await listWebhookEndpoints(db, provider, providerOrg);
    expect(listed.map((e) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
  });

  it("only an owner manages webhooks: other members are refused, strangers are told it does not exist", async () => {
    const apiDeveloper = await makeUser(db, "manager");
    const member = await makeBareUser(db);
    await addMember(db, provider, { orgId: providerOrg, email: apiDeveloper.email, role: "api-developer" });
    await addMember(db, provider, { orgId: providerOrg, email: member.email, role: "viewer" });
    const developer = await refresh(db, apiDeveloper);
    await expectCode(createWebhookEndpoint(db, developer, { orgId: providerOrg, url: RECEIVER }), "forbidden", 403);
    await expectCode(listWebhookEndpoints(db, developer, providerOrg), "forbidden", 403);
    await expectCode(createWebhookEndpoint(db, consumer, { orgId: providerOrg, url: RECEIVER }), "not_found", 404);
    const { endpoint } = await createWebhookEndpoint(db, provider, { orgId: providerOrg, url: RECEIVER });
    await expectCode(rollWebhookSecret(db, consumer, endpoint.id), "not_found", 404);
    await expectCode(deleteWebhookEndpoint(db, developer, endpoint.id), "forbidden", 403);
    await expectCode(listWebhookDeliveries(db, consumer, endpoint.id), "not_found", 404);
    await expectCode(rollWebhookSecret(db, provider, "not-a-uuid"), "not_found", 404);
  });

  it("refuses URLs outside the rules: http, metadata, link-local, internal and this machine's addresses", async () => {
    const rules = upstreamRulesFor({ port: 3000, gatewayPort: 8080, databasePort: 5432, redisPort: 6379, upstreamAllow: [] }, ["10.1.2.3"]);
    expect(webhookUrlRefusal(rules, "https://hooks.example.com/portico")).toBeUndefined();
    expect(webhookUrlRefusal(rules, "http://hooks.example.com/portico")).toMatch(/https/);
    expect(webhookUrlRefusal(rules, "ftp://hooks.example.com")).toMatch(/https:\/\//);
    expect(webhookUrlRefusal(rules, "not a url")).toMatch(/https:\/\//);
    expect(webhookUrlRefusal(rules, "https://user:pw@hooks.example.com")).toMatch(/password/);
    expect(webhookUrlRefusal(rules, "https://169.254.169.254/latest")).toMatch(/metadata/);
    expect(webhookUrlRefusal(rules, "https://[::ffff:169.254.169.254]/")).toMatch(/metadata/);
    expect(webhookUrlRefusal(rules, "https://169.254.1.1/")).toMatch(/link-local/);
    expect(webhookUrlRefusal(rules, "https://10.0.0.5/")).toMatch(/internal/);
    expect(webhookUrlRefusal(rules, "https://192.168.1.1/")).toMatch(/internal/);
    expect(webhookUrlRefusal(rules, "https://127.0.0.1/")).toMatch(/internal/);
    expect(webhookUrlRefusal(rules, "https://[::1]/")).toMatch(/internal/);
    expect(webhookUrlRefusal(rules, "https://localhost/")).toMatch(/this machine/);
    expect(webhookUrlRefusal(rules, "https://metadata.google.internal/")).toMatch(/internal/);
    const allowing = upstreamRulesFor({ port: 3000, gatewayPort: 8080, databasePort: 5432, redisPort: 6379, upstreamAllow: parseUpstreamAllow("127.0.0.1") }, []);
    expect(webhookUrlRefusal(allowing, "http://127.0.0.1:4567/hooks")).toBeUndefined();
    expect(webhookUrlRefusal(allowing, "http://10.0.0.5/hooks")).toMatch(/https/);

    await expectCode(createWebhookEndpoint(db, provider, { orgId: providerOrg, url: "https://169.254.169.254/" }), "endpoint_not_allowed", 400);
    await expectCode(createWebhookEndpoint(db, provider, { orgId: providerOrg, url: "http://hooks.example.com/" }), "endpoint_not_allowed", 400);
    await expectCode(createWebhookEndpoint(db, provider, { orgId: providerOrg, url: "https://hooks.example.com/", events: ["user.created" as never] }), "validation_failed", 400);
    const { endpoint } = await createWebhookEndpoint(db, provider, { orgId: providerOrg, url: "https://hooks.example.com/" });
    await expectCode(updateWebhookEndpoint(db, provider, { endpointId: endpoint.id, url: "https://10.0.0.1/" }), "endpoint_not_allowed");
  });

  it("rolling the secret replaces it; disabling stops new events; deleting removes the log", async () => {
    const { endpoint, secret } = await createWebhookEndpoint(db, provider, { orgId: providerOrg, url: RECEIVER });
    const rolled = await rollWebhookSecret(db, provider, endpoint.id);
    expect(rolled.secret).not.toBe(secret);
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(openWebhookSecret(row)).toBe(rolled.secret);

    const disabled = await updateWebhookEndpoint(db, provider, { endpointId: endpoint.id, enabled: false });
    expect(disabled.enabled).toBe(false);
    await makePublishedApi(db, provider, providerOrg);
    expect(await messagesOf(endpoint.id)).toHaveLength(0);
    await updateWebhookEndpoint(db, provider, { endpointId: endpoint.id, enabled: true });
    await makePublishedApi(db, provider, providerOrg);
    expect(await messagesOf(endpoint.id)).toHaveLength(1);

    await deleteWebhookEndpoint(db, provider, endpoint.id);
    expect(await messagesOf(endpoint.id)).toHaveLength(0);
    await expectCode(rollWebhookSecret(db, provider, endpoint.id), "not_found", 404);
  });
});

describe("webhook events", () => {
  it("maps audited actions to event types", () => {
    expect(eventTypeOf({ action: "contract.created", details: { status: "AwaitingApproval" } })).toBe("contract.requested");
    expect(eventTypeOf({ action: "contract.created", details: { status: "Active" } })).toBe("contract.created");
    expect(eventTypeOf({ action: "client_version.key_rotated" })).toBe("key.rotated");
    expect(eventTypeOf({ action: "contract.plan_change_approved" })).toBe("contract.plan_changed");
    expect(eventTypeOf({ action: "api_version.updated" })).toBeUndefined();
  });

  it("delivers API events to the subscribed endpoints of the API's organization only", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const all = (await createWebhookEndpoint(db, owner, { orgId: org.id, url: RECEIVER })).endpoint;
    const approvals = (await createWebhookEndpoint(db, owner, { orgId: org.id, url: RECEIVER, events: ["contract.approved"] })).endpoint;
    const { api, apiVersionId } = await makePublishedApi(db, owner, org.id);
    await retireApiVersion(db, owner, apiVersionId);
    const messages = await messagesOf(all.id);
    expect(messages.map((m) => m.type)).toEqual(["api_version.published", "api_version.retired"]);
    expect(messages[0].payload).toMatchObject({
      type: "api_version.published",
      timestamp: expect.any(String),
      data: { entityId: apiVersionId, api: { id: api.id, slug: api.slug, name: api.name, organization: org.slug, versionId: apiVersionId, version: "1.0" } },
    });
    expect(messages[0].eventId).toMatch(/^msg_/);
    expect(messages[0].eventId).not.toBe(messages[1].eventId);
    expect(await messagesOf(approvals.id)).toHaveLength(0);
  });

  it("delivers contract events to both organizations, once each although each side audits them", async () => {
    const { apiVersionId, planVersionId } = await makePublishedApi(db, provider, providerOrg, { requiresApproval: true });
    const providerHook = (await createWebhookEndpoint(db, provider, { orgId: providerOrg, url: RECEIVER, events: ["contract.requested", "contract.approved", "contract.broken"] })).endpoint;
    const consumerHook = (await createWebhookEndpoint(db, consumer, { orgId: consumerOrg, url: RECEIVER })).endpoint;
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    const contract = await createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
    await approveContract(db, provider, contract.id);
    await breakContract(db, consumer, { contractId: contract.id, side: "client" });

    for (const endpointId of [providerHook.id, consumerHook.id]) {
      const messages = await messagesOf(endpointId);
      expect(messages.map((m) => m.type)).toEqual(["contract.requested", "contract.approved", "contract.broken"]);
      expect(messages[1].payload).toMatchObject({ type: "contract.approved", data: { contractId: contract.id, status: "Active", client: { organization: expect.any(String) }, plan: { name: "Bronze" } } });
    }
    // One event, one id, whichever endpoint receives it.
    const [p, c] = [await messagesOf(providerHook.id), await messagesOf(consumerHook.id)];
    expect(p.map((m) => m.eventId)).toEqual(c.map((m) => m.eventId));
  });

  it("announces a key rotation without the key", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const { endpoint } = await createWebhookEndpoint(db, owner, { orgId: org.id, url: RECEIVER, events: ["key.rotated"] });
    const { clientVersionId, apiKey } = await makeClient(db, owner, org.id);
    const rotated = await rotateApiKey(db, owner, { clientVersionId, graceSeconds: 60 });
    const [message] = await messagesOf(endpoint.id);
    expect(message.payload).toMatchObject({ type: "key.rotated", data: { client: { versionId: clientVersionId }, graceSeconds: 60 } });
    const text = JSON.stringify(message.payload);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(rotated.apiKey);
    expect(text).not.toMatch(/apiKey|secret/i);
  });

  it("lists deliveries and redelivers with the same event id", async () => {
    const { org, owner } = await makeOrg(db, await makeUser(db, "manager"));
    const { endpoint } = await createWebhookEndpoint(db, owner, { orgId: org.id, url: RECEIVER });
    await makePublishedApi(db, owner, org.id);
    const { rows, total } = await listWebhookDeliveries(db, owner, endpoint.id);
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({ type: "api_version.published", status: "pending", attempts: 0 });
    const again = await redeliverWebhook(db, owner, endpoint.id, rows[0].id);
    expect(again.eventId).toBe(rows[0].eventId);
    expect(again.id).not.toBe(rows[0].id);
    expect((await listWebhookDeliveries(db, owner, endpoint.id)).total).toBe(2);
    const other = await createWebhookEndpoint(db, owner, { orgId: org.id, url: RECEIVER });
    await expectCode(redeliverWebhook(db, owner, other.endpoint.id, rows[0].id), "not_found", 404);
    await expectCode(redeliverWebhook(db, consumer, endpoint.id, rows[0].id), "not_found", 404);
  });
});
