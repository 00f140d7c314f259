import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { clients, contracts } from "@/db/schema";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makePublishedApi, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { apiClient, type ApiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let consumer: Actor;
let org: string;
let openApi: { apiVersionId: string; planVersionId: string };
let approvalApi: { apiVersionId: string; planVersionId: string };
let thirdApi: { apiVersionId: string; planVersionId: string };
let api: ApiClient;
let reader: ApiClient;
let stranger: ApiClient;
let revoked: ApiClient;
let writeToken: string;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  const { org: providerOrg, owner: provider } = await makeOrg(db, await makeUser(db, "manager"));
  openApi = await makePublishedApi(db, provider, providerOrg.id);
  approvalApi = await makePublishedApi(db, provider, providerOrg.id, { requiresApproval: true });
  thirdApi = await makePublishedApi(db, provider, providerOrg.id);
  let consumerOrg;
  ({ org: consumerOrg, owner: consumer } = await makeOrg(db, await makeUser(db, "manager")));
  org = consumerOrg.slug;
  ({ token: writeToken } = await createAccessToken(db, consumer, { name: "write", expiresInDays: 30, scope: "write" }));
  api = apiClient(server, writeToken);
  reader = apiClient(server, (await createAccessToken(db, consumer, { name: "read", expiresInDays: 30, scope: "read" })).token);
  const gone = await createAccessToken(db, consumer, { name: "gone", expiresInDays: 30, scope: "write" });
  await revokeAccessToken(db, consumer, gone.accessToken.id);
  revoked = apiClient(server, gone.token);
  const { owner: other } = await makeOrg(db, await makeUser(db, "manager"));
  stranger = apiClient(server, (await createAccessToken(db, other, { name: "other", expiresInDays: 30, scope: "write" })).token);
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

const base = () => `/api/v1/orgs/${org}/clients`;

function expectProblem(answer: { status: number; headers: Headers; body: { code: string } }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body.code).toBe(code);
}

async function contractCount(clientVersionId: string) {
  const [row] = await db.select({ n: count() }).from(contracts).where(eq(contracts.clientVersionId, clientVersionId));
  return row.n;
}

