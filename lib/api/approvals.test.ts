import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { POST as approveRoute } from "@/app/api/v1/approvals/[id]/approve/route";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { createClient } from "@/lib/domain/clients";
import { createContract } from "@/lib/domain/contracts";
import type { Actor } from "@/lib/domain/permissions";
import { makeLockedPlan, makeOrg, makeUser, openTestDb, personalOrgId } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { type ApiClient, apiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let provider: Actor;
let consumer: Actor;
/** Pending requests on the provider's API, by client name, and one on another organization's API. */
let pending: Record<"Atlas" | "Beacon" | "Compass" | "Delta" | "Ember", string>;
let elsewhere: string;
let as: { provider: ApiClient; providerRead: ApiClient; consumer: ApiClient; revoked: ApiClient };

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: `${scope} token`, expiresInDays: 30, scope })).token;
}

/** A published API of a new organization whose one plan requires approval. */
async function gatedApi(slug: string) {
  const { owner, org } = await makeOrg(db, await makeUser(db, "manager"));
  const { planVersionId } = await makeLockedPlan(db, owner, org.id);
  const { version } = await createApi(db, owner, { orgId: org.id, slug, name: slug.toUpperCase(), endpoint: "http://127.0.0.1:9/x" });
  await offerPlan(db, owner, { apiVersionId: version.id, planVersionId, requiresApproval: true });
  await publishApiVersion(db, owner, version.id);
  return { owner, apiVersionId: version.id, planVersionId };
}

async function request(actor: Actor, clientName: string, api: { apiVersionId: string; planVersionId: string }) {
  const { version } = await createClient(db, actor, { orgId: personalOrgId(actor), name: clientName });
  return (await createContract(db, actor, { clientVersionId: version.id, ...api })).id;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  const tides = await gatedApi("tides");
  provider = tides.owner;
  const other = await gatedApi("other");
  consumer = await makeUser(db, "portal", "Casey Consumer");
  pending = {
    Atlas: await request(consumer, "Atlas", tides),
    Beacon: await request(consumer, "Beacon", tides),
    Compass: await request(consumer, "Compass", tides),
    Delta: await request(consumer, "Delta", tides),
    Ember: await request(consumer, "Ember", tides),
  };
  elsewhere = await request(consumer, "Faraway", other);
  const revokedToken = await createAccessToken(db, tides.owner, { name: "old", expiresInDays: 30, scope: "write" });
  await revokeAccessToken(db, tides.owner, revokedToken.accessToken.id);
  as = {
    provider: apiClient(server, await tokenFor(tides.owner)),
    providerRead: apiClient(server, await tokenFor(tides.owner, "read")),
    consumer: apiClient(server, await tokenFor(consumer)),
    revoked: apiClient(server, revokedToken.token),
  };
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

function expectProblem(answer: { status: number; body: { code: string } }, status: number, code: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.code).toBe(code);
}

const clientNames = (answer: { body: { data: { clientName: string }[] } }) => answer.body.data.map((row) => row.clientName);

describe("GET /api/v1/approvals", () => {
  it("lists the requests the token's user may decide, oldest first, and only those", async () => {
    const answer = await as.provider.get("/api/v1/approvals");
    expect(answer.status).toBe(200);
    expect(clientNames(answer)).toEqual(["Atlas", "Beacon", "Compass", "Delta", "Ember"]);
    expect(answer.body.data[0]).toMatchObject({ contractId: pending.Atlas, requesterName: "Casey Consumer", apiSlug: "tides", apiVersion: "1.0", planName: "Bronze" });
    expect(clientNames(await as.consumer.get("/api/v1/approvals"))).toEqual([]);
  });

  it("searches, sorts and pages", async () => {
    expect(clientNames(await as.provider.get("/api/v1/approvals?q=compass"))).toEqual(["Compass"]);
    expect(clientNames(await as.provider.get("/api/v1/approvals?sort=client.desc&limit=2"))).toEqual(["Ember", "Delta"]);
    const first = await as.provider.get("/api/v1/approvals?limit=3");
    expect(clientNames(await as.provider.get(`/api/v1/approvals?limit=3&cursor=${first.body.next}`))).toEqual(["Delta", "Ember"]);
    expectProblem(await as.provider.get("/api/v1/approvals?sort=status.asc"), 400, "validation_failed");
  });

  it("answers 401 to a revoked token", async () => {
    expectProblem(await as.revoked.get("/api/v1/approvals"), 401, "token_invalid");
  });
});

