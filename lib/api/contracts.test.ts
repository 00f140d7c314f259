import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { GET as getContractRoute, DELETE as deleteContractRoute } from "@/app/api/v1/contracts/[id]/route";
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
let org: { id: string; slug: string };
let freePlan: string;
let gatedPlan: string;
/** Contract ids: the consumer's active Dashboard one, their pending Mobile one, and a stranger's. */
let ids: { dashboard: string; mobile: string; stranger: string };
let as: { consumer: ApiClient; consumerRead: ApiClient; provider: ApiClient; stranger: ApiClient; revoked: ApiClient };

const tab = "/api/v1/orgs/{org}/apis/tides/versions/1.0/contracts";
const tabOf = (query = "") => tab.replace("{org}", org.slug) + query;

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: `${scope} token`, expiresInDays: 30, scope })).token;
}

async function sign(actor: Actor, clientName: string, apiVersionId: string, planVersionId: string) {
  const { version } = await createClient(db, actor, { orgId: personalOrgId(actor), name: clientName });
  return (await createContract(db, actor, { clientVersionId: version.id, apiVersionId, planVersionId })).id;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  ({ owner: provider, org } = await makeOrg(db, await makeUser(db, "manager")));
  ({ planVersionId: freePlan } = await makeLockedPlan(db, provider, org.id));
  ({ planVersionId: gatedPlan } = await makeLockedPlan(db, provider, org.id));
  const { version } = await createApi(db, provider, { orgId: org.id, slug: "tides", name: "Tides", endpoint: "http://127.0.0.1:9/tides" });
  await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: freePlan, requiresApproval: false });
  await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: gatedPlan, requiresApproval: true });
  await publishApiVersion(db, provider, version.id);

  consumer = await makeUser(db, "portal", "Casey Consumer");
  const stranger = await makeUser(db, "portal", "Sam Stranger");
  ids = {
    dashboard: await sign(consumer, "Dashboard", version.id, freePlan),
    mobile: await sign(consumer, "Mobile", version.id, gatedPlan),
    stranger: await sign(stranger, "Kiosk", version.id, freePlan),
  };
  const revokedToken = await createAccessToken(db, consumer, { name: "old", expiresInDays: 30, scope: "write" });
  await revokeAccessToken(db, consumer, revokedToken.accessToken.id);
  as = {
    consumer: apiClient(server, await tokenFor(consumer)),
    consumerRead: apiClient(server, await tokenFor(consumer, "read")),
    provider: apiClient(server, await tokenFor(provider)),
    stranger: apiClient(server, await tokenFor(stranger)),
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

describe("GET /api/v1/contracts", () => {
  it("lists the contracts of the token's user, with both sides, the plan and the endpoint", async () => {
    const answer = await as.consumer.get("/api/v1/contracts?sort=client.asc");
    expect(answer.status).toBe(200);
    expect(clientNames(answer)).toEqual(["Dashboard", "Mobile"]);
    expect(answer.body.next).toBeNull();
    expect(answer.body.data[0]).toMatchObject({
      id: ids.dashboard,
      status: "Active",
      reason: null,
      createdByName: "Casey Consumer",
      clientOrgId: personalOrgId(consumer),
      apiOrgSlug: org.slug,
      apiSlug: "tides",
      apiVersion: "1.0",
      planVersionId: freePlan,
      endpoint: expect.stringMatching(new RegExp(`/${org.slug}/tides/1\\.0/$`)),
    });
    expect(answer.body.data[1]).toMatchObject({ id: ids.mobile, status: "AwaitingApproval", decidedAt: null });
  });

  it("filters by status and words, sorts, and pages", async () => {
    expect(clientNames(await as.consumer.get("/api/v1/contracts?status=AwaitingApproval"))).toEqual(["Mobile"]);
    expect(clientNames(await as.consumer.get("/api/v1/contracts?q=dash"))).toEqual(["Dashboard"]);
    expect(clientNames(await as.consumer.get("/api/v1/contracts?sort=client.desc"))).toEqual(["Mobile", "Dashboard"]);
    const first = await as.consumer.get("/api/v1/contracts?sort=client.asc&limit=1");
    expect(clientNames(first)).toEqual(["Dashboard"]);
    expect(first.headers.get("link")).toContain("rel=\"next\"");
    expect(clientNames(await as.consumer.get(`/api/v1/contracts?sort=client.asc&limit=1&cursor=${first.body.next}`))).toEqual(["Mobile"]);
    expectProblem(await as.consumer.get("/api/v1/contracts?status=Gone"), 400, "validation_failed");
    expectProblem(await as.consumer.get("/api/v1/contracts?sort=secret.asc"), 400, "validation_failed");
  });

  it("answers 401 to a revoked token", async () => {
    expectProblem(await as.revoked.get("/api/v1/contracts"), 401, "token_invalid");
  });
});

describe("GET /api/v1/contracts/{id}", () => {
  it("answers one contract to either side", async () => {
    const answer = await as.consumer.get(`/api/v1/contracts/${ids.dashboard}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: ids.dashboard, clientName: "Dashboard", planVersionId: freePlan });
    expect((await as.provider.get(`/api/v1/contracts/${ids.stranger}`)).body.clientName).toBe("Kiosk");
  });

  it("answers 404 for another user's contract, an unknown id and hostile ids, never 500", async () => {
    expectProblem(await as.consumer.get(`/api/v1/contracts/${ids.stranger}`), 404, "contract_not_found");
    for (const id of [crypto.randomUUID(), "not-a-uuid", "%00", "%2e%2e%2f", "x".repeat(5000)]) {
      expectProblem(await as.consumer.get(`/api/v1/contracts/${id}`), 404, "contract_not_found");
    }
    // Path segments that no URL can carry to a route, given to the route as Next.js would.
    const token = await tokenFor(consumer);
    for (const id of ["..", "\0", ids.dashboard + "\0"]) {
      const request = (method: string) => new Request("http://portico.test/api/v1/contracts/x", { method, headers: { authorization: `Bearer ${token}` } });
      for (const response of [await getContractRoute(request("GET"), { params: Promise.resolve({ id }) }), await deleteContractRoute(request("DELETE"), { params: Promise.resolve({ id }) })]) {
        expect(response.status).toBe(404);
        expect((await response.json()).code).toBe("contract_not_found");
      }
    }
  });
});

describe("GET /api/v1/orgs/{org}/apis/{api}/versions/{version}/contracts", () => {
  it("lists every contract of the version, whoever the client, with the tab's filters and sorting", async () => {
    const all = await as.provider.get(tabOf("?sort=client.asc"));
    expect(all.status).toBe(200);
    expect(clientNames(all)).toEqual(["Dashboard", "Kiosk", "Mobile"]);
    expect(clientNames(await as.provider.get(tabOf("?sort=client.desc&status=Active")))).toEqual(["Kiosk", "Dashboard"]);
    expect(clientNames(await as.provider.get(tabOf(`?plan=${gatedPlan}`)))).toEqual(["Mobile"]);
    expect(clientNames(await as.provider.get(tabOf(`?plan=${freePlan}&status=AwaitingApproval`)))).toEqual([]);
    expect(clientNames(await as.provider.get(tabOf("?q=sam")))).toEqual(["Kiosk"]);
    const paged = await as.provider.get(tabOf("?sort=client.asc&limit=2"));
    expect(clientNames(paged)).toEqual(["Dashboard", "Kiosk"]);
    expect(clientNames(await as.provider.get(tabOf(`?sort=client.asc&limit=2&cursor=${paged.body.next}`)))).toEqual(["Mobile"]);
  });

  it("refuses a plan this version does not offer with a 400 naming the field", async () => {
    const other = await makeLockedPlan(db, provider, org.id);
    const answer = await as.provider.get(tabOf(`?plan=${other.planVersionId}`));
    expectProblem(answer, 400, "validation_failed");
    expect(Object.keys(answer.body.fields)).toEqual(["plan"]);
    expectProblem(await as.provider.get(tabOf("?plan=bronze")), 400, "validation_failed");
  });

  it("answers 404 outside API Management, for unknown slugs and hostile ones", async () => {
    // The consumer's contracts are on this version, but the tab is the provider's.
    expectProblem(await as.consumer.get(tabOf()), 404, "not_found");
    expectProblem(await as.provider.get(`/api/v1/orgs/nope/apis/tides/versions/1.0/contracts`), 404, "not_found");
    expectProblem(await as.provider.get(`/api/v1/orgs/${org.slug}/apis/tides/versions/9.9/contracts`), 404, "api_not_found");
    expectProblem(await as.provider.get(`/api/v1/orgs/${org.slug}/apis/%00/versions/1.0/contracts`), 404, "api_not_found");
    expectProblem(await as.provider.get(`/api/v1/orgs/${org.slug}/apis/tides/versions/%2e%2e%2f/contracts`), 404, "api_not_found");
    expectProblem(await as.provider.get(`/api/v1/orgs/%00/apis/tides/versions/1.0/contracts`), 404, "not_found");
  });
});

describe("DELETE /api/v1/contracts/{id}", () => {
  it("refuses a read-only token, another user's contract and a revoked token", async () => {
    expectProblem(await as.consumerRead.delete(`/api/v1/contracts/${ids.dashboard}`), 403, "token_read_only");
    expectProblem(await as.consumer.delete(`/api/v1/contracts/${ids.stranger}`), 404, "contract_not_found");
    expectProblem(await as.consumer.delete("/api/v1/contracts/not-a-uuid"), 404, "contract_not_found");
    expectProblem(await as.consumer.delete("/api/v1/contracts/%00"), 404, "contract_not_found");
    expectProblem(await as.revoked.delete(`/api/v1/contracts/${ids.dashboard}`), 401, "token_invalid");
    expect((await as.consumer.get(`/api/v1/contracts/${ids.dashboard}`)).body.status).toBe("Active");
  });

  it("breaks the consumer's contract: Broken when read back, gone from the live lists", async () => {
    const answer = await as.consumer.delete(`/api/v1/contracts/${ids.dashboard}`);
    expect(answer.status).toBe(204);
    const read = await as.consumer.get(`/api/v1/contracts/${ids.dashboard}`);
    expect(read.body).toMatchObject({ status: "Broken", reason: null, endedAt: expect.any(String) });
    expect(clientNames(await as.consumer.get("/api/v1/contracts?status=Active"))).toEqual([]);
    expect(clientNames(await as.provider.get(tabOf("?status=Active")))).toEqual(["Kiosk"]);
    expectProblem(await as.consumer.delete(`/api/v1/contracts/${ids.dashboard}`), 409, "invalid_state");
  });

  it("from the API side needs a reason, which the consumer reads back", async () => {
    const missing = await as.provider.delete(`/api/v1/contracts/${ids.stranger}`);
    expectProblem(missing, 400, "validation_failed");
    expect(Object.keys(missing.body.fields)).toEqual(["reason"]);
    expect((await as.provider.delete(`/api/v1/contracts/${ids.stranger}?reason=${encodeURIComponent("Abuse of the free tier")}`)).status).toBe(204);
    expect((await as.stranger.get(`/api/v1/contracts/${ids.stranger}`)).body).toMatchObject({ status: "Broken", reason: "Abuse of the free tier" });
  });
});

describe("POST /api/v1/contracts/{id}/withdraw", () => {
  it("withdraws a pending request and answers the contract", async () => {
    expectProblem(await as.consumerRead.post(`/api/v1/contracts/${ids.mobile}/withdraw`), 403, "token_read_only");
    expectProblem(await as.stranger.post(`/api/v1/contracts/${ids.mobile}/withdraw`), 404, "contract_not_found");
    const answer = await as.consumer.post(`/api/v1/contracts/${ids.mobile}/withdraw`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: ids.mobile, status: "Withdrawn" });
    expect((await as.consumer.get(`/api/v1/contracts/${ids.mobile}`)).body.status).toBe("Withdrawn");
    expectProblem(await as.consumer.post(`/api/v1/contracts/${ids.mobile}/withdraw`), 409, "invalid_state");
    expectProblem(await as.consumer.post("/api/v1/contracts/%00/withdraw"), 404, "contract_not_found");
  });
});