describe("a client's life through /api/v1", () => {
  it("creates a client, signs contracts, reveals and rotates its key, lists, retires and deletes", async () => {
    const created = await api.post(base(), { name: "Harbour Board", description: "Shows the tides" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: "harbour-board", name: "Harbour Board", description: "Shows the tides", org: { slug: org } });
    expect(created.body.versions).toEqual([expect.objectContaining({ version: "1.0", status: "Created", retiredAt: null })]);
    expect(created.headers.get("location")).toBe(`${base()}/harbour-board/versions/1.0`);
    const v1 = `${base()}/harbour-board/versions/1.0`;
    const versionId = created.body.versions[0].id;

    const listed = await api.get(`${base()}?q=harbour`);
    expect(listed.body.data.map((c: { slug: string }) => c.slug)).toEqual(["harbour-board"]);

    // An auto-approved plan is Active at once; an approval plan waits.
    const active = await api.post(`${v1}/contracts`, openApi);
    expect(active.status).toBe(201);
    expect(active.body).toMatchObject({ status: "Active", clientVersionId: versionId, apiVersionId: openApi.apiVersionId, planVersionId: openApi.planVersionId, planName: "Bronze" });
    expect(active.headers.get("location")).toBe(`/api/v1/contracts/${active.body.id}`);
    const pending = await api.post(`${v1}/contracts`, approvalApi);
    expect(pending.body.status).toBe("AwaitingApproval");
    expectProblem(await api.post(`${v1}/contracts`, openApi), 409, "contract_exists");

    const detail = await api.get(v1);
    expect(detail.body).toMatchObject({ id: versionId, status: "AwaitingApproval", contractCount: 2, client: { slug: "harbour-board" } });
    expect(detail.body.contracts.map((c: { id: string }) => c.id)).toEqual([pending.body.id, active.body.id]);

    // The key: masked in the detail, in clear only when revealed.
    const revealed = await reader.get(`${v1}/key`);
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ apiKey: expect.stringMatching(/^ptk_/), previousApiKey: null, previousApiKeyExpiresAt: null });
    expect(JSON.stringify(detail.body)).not.toContain(revealed.body.apiKey);
    expect(detail.body.key.masked).toBe(`ptk_••••••••${revealed.body.apiKey.slice(-4)}`);

    const rotated = await api.post(`${v1}/key/rotate`, { graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.apiKey).not.toBe(revealed.body.apiKey);
    expect(Date.parse(rotated.body.previousApiKeyExpiresAt)).toBeGreaterThan(Date.now() + 3500_000);
    const after = await api.get(`${v1}/key`);
    expect(after.body).toMatchObject({ apiKey: rotated.body.apiKey, previousApiKey: revealed.body.apiKey });
    const shown = (await api.get(v1)).body.key;
    expect(shown).toMatchObject({ fingerprint: rotated.body.fingerprint, previous: { masked: `ptk_••••••••${revealed.body.apiKey.slice(-4)}` } });
    expectProblem(await api.post(`${v1}/key/rotate`, { graceSeconds: 8 * 24 * 3600 }), 400, "validation_failed");

    // The Contracts tab: filtered by status, sorted, paged.
    const onlyActive = await api.get(`${v1}/contracts?status=Active`);
    expect(onlyActive.body.data.map((c: { id: string }) => c.id)).toEqual([active.body.id]);
    const byStatus = await api.get(`${v1}/contracts?sort=status.asc`);
    expect(byStatus.body.data.map((c: { status: string }) => c.status)).toEqual(["AwaitingApproval", "Active"]);
    const firstPage = await api.get(`${v1}/contracts?sort=created.asc&limit=1`);
    expect(firstPage.body.data.map((c: { id: string }) => c.id)).toEqual([active.body.id]);
    const secondPage = await api.get(`${v1}/contracts?sort=created.asc&limit=1&cursor=${firstPage.body.next}`);
    expect(secondPage.body).toMatchObject({ data: [{ id: pending.body.id }], next: null });
    expectProblem(await api.get(`${v1}/contracts?status=Sleeping`), 400, "validation_failed");

    // A second version requesting the same contracts again.
    const v2 = await api.post(`${base()}/harbour-board/versions`, { version: "2.0", copyContractsFrom: "1.0" });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: "2.0", status: "AwaitingApproval", contractCount: 2 });
    expectProblem(await api.post(`${base()}/harbour-board/versions`, { version: "3.0", copyContractsFrom: "9.9" }), 400, "validation_failed");

    // My Clients shows it with its newest live version.
    const mine = await api.get("/api/v1/me/clients?q=harbour");
    expect(mine.body.data).toHaveLength(1);
    expect(mine.body.data[0]).toMatchObject({ slug: "harbour-board", org: { slug: org }, selected: { version: "2.0", status: "AwaitingApproval" } });
    expect(JSON.stringify(mine.body)).not.toContain(rotated.body.apiKey);

    const retired = await api.post(`${v1}/retire`);
    expect(retired.body.status).toBe("Retired");
    expectProblem(await api.post(`${v1}/retire`), 409, "client_retired");
    expectProblem(await api.post(`${v1}/contracts`, thirdApi), 409, "client_retired");

    // Deleting waits for the live contracts of version 2.0.
    expectProblem(await api.delete(`${base()}/harbour-board`), 409, "client_has_contracts");
    expect((await api.get(`${base()}/harbour-board`)).status).toBe(200);
  });

  it("deletes a client without live contracts", async () => {
    const created = await api.post(base(), { name: "Short Lived", slug: "short-lived" });
    const deleted = await api.delete(`${base()}/short-lived`);
    expect(deleted.status).toBe(204);
    expect(await db.select().from(clients).where(eq(clients.id, created.body.id))).toEqual([]);
    expectProblem(await api.get(`${base()}/short-lived`), 404, "client_not_found");
  });

  it("serves a developer (portal profile) in their own organization, as My Clients does", async () => {
    const developer = await makeUser(db, "portal");
    const dev = apiClient(server, (await createAccessToken(db, developer, { name: "ci", expiresInDays: 30, scope: "write" })).token);
    const [personal] = (await dev.get("/api/v1/me")).body.organizations;
    const created = await dev.post(`/api/v1/orgs/${personal.slug}/clients`, { name: "Pipeline" });
    expect(created.status).toBe(201);
    const version = `/api/v1/orgs/${personal.slug}/clients/${created.body.slug}/versions/1.0`;
    const signed = await dev.post(`${version}/contracts`, openApi);
    expect(signed.status).toBe(201);
    expect(signed.body.status).toBe("Active");
    expect((await dev.get(version)).body.contracts.map((c: { id: string }) => c.id)).toEqual([signed.body.id]);
    expect((await dev.get(`${version}/key`)).body.apiKey).toMatch(/^ptk_/);
    expect((await dev.get(`/api/v1/orgs/${personal.slug}/clients`)).body.data.map((c: { slug: string }) => c.slug)).toEqual([created.body.slug]);
    // Still nobody else's: the consumer's organization stays hidden from this developer.
    expectProblem(await dev.get(base()), 404, "not_found");
  });

  it("answers a retried contract creation with the same contract, created once", async () => {
    const created = await api.post(base(), { name: "Retry App" });
    const path = `${base()}/${created.body.slug}/versions/1.0/contracts`;
    const headers = { "idempotency-key": "retry-contract-1" };
    const first = await api.post(path, thirdApi, { headers });
    const second = await api.post(path, thirdApi, { headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await contractCount(created.body.versions[0].id)).toBe(1);
  });
});