describe("POST /api/v1/approvals/{id}/approve and /reject", () => {
  it("refuses the requester (403), another organization's request (404), a read token and hostile ids", async () => {
    expectProblem(await as.consumer.post(`/api/v1/approvals/${pending.Atlas}/approve`), 403, "forbidden");
    expectProblem(await as.provider.post(`/api/v1/approvals/${elsewhere}/approve`), 404, "contract_not_found");
    expectProblem(await as.providerRead.post(`/api/v1/approvals/${pending.Atlas}/approve`), 403, "token_read_only");
    expectProblem(await as.revoked.post(`/api/v1/approvals/${pending.Atlas}/approve`), 401, "token_invalid");
    for (const id of ["not-a-uuid", "%00", "%2e%2e%2f", crypto.randomUUID()]) {
      expectProblem(await as.provider.post(`/api/v1/approvals/${id}/approve`), 404, "contract_not_found");
      expectProblem(await as.provider.post(`/api/v1/approvals/${id}/reject`, { reason: "No" }), 404, "contract_not_found");
    }
    // A path segment no URL can carry to a route, given to the route as Next.js would.
    const token = await tokenFor(provider);
    const response = await approveRoute(new Request("http://portico.test/api/v1/approvals/x/approve", { method: "POST", headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({ id: ".." }),
    });
    expect(response.status).toBe(404);
    expect((await as.consumer.get(`/api/v1/contracts/${pending.Atlas}`)).body.status).toBe("AwaitingApproval");
  });

  it("approves a request: the contract is active, and it leaves the list", async () => {
    const answer = await as.provider.post(`/api/v1/approvals/${pending.Atlas}/approve`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: pending.Atlas, status: "Active", decidedAt: expect.any(String) });
    expect((await as.consumer.get(`/api/v1/contracts/${pending.Atlas}`)).body.status).toBe("Active");
    expect(clientNames(await as.provider.get("/api/v1/approvals"))).not.toContain("Atlas");
    expectProblem(await as.provider.post(`/api/v1/approvals/${pending.Atlas}/approve`), 409, "invalid_state");
  });

  it("rejects only with a reason, which the requester reads back", async () => {
    for (const body of [{}, { reason: "" }, { reason: "   " }, { reason: 42 }, { reason: "x".repeat(5000) }]) {
      const answer = await as.provider.post(`/api/v1/approvals/${pending.Beacon}/reject`, body);
      expectProblem(answer, 400, "validation_failed");
      expect(Object.keys(answer.body.fields), JSON.stringify(body)).toEqual(["reason"]);
    }
    const answer = await as.provider.post(`/api/v1/approvals/${pending.Beacon}/reject`, { reason: "Tell us more about your app" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: pending.Beacon, status: "Rejected", reason: "Tell us more about your app" });
    expect((await as.consumer.get(`/api/v1/contracts/${pending.Beacon}`)).body).toMatchObject({ status: "Rejected", reason: "Tell us more about your app" });
  });
});

describe("POST /api/v1/approvals/decisions", () => {
  it("validates the body: ids, and a reason to reject", async () => {
    const noReason = await as.provider.post("/api/v1/approvals/decisions", { decision: "reject", ids: [pending.Compass] });
    expectProblem(noReason, 400, "validation_failed");
    expect(Object.keys(noReason.body.fields)).toEqual(["reason"]);
    for (const body of [{ decision: "approve", ids: [] }, { decision: "approve", ids: ["not-a-uuid"] }, { decision: "maybe", ids: [pending.Compass] }, { decision: "approve" }]) {
      expectProblem(await as.provider.post("/api/v1/approvals/decisions", body), 400, "validation_failed");
    }
    expectProblem(await as.providerRead.post("/api/v1/approvals/decisions", { decision: "approve", ids: [pending.Compass] }), 403, "token_read_only");
    expect(clientNames(await as.provider.get("/api/v1/approvals"))).toEqual(["Compass", "Delta", "Ember"]);
  });

  it("decides those it can and reports the others with their codes", async () => {
    const unknown = crypto.randomUUID();
    const answer = await as.provider.post("/api/v1/approvals/decisions", { decision: "approve", ids: [pending.Compass, pending.Delta, pending.Atlas, elsewhere, unknown] });
    expect(answer.status).toBe(200);
    expect(answer.body.decided).toEqual([pending.Compass, pending.Delta]);
    expect(answer.body.failed).toEqual([
      { id: pending.Atlas, code: "invalid_state", message: expect.any(String) },
      { id: elsewhere, code: "contract_not_found", message: expect.any(String) },
      { id: unknown, code: "contract_not_found", message: expect.any(String) },
    ]);
    const rejected = await as.provider.post("/api/v1/approvals/decisions", { decision: "reject", ids: [pending.Ember], reason: "Not this quarter" });
    expect(rejected.body).toEqual({ decided: [pending.Ember], failed: [] });
    const read = await Promise.all([pending.Compass, pending.Delta, pending.Ember].map((id) => as.consumer.get(`/api/v1/contracts/${id}`)));
    expect(read.map((answer) => answer.body.status)).toEqual(["Active", "Active", "Rejected"]);
    expect(read[2].body.reason).toBe("Not this quarter");
    expect(clientNames(await as.provider.get("/api/v1/approvals"))).toEqual([]);
  });

  it("decides nothing for the requester: every id fails as forbidden", async () => {
    const answer = await as.consumer.post("/api/v1/approvals/decisions", { decision: "approve", ids: [elsewhere] });
    expect(answer.body).toEqual({ decided: [], failed: [{ id: elsewhere, code: "forbidden", message: expect.any(String) }] });
  });
});
