import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { webhookEndpoints } from "@/db/schema";
import { addMember } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makePublishedApi, makeUser, openTestDb, refresh } from "@/lib/domain/test-fixtures";
import { createAccessToken } from "@/lib/domain/tokens";
import { openWebhookSecret } from "@/lib/domain/webhooks";
import { apiClient, type ApiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let owner: Actor;
let orgId: string;
let org: string;
let api: ApiClient;
let readApi: ApiClient;
let developerApi: ApiClient;
let strangerApi: ApiClient;

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: "webhooks", expiresInDays: 30, scope })).token;
}

beforeAll(async () => {
  process.env.PORTICO_UPSTREAM_ALLOW = "127.0.0.1";
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  const made = await makeOrg(db, await makeUser(db, "manager"));
  owner = made.owner;
  orgId = made.org.id;
  org = made.org.slug;
  const developer = await makeUser(db, "manager");
  await addMember(db, owner, { orgId, email: developer.email, role: "api-developer" });
  const stranger = await makeUser(db, "manager");
  api = apiClient(server, await tokenFor(owner));
  readApi = apiClient(server, await tokenFor(owner, "read"));
  developerApi = apiClient(server, await tokenFor(await refresh(db, developer)));
  strangerApi = apiClient(server, await tokenFor(stranger));
});
afterAll(async () => {
  delete process.env.PORTICO_UPSTREAM_ALLOW;
  await server?.close();
  await open?.close();
});

describe("webhooks API", () => {
  it("creates an endpoint with its secret once, lists, reads, updates and deletes it", async () => {
    const created = await api.post(`/api/v1/orgs/${org}/webhooks`, { url: "http://127.0.0.1:9/hooks", description: "CI", events: ["api_version.published"] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const id = created.body.id;
    expect(created.headers.get("location")).toBe(`/api/v1/orgs/${org}/webhooks/${id}`);
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    expect(openWebhookSecret(row)).toBe(created.body.secret);

    const listed = await api.get(`/api/v1/orgs/${org}/webhooks`);
    expect(listed.body.data).toEqual([expect.objectContaining({ id, url: "http://127.0.0.1:9/hooks", events: ["api_version.published"], enabled: true })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret.slice(6));
    const read = await readApi.get(`/api/v1/orgs/${org}/webhooks/${id}`);
    expect(read.body).not.toHaveProperty("secret");

    const disabled = await api.patch(`/api/v1/orgs/${org}/webhooks/${id}`, { enabled: false });
    expect(disabled.body.enabled).toBe(false);

    const rolled = await api.post(`/api/v1/orgs/${org}/webhooks/${id}/secret`);
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret).not.toBe(created.body.secret);

    expect((await api.delete(`/api/v1/orgs/${org}/webhooks/${id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/orgs/${org}/webhooks/${id}`)).status).toBe(404);
  });

  it("lists deliveries and redelivers one with the same event id", async () => {
    const created = await api.post(`/api/v1/orgs/${org}/webhooks`, { url: "http://127.0.0.1:9/hooks" });
    const id = created.body.id;
    await makePublishedApi(db, owner, orgId);
    const deliveries = await readApi.get(`/api/v1/orgs/${org}/webhooks/${id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body).toEqual({ data: [expect.objectContaining({ type: "api_version.published", status: "pending", attempts: 0 })], next: null });
    const delivery = deliveries.body.data[0];
    const again = await api.post(`/api/v1/orgs/${org}/webhooks/${id}/deliveries/${delivery.id}/redeliver`);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ eventId: delivery.eventId, status: "pending" });
    expect((await api.get(`/api/v1/orgs/${org}/webhooks/${id}/deliveries?limit=1`)).body.next).toEqual(expect.any(String));
    expect((await api.post(`/api/v1/orgs/${org}/webhooks/${id}/deliveries/${crypto.randomUUID()}/redeliver`)).status).toBe(404);
  });

  it("refuses: URL rules (400), a read token (403), a non-owner member (403), a stranger (404)", async () => {
    const refused = await api.post(`/api/v1/orgs/${org}/webhooks`, { url: "https://169.254.169.254/latest" });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("endpoint_not_allowed");
    expect((await api.post(`/api/v1/orgs/${org}/webhooks`, { url: "https://hooks.example.com", events: ["nope"] })).status).toBe(400);

    const readOnly = await readApi.post(`/api/v1/orgs/${org}/webhooks`, { url: "https://hooks.example.com" });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.code).toBe("token_read_only");

    const created = await api.post(`/api/v1/orgs/${org}/webhooks`, { url: "https://hooks.example.com" });
    const byDeveloper = await developerApi.get(`/api/v1/orgs/${org}/webhooks`);
    expect(byDeveloper.status).toBe(403);
    expect(byDeveloper.body.code).toBe("forbidden");
    expect((await developerApi.delete(`/api/v1/orgs/${org}/webhooks/${created.body.id}`)).status).toBe(403);

    expect((await strangerApi.get(`/api/v1/orgs/${org}/webhooks`)).status).toBe(404);
    expect((await strangerApi.post(`/api/v1/orgs/${org}/webhooks/${created.body.id}/secret`)).status).toBe(404);
    const strangerOrg = await strangerApi.post(`/api/v1/orgs/${org}/webhooks`, { url: "https://hooks.example.com" });
    expect(strangerOrg.status).toBe(404);
    expect((await api.get(`/api/v1/orgs/${org}/webhooks/not-a-uuid`)).status).toBe(404);
  });
});