describe("refusals", () => {
  it("another organization's client is not found, read or written", async () => {
    await api.post(base(), { name: "Private App", slug: "private-app" });
    expectProblem(await stranger.get(`${base()}/private-app`), 404, "not_found");
    expectProblem(await stranger.get(`${base()}/private-app/versions/1.0/key`), 404, "not_found");
    expectProblem(await stranger.post(`${base()}/private-app/versions/1.0/contracts`, openApi), 404, "not_found");
    expectProblem(await stranger.delete(`${base()}/private-app`), 404, "not_found");
    expectProblem(await stranger.get(base()), 404, "not_found");
    expect((await stranger.get("/api/v1/me/clients")).body.data).toEqual([]);
    expect((await api.get(`${base()}/private-app`)).status).toBe(200);
  });

  it("a read token may read but not write; a revoked token is refused", async () => {
    expect((await reader.get(base())).status).toBe(200);
    expectProblem(await reader.post(base(), { name: "Nope" }), 403, "token_read_only");
    expectProblem(await reader.post(`${base()}/private-app/versions/1.0/key/rotate`, {}), 403, "token_read_only");
    expectProblem(await reader.delete(`${base()}/private-app`), 403, "token_read_only");
    expectProblem(await revoked.get(base()), 401, "token_invalid");
    expectProblem(await revoked.post(base(), { name: "Nope" }), 401, "token_invalid");
  });

  it("hostile path segments and bodies answer 400 or 404, never 500", async () => {
    for (const path of [
      `/api/v1/orgs/${org}%00/clients`,
      `${base()}/private%00app`,
      `${base()}/%2e%2e`,
      `${base()}/private-app/versions/1.0%00`,
      `${base()}/private-app/versions/%2e%2e/key`,
      `${base()}/private-app/versions/..%2f..%2fkey/contracts`,
    ]) {
      // Fetched raw: a path that normalizes out of the API is the router's plain 404, not a problem.
      const answer = await fetch(server.url + path, { headers: { authorization: `Bearer ${writeToken}` } });
      expect([400, 404], path).toContain(answer.status);
    }
    expectProblem(await api.post(`${base()}/private-app/versions/1.0/contracts`, { apiVersionId: "../x", planVersionId: 7 }), 400, "validation_failed");
    expectProblem(await api.post(`${base()}/private-app/versions/1.0/contracts`, { apiVersionId: "00000000-0000-4000-8000-000000000000", planVersionId: openApi.planVersionId }), 404, "api_not_found");
    expectProblem(await api.post(base(), { name: "x".repeat(10_000) }), 400, "validation_failed");
    expectProblem(await api.post(base(), { name: "Bad", slug: "../etc" }), 400, "validation_failed");
    expectProblem(await api.post(base(), { name: "Dup", slug: "private-app" }), 409, "slug_taken");
    expectProblem(await api.post(`${base()}/private-app/versions`, { version: "1.0" }), 409, "version_exists");
    expectProblem(await api.post(`${base()}/private-app/versions`, { version: "2.0\u0000" }), 400, "validation_failed");
  });
});
