import http from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages, webhookEndpoints } from "@/db/schema";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makePublishedApi, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createWebhookEndpoint, rollWebhookSecret } from "@/lib/domain/webhooks";
import { registerWebhookSender, sendWebhookMessage, WEBHOOK_RETRY_FOR_MS } from "./webhook";
import { retryDelayMs, runOutboxOnce } from "./worker";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on a free port; `answer` decides each response's status (null: never answer). */
async function startReceiver(answer: (n: number) => number | null) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = answer(received.length);
      if (status === null) return;
      response.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : {}).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let open: OpenDatabase;
let db: Db;
let owner: Actor;
let orgId: string;
const receivers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  process.env.PORTICO_UPSTREAM_ALLOW = "127.0.0.1";
  open = await openTestDb();
  db = open.db;
  ({ org: { id: orgId }, owner } = await makeOrg(db, await makeUser(db, "manager")));
  registerWebhookSender();
});
afterEach(async () => {
  // Each test owns its endpoints and the outbox: what it left is not due for the next one.
  await db.delete(webhookEndpoints);
  await db.delete(outboxMessages);
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  delete process.env.PORTICO_UPSTREAM_ALLOW;
  await open?.close();
});

async function receiverWithEndpoint(answer: (n: number) => number | null) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const { endpoint, secret } = await createWebhookEndpoint(db, owner, { orgId, url: receiver.url, events: ["api_version.published"] });
  return { receiver, endpoint, secret };
}

async function messageOf(endpointId: string) {
  const [message] = await db.select().from(outboxMessages).where(eq(outboxMessages.webhookEndpointId, endpointId));
  return message;
}

const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

describe("webhook delivery", () => {
  it("delivers a signed event that the standardwebhooks library verifies", async () => {
    const { receiver, endpoint, secret } = await receiverWithEndpoint(() => 204);
    const { apiVersionId } = await makePublishedApi(db, owner, orgId);
    expect(await runOutboxOnce(db, new Date(Date.now() + 1000))).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(secret, request)).toMatchObject({ type: "api_version.published", data: { api: { versionId: apiVersionId } } });
    const message = await messageOf(endpoint.id);
    expect(request.headers["webhook-id"]).toBe(message.eventId);
    expect(message).toMatchObject({ status: "sent", attempts: 1, lastStatusCode: 204, lastError: null });
  });

  it("retries with backoff until the receiver takes it, across a restart, with the same webhook-id", async () => {
    const { receiver, endpoint, secret } = await receiverWithEndpoint((n) => (n <= 3 ? 503 : 200));
    await makePublishedApi(db, owner, orgId);
    let now = new Date(Date.now() + 1000);

    expect(await runOutboxOnce(db, now)).toEqual({ sent: 0, failed: 1 });
    let message = await messageOf(endpoint.id);
    expect(message).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503, lastError: "The endpoint answered 503." });
    // Not due before its backoff.
    expect(await runOutboxOnce(db, new Date(now.getTime() + retryDelayMs(1) - 1))).toEqual({ sent: 0, failed: 0 });

    // A restart: the sender is installed again by a new process; the row waits in the database.
    registerWebhookSender();
    for (let attempt = 1; attempt <= 2; attempt++) {
      now = new Date(now.getTime() + retryDelayMs(attempt));
      expect(await runOutboxOnce(db, now)).toEqual({ sent: 0, failed: 1 });
    }
    now = new Date(now.getTime() + retryDelayMs(3));
    expect(await runOutboxOnce(db, now)).toEqual({ sent: 1, failed: 0 });
    message = await messageOf(endpoint.id);
    expect(message).toMatchObject({ status: "sent", attempts: 4, lastStatusCode: 200, lastError: null });
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([message.eventId]));
    for (const r of receiver.received) expect(verify(secret, r)).toBeTruthy();
    // Delivered once: nothing more is sent.
    expect(await runOutboxOnce(db, new Date(now.getTime() + 60 * 60_000))).toEqual({ sent: 0, failed: 0 });
  });

  it("gives up after 24 hours of failures", async () => {
    const { endpoint } = await receiverWithEndpoint(() => 500);
    await makePublishedApi(db, owner, orgId);
    const created = (await messageOf(endpoint.id)).createdAt;
    await runOutboxOnce(db, new Date(created.getTime() + 1000));
    expect((await messageOf(endpoint.id)).status).toBe("pending");
    await runOutboxOnce(db, new Date(created.getTime() + WEBHOOK_RETRY_FOR_MS));
    expect(await messageOf(endpoint.id)).toMatchObject({ status: "failed", attempts: 2, lastStatusCode: 500 });
  });

  it("does not follow redirects", async () => {
    const { receiver, endpoint } = await receiverWithEndpoint(() => 302);
    await makePublishedApi(db, owner, orgId);
    await runOutboxOnce(db, new Date(Date.now() + 1000));
    expect(receiver.received).toHaveLength(1);
    expect(await messageOf(endpoint.id)).toMatchObject({ status: "pending", lastStatusCode: 302 });
  });

  it("signs with the rolled secret: the old one no longer verifies", async () => {
    const { receiver, endpoint, secret } = await receiverWithEndpoint(() => 200);
    await makePublishedApi(db, owner, orgId);
    const rolled = await rollWebhookSecret(db, owner, endpoint.id);
    await runOutboxOnce(db, new Date(Date.now() + 1000));
    const [request] = receiver.received;
    expect(() => verify(secret, request)).toThrow(/signature/i);
    expect(verify(rolled.secret, request)).toBeTruthy();
  });

  it("gives up on a silent receiver after the timeout", async () => {
    const { endpoint } = await receiverWithEndpoint(() => null);
    await makePublishedApi(db, owner, orgId);
    const message = await messageOf(endpoint.id);
    const result = await sendWebhookMessage(db, message, { timeoutMs: 200 });
    expect(result).toEqual({ ok: false, error: "No answer within 0.2 s." });
  });

  it("refuses a host name that resolves to a forbidden address, before connecting", async () => {
    const { endpoint } = await createWebhookEndpoint(db, owner, { orgId, url: "https://hooks.example.test/portico", events: ["api_version.published"] });
    await makePublishedApi(db, owner, orgId);
    const message = await messageOf(endpoint.id);
    const metadata: LookupFunction = (_host, _options, callback) => (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: "169.254.169.254", family: 4 }]);
    const result = await sendWebhookMessage(db, message, { lookup: metadata });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^Not delivered: 169\.254\.169\.254 is a cloud metadata address/);
    const internal: LookupFunction = (_host, _options, callback) => (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: "10.0.0.7", family: 4 }]);
    expect((await sendWebhookMessage(db, message, { lookup: internal })).error).toMatch(/internal address/);
  });
});
