import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { planVersions } from "@/db/schema";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken } from "@/lib/domain/tokens";
import { apiClient, type ApiClient, type ApiServer, startApiServer } from "./test-server";

let open: OpenDatabase;
let db: Db;
let server: ApiServer;
let org: string;
let api: ApiClient;
let readApi: ApiClient;
let otherOrgApi: ApiClient;
let consumerApi: ApiClient;

async function tokenFor(actor: Actor, scope: "read" | "write" = "write") {
  return (await createAccessToken(db, actor, { name: "plans", expiresInDays: 30, scope })).token;
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  server = await startApiServer();
  const [p, o, c] = await Promise.all([makeUser(db, "manager"), makeUser(db, "manager"), makeUser(db, "portal")]);
  const made = await makeOrg(db, p);
  org = made.org.slug;
  const other = await makeOrg(db, o);
  api = apiClient(server, await tokenFor(made.owner));
  readApi = apiClient(server, await tokenFor(made.owner, "read"));
  otherOrgApi = apiClient(server, await tokenFor(other.owner));
  consumerApi = apiClient(server, await tokenFor(c));
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

const RATE = { type: "rate-limit", limit: 5, period: "second" } as const;
const QUOTA = { type: "quota", limit: 1000, period: "day" } as const;

describe("plans", () => {
  it("creates a plan, edits its policies with If-Match, refuses a stale ETag, locks it", async () => {
    const created = await api.post(`/api/v1/orgs/${org}/plans`, { slug: "bronze", name: "Bronze", policies: [RATE] });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/orgs/${org}/plans/bronze`);
    expect(created.body.versions).toEqual([expect.objectContaining({ version: "1.0", status: "Created" })]);

    const read = await api.get(`/api/v1/orgs/${org}/plans/bronze/versions/1.0`);
    expect(read.body).toMatchObject({ status: "Created", policies: [RATE], summary: "5 requests per second" });
    const etag = read.headers.get("etag")!;

    const put = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/policies`, [RATE, QUOTA], { headers: { "if-match": etag } });
    expect(put.status).toBe(200);
    expect(put.body.policies).toEqual([RATE, QUOTA]);
    expect(put.headers.get("etag")).not.toBe(etag);

    const stale = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/policies`, { policies: [] }, { headers: { "if-match": etag } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe("precondition_failed");
    const [row] = await db.select().from(planVersions).where(eq(planVersions.id, read.body.id));
    expect(row.policies).toEqual([RATE, QUOTA]);

    const wrapped = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/policies`, { policies: [QUOTA] }, { headers: { "if-match": put.headers.get("etag")! } });
    expect(wrapped.body.policies).toEqual([QUOTA]);

    const locked = await api.post(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/lock`);
    expect(locked.body.status).toBe("Locked");
    expect(locked.body.lockedAt).not.toBeNull();
    const frozen = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/policies`, [RATE]);
    expect(frozen.status).toBe(409);
    expect(frozen.body.code).toBe("invalid_state");
    // An ETag read before the lock is stale: the status is part of it.
    const staleAfterLock = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/1.0/policies`, [RATE], { headers: { "if-match": wrapped.headers.get("etag")! } });
    expect(staleAfterLock.status).toBe(412);
  });

  it("creates a version copied from another, and lists the organization's plans", async () => {
    const v2 = await api.post(`/api/v1/orgs/${org}/plans/bronze/versions`, { version: "2.0", copyFrom: "1.0" });
    expect(v2.status).toBe(201);
    expect(v2.headers.get("location")).toBe(`/api/v1/orgs/${org}/plans/bronze/versions/2.0`);
    expect(v2.body).toMatchObject({ version: "2.0", status: "Created", policies: [QUOTA] });
    expect((await api.post(`/api/v1/orgs/${org}/plans/bronze/versions`, { version: "2.0" })).body.code).toBe("version_exists");
    const plan = await api.get(`/api/v1/orgs/${org}/plans/bronze`);
    expect(plan.body.versions.map((v: { version: string }) => v.version)).toEqual(["1.0", "2.0"]);
    const list = await api.get(`/api/v1/orgs/${org}/plans?q=bronze`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.next).toBeNull();
  });

  it("refuses other organizations, consumers, read tokens and bad policies", async () => {
    for (const client of [otherOrgApi, consumerApi]) {
      expect((await client.get(`/api/v1/orgs/${org}/plans/bronze/versions/2.0`)).status).toBe(404);
      expect((await client.put(`/api/v1/orgs/${org}/plans/bronze/versions/2.0/policies`, [RATE])).status).toBe(404);
      expect((await client.post(`/api/v1/orgs/${org}/plans/bronze/versions/2.0/lock`)).status).toBe(404);
    }
    const readOnly = await readApi.post(`/api/v1/orgs/${org}/plans/bronze/versions/2.0/lock`);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.code).toBe("token_read_only");
    const bad = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/2.0/policies`, [{ type: "quota", limit: 0, period: "day" }]);
    expect(bad.status).toBe(400);
    expect(bad.body.fields["0.limit"]).toBeTruthy();
    const tooMany = await api.put(`/api/v1/orgs/${org}/plans/bronze/versions/2.0/policies`, { policies: Array.from({ length: 11 }, () => RATE) });
    expect(tooMany.status).toBe(400);
    expect((await api.get(`/api/v1/orgs/${org}/plans/bronze/versions/2.0`)).body.status).toBe("Created");
    for (const segment of ["%00", "%2f", "..%2f"]) {
      expect((await api.get(`/api/v1/orgs/${org}/plans/${segment}`)).status).toBe(404);
      expect((await api.get(`/api/v1/orgs/${org}/plans/bronze/versions/${segment}`)).status).toBe(404);
    }
  });
});
