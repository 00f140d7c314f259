import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { apiVersions } from "@/db/schema";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { addMember } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makeUser, openTestDb, refresh } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { apiClient, type ApiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let provider: Actor;
let org: string;
let api: ApiClient;
let otherOrgApi: ApiClient;
let consumerApi: ApiClient;
let viewerApi: ApiClient;
let readApi: ApiClient;

const ENDPOINT = "http://127.0.0.1:9/backend";

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: "release script", expiresInDays: 30, scope })).token;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  const [p, o, c, v] = await Promise.all([makeUser(db, "manager"), makeUser(db, "manager"), makeUser(db, "portal"), makeUser(db, "manager")]);
  const made = await makeOrg(db, p);
  provider = made.owner;
  org = made.org.slug;
  const other = await makeOrg(db, o);
  await addMember(db, provider, { orgId: made.org.id, email: v.email, role: "viewer" });
  api = apiClient(server, await tokenFor(provider));
  readApi = apiClient(server, await tokenFor(provider, "read"));
  otherOrgApi = apiClient(server, await tokenFor(other.owner));
  consumerApi = apiClient(server, await tokenFor(c));
  viewerApi = apiClient(server, await tokenFor(await refresh(db, v)));
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

describe("a provider's release script", () => {
  it("creates a plan, an API offering it, publishes, copies 1.0 to 2.0, edits docs with ETags and retires 1.0", async () => {
    const plan = await api.post(`/api/v1/orgs/${org}/plans`, { slug: "gold", name: "Gold", policies: [{ type: "rate-limit", limit: 10, period: "second" }] });
    expect(plan.status).toBe(201);
    const locked = await api.post(`/api/v1/orgs/${org}/plans/gold/versions/1.0/lock`);
    expect(locked.status).toBe(200);
    expect(locked.body.status).toBe("Locked");
    const planVersionId: string = locked.body.id;

    const created = await api.post(`/api/v1/orgs/${org}/apis`, { slug: "weather", name: "Weather", tags: ["Forecast"], endpoint: ENDPOINT });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/orgs/${org}/apis/weather`);
    expect(created.body).toMatchObject({ slug: "weather", tags: ["forecast"], versions: [{ version: "1.0", status: "Created" }] });

    const offered = await api.post(`/api/v1/orgs/${org}/apis/weather/versions/1.0/plans`, { planVersionId, requiresApproval: true });
    expect(offered.status).toBe(201);
    expect(offered.body).toMatchObject({ planVersionId, slug: "gold", requiresApproval: true });
    const approval = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/1.0/plans/${planVersionId}`, { requiresApproval: false });
    expect(approval.body.requiresApproval).toBe(false);

    const published = await api.post(`/api/v1/orgs/${org}/apis/weather/versions/1.0/publish`);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe("Published");
    expect(published.body.publishedAt).not.toBeNull();

    const v2 = await api.post(`/api/v1/orgs/${org}/apis/weather/versions`, { version: "2.0", copyFrom: "1.0" });
    expect(v2.status).toBe(201);
    expect(v2.headers.get("location")).toBe(`/api/v1/orgs/${org}/apis/weather/versions/2.0`);
    expect(v2.body).toMatchObject({ version: "2.0", status: "Ready", endpoint: ENDPOINT, plans: [{ planVersionId }] });

    const read = await api.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`);
    const etag = read.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const edited = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "# Weather 2" }, { headers: { "if-match": etag } });
    expect(edited.status).toBe(200);
    expect(edited.body.docs).toBe("# Weather 2");
    expect(edited.body.endpoint).toBe(ENDPOINT);
    expect(edited.headers.get("etag")).not.toBe(etag);

    const stale = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "# Lost update" }, { headers: { "if-match": etag } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe("precondition_failed");
    const after = await api.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`);
    expect(after.body.docs).toBe("# Weather 2");
    expect(after.headers.get("etag")).toBe(edited.headers.get("etag"));

    const retired = await api.post(`/api/v1/orgs/${org}/apis/weather/versions/1.0/retire`);
    expect(retired.body.status).toBe("Retired");
    const [row] = await db.select().from(apiVersions).where(eq(apiVersions.id, retired.body.id));
    expect(row.status).toBe("Retired");

    const overview = await api.get(`/api/v1/orgs/${org}/apis/weather`);
    expect(overview.body.versions).toEqual([expect.objectContaining({ version: "1.0", status: "Retired" }), expect.objectContaining({ version: "2.0", status: "Ready" })]);
    const list = await api.get(`/api/v1/orgs/${org}/apis?q=weath&sort=name.desc`);
    expect(list.body.data.map((a: { slug: string }) => a.slug)).toEqual(["weather"]);
  });

  it("offers, lists and withdraws plans while the version is not published", async () => {
    const plan = await api.post(`/api/v1/orgs/${org}/plans`, { slug: "silver", name: "Silver" });
    const { body: locked } = await api.post(`/api/v1/orgs/${org}/plans/silver/versions/1.0/lock`);
    await api.post(`/api/v1/orgs/${org}/apis`, { slug: "maps", name: "Maps" });
    expect(plan.status).toBe(201);
    const notReady = await api.post(`/api/v1/orgs/${org}/apis/maps/versions/1.0/publish`);
    expect(notReady.status).toBe(409);
    expect(notReady.body.code).toBe("api_not_ready");

    await api.post(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans`, { planVersionId: locked.id });
    expect((await api.get(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans`)).body.data).toHaveLength(1);
    const withdrawn = await api.delete(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans/${locked.id}`);
    expect(withdrawn.status).toBe(204);
    expect((await api.get(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans`)).body.data).toEqual([]);
    expect((await api.delete(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans/${locked.id}`)).body.code).toBe("plan_not_offered");
    expect((await api.delete(`/api/v1/orgs/${org}/apis/maps/versions/1.0/plans/not-a-uuid`)).status).toBe(404);
  });

  it("leaves fields a PATCH does not name as they are", async () => {
    await api.post(`/api/v1/orgs/${org}/apis`, { slug: "tides", name: "Tides", endpoint: ENDPOINT, isPublic: true, docs: "# Tides" });
    const empty = await api.patch(`/api/v1/orgs/${org}/apis/tides/versions/1.0`, {});
    expect(empty.status).toBe(200);
    const openapi = await api.patch(`/api/v1/orgs/${org}/apis/tides/versions/1.0`, { openapi: JSON.stringify({ openapi: "3.1.0" }) });
    expect(openapi.body).toMatchObject({ endpoint: ENDPOINT, isPublic: true, docs: "# Tides", status: "Ready" });
  });
});

describe("refusals", () => {
  it("hides the organization from consumers and other organizations, and forbids viewers to write", async () => {
    for (const client of [consumerApi, otherOrgApi]) {
      const read = await client.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`);
      expect(read.status).toBe(404);
      const write = await client.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "x" });
      expect(write.status).toBe(404);
      expect((await client.get(`/api/v1/orgs/${org}/apis`)).status).toBe(404);
      expect((await client.post(`/api/v1/orgs/${org}/apis`, { slug: "intruder", name: "Intruder" })).status).toBe(404);
    }
    expect((await viewerApi.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`)).status).toBe(200);
    const write = await viewerApi.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "x" });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe("forbidden");
    expect((await api.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`)).body.docs).toBe("# Weather 2");
  });

  it("refuses writes with a read token, and any call with a revoked token", async () => {
    const readOnly = await readApi.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "x" });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.code).toBe("token_read_only");
    const { token, accessToken } = await createAccessToken(db, provider, { name: "soon revoked", expiresInDays: 30, scope: "write" });
    await revokeAccessToken(db, provider, accessToken.id);
    const revoked = await apiClient(server, token).get(`/api/v1/orgs/${org}/apis`);
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe("token_invalid");
  });

  it("refuses an endpoint the gateway may not forward to, with the field", async () => {
    const answer = await api.post(`/api/v1/orgs/${org}/apis`, { slug: "metadata", name: "Metadata", endpoint: "http://169.254.169.254/" });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("endpoint_not_allowed");
    expect(answer.body.fields.endpoint).toBeTruthy();
    expect((await api.get(`/api/v1/orgs/${org}/apis/metadata`)).status).toBe(404);
  });

  it("answers hostile path segments with 404, never 500", async () => {
    // A bare ".." or "%2e%2e" is a dot-segment the URL resolves before sending; these reach the route.
    for (const segment of ["%00", "a%00b", "%2e%2e%2f", "..%2f", "%2f", "a%2fb", "%E2%80%AE"]) {
      for (const path of [`/api/v1/orgs/${segment}/apis`, `/api/v1/orgs/${org}/apis/${segment}`, `/api/v1/orgs/${org}/apis/weather/versions/${segment}`, `/api/v1/orgs/${org}/plans/${segment}/versions/1.0`]) {
        const answer = await api.get(path);
        expect(answer.status, `${path}`).toBe(404);
      }
    }
  });

  it("refuses oversized docs and wrong types with field errors", async () => {
    const big = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { docs: "x".repeat(TEXT_LIMITS.docs + 1) });
    expect(big.status).toBe(400);
    expect(big.body.fields.docs).toBeTruthy();
    const wrong = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/2.0`, { isPublic: "yes" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.fields.isPublic).toBeTruthy();
    const copy = await api.post(`/api/v1/orgs/${org}/apis/weather/versions`, { version: "3.0", copyFrom: "9.9" });
    expect(copy.status).toBe(400);
    expect(copy.body.fields.copyFrom).toBeTruthy();
    expect((await api.get(`/api/v1/orgs/${org}/apis/weather/versions/2.0`)).body.docs).toBe("# Weather 2");
  });

  it("refuses to change a published version's endpoint", async () => {
    const answer = await api.patch(`/api/v1/orgs/${org}/apis/weather/versions/1.0`, { endpoint: "http://127.0.0.1:9/other" });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe("invalid_state");
  });
});
