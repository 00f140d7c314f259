import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { GET as getApiVersion } from "@/app/api/v1/apis/[org]/[api]/[version]/route";
import { GET as listApis } from "@/app/api/v1/apis/route";
import { createApi, createApiVersion, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import type { Actor } from "@/lib/domain/permissions";
import { makeLockedPlan, makeOrg, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken } from "@/lib/domain/tokens";
import { encodeCursor } from "./schemas";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let org: { id: string; slug: string };
let planVersionId: string;
let token: string;
let tidesVersionId: string;

type Params = { org: string; api: string; version: string };

async function publishedApi(slug: string, name: string, options: { description?: string; tags?: string[]; isPublic?: boolean; requiresApproval?: boolean } = {}) {
  const { api, version } = await createApi(db, provider, {
    orgId: org.id,
    slug,
    name,
    description: options.description ?? "",
    tags: options.tags ?? [],
    endpoint: "http://127.0.0.1:9/backend",
    isPublic: options.isPublic ?? false,
  });
  if (!options.isPublic) await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: options.requiresApproval ?? false });
  await publishApiVersion(db, provider, version.id);
  return { api, version };
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ owner: provider, org } = await makeOrg(db, await makeUser(db, "manager")));
  ({ planVersionId } = await makeLockedPlan(db, provider, org.id, [{ type: "rate-limit", limit: 5, period: "second" }]));
  const tides = await publishedApi("tides", "Tides", { description: "Tide tables for harbours", tags: ["sea", "weather"], requiresApproval: true });
  tidesVersionId = tides.version.id;
  await publishedApi("ping", "Ping", { description: "Answers pong", tags: ["tools"], isPublic: true });
  const maps = await publishedApi("maps", "Maps", { description: "Street maps", tags: ["geo"] });
  // A draft 2.0 of Maps and a draft-only API: nobody outside the organization sees either.
  await createApiVersion(db, provider, { apiId: maps.api.id, version: "2.0", copyFromVersionId: maps.version.id });
  await createApi(db, provider, { orgId: org.id, slug: "draft", name: "Draft", endpoint: "http://127.0.0.1:9/x", isPublic: true });
  const reader = await makeUser(db, "portal");
  ({ token } = await createAccessToken(db, reader, { name: "catalog", expiresInDays: 30, scope: "read" }));
});
afterAll(() => open?.close());

const list = (query = "", authorization: string | null = `Bearer ${token}`) =>
  listApis(new Request(`http://portico.test/api/v1/apis${query}`, { headers: authorization ? { authorization } : {} }), { params: Promise.resolve({} as Record<string, never>) });

const getVersion = (params: Params, authorization: string | null = `Bearer ${token}`) =>
  getApiVersion(new Request("http://portico.test/api/v1/apis/x/y/z", { headers: authorization ? { authorization } : {} }), { params: Promise.resolve(params) });

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = await response.json();
  expect(body).toMatchObject({ type: `urn:portico:problem:${code}`, status, code });
  return body;
}

async function names(response: Response) {
  expect(response.status).toBe(200);
  const body = await response.json();
  return { names: body.data.map((row: { name: string }) => row.name), next: body.next as string | null, link: response.headers.get("link") };
}

describe("GET /api/v1/apis", () => {
  it("lists the published catalog the token's user sees, by name", async () => {
    const response = await list();
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("link")).toBeNull();
    const body = await response.json();
    expect(body.next).toBeNull();
    expect(body.data.map((row: { name: string }) => row.name)).toEqual(["Maps", "Ping", "Tides"]);
    expect(body.data[2]).toEqual({
      org: org.slug,
      orgName: "Test Org",
      slug: "tides",
      name: "Tides",
      description: "Tide tables for harbours",
      tags: ["sea", "weather"],
      public: false,
      latestVersion: "1.0",
      publishedAt: expect.any(String),
    });
    expect(body.data[1]).toMatchObject({ slug: "ping", public: true });
  });

  it("searches with q and filters by tag, as the portal does", async () => {
    expect((await names(await list("?q=harbour"))).names).toEqual(["Tides"]);
    expect((await names(await list("?q=PONG"))).names).toEqual(["Ping"]);
    expect((await names(await list("?tag=GEO"))).names).toEqual(["Maps"]);
    expect((await names(await list("?q=maps&tag=sea"))).names).toEqual([]);
    expect((await names(await list("?q=100%25_"))).names).toEqual([]);
  });

  it("never answers 500 to hostile search input", async () => {
    for (const query of ["?q=%00", "?tag=%00", `?q=${"x".repeat(10_000)}`, "?q=a&q=b&tag=x&tag=y", "?sort=name.desc&page=-3"]) {
      expect((await list(query)).status, query).toBe(200);
    }
    // A program learns that its sort is not one the list knows, instead of getting another order.
    const badSort = await expectProblem(await list("?sort=nope.up"), 400, "validation_failed");
    expect(Object.keys(badSort.fields)).toEqual(["sort"]);
    expect((await names(await list("?sort=name.desc"))).names).toEqual(["Tides", "Ping", "Maps"]);
  });

  it("pages with limit, an opaque cursor, next and a Link header", async () => {
    const first = await names(await list("?q=a&limit=2"));
    expect(first.names).toEqual(["Maps", "Ping"]);
    expect(first.next).toEqual(expect.any(String));
    const link = /^<([^>]+)>; rel="next"$/.exec(first.link ?? "");
    expect(link).not.toBeNull();
    const nextUrl = new URL(link![1]);
    expect(nextUrl.searchParams.get("cursor")).toBe(first.next);
    expect(nextUrl.searchParams.get("q")).toBe("a");
    expect(nextUrl.searchParams.get("limit")).toBe("2");
    const second = await names(await listApis(new Request(nextUrl, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({} as Record<string, never>) }));
    expect(second).toEqual({ names: ["Tides"], next: null, link: null });

    const all: string[] = [];
    let query = "?limit=1";
    for (let i = 0; i < 5; i += 1) {
      const page = await names(await list(query));
      all.push(...page.names);
      if (!page.next) {
        expect(page.link).toBeNull();
        break;
      }
      query = `?limit=1&cursor=${page.next}`;
    }
    expect(all).toEqual(["Maps", "Ping", "Tides"]);

    const past = await names(await list(`?limit=2&cursor=${encodeCursor(9)}`));
    expect(past).toEqual({ names: [], next: null, link: null });
  });

  it("refuses a malformed cursor or limit with a 400 problem", async () => {
    const bad = (text: string) => Buffer.from(text).toString("base64url");
    for (const query of [
      "?cursor=",
      "?cursor=%00",
      "?cursor=not*base64",
      `?cursor=${bad("not json")}`,
      `?cursor=${bad("[]")}`,
      `?cursor=${bad('{"page":"2"}')}`,
      `?cursor=${bad('{"page":1}')}`,
      `?cursor=${bad('{"page":2.5}')}`,
      `?cursor=${bad('{"page":1e300}')}`,
      `?cursor=${bad('{"page":2,"extra":true}')}`,
      `?cursor=${"A".repeat(100_000)}`,
      "?limit=0",
      "?limit=101",
      "?limit=-1",
      "?limit=abc",
      "?limit=1.5",
      "?limit=",
      "?limit=%00",
    ]) {
      await expectProblem(await list(query), 400, "validation_failed");
    }
  });

  it("answers 401 without a token", async () => {
    await expectProblem(await list("", null), 401, "token_invalid");
  });
});

describe("GET /api/v1/apis/{org}/{api}/{version}", () => {
  it("answers the version with its id and offered plans", async () => {
    const response = await getVersion({ org: org.slug, api: "tides", version: "1.0" });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      id: tidesVersionId,
      org: { slug: org.slug, name: "Test Org" },
      api: { slug: "tides", name: "Tides", tags: ["sea", "weather"] },
      version: "1.0",
      status: "Published",
      public: false,
      acceptsContracts: true,
    });
    expect(body.plans).toEqual([
      {
        planVersionId,
        name: "Bronze",
        slug: expect.any(String),
        version: expect.any(String),
        description: expect.any(String),
        policies: [{ type: "rate-limit", limit: 5, period: "second" }],
        requiresApproval: true,
        summary: expect.stringContaining("needs approval"),
        durationDays: null,
        terms: "",
      },
    ]);
    const ping = await (await getVersion({ org: org.slug, api: "ping", version: "1.0" })).json();
    expect(ping).toMatchObject({ public: true, plans: [], acceptsContracts: false });
  });

  it("answers 404 for an unknown API or version, or one the user may not see", async () => {
    for (const params of [
      { org: org.slug, api: "maps", version: "2.0" },
      { org: org.slug, api: "draft", version: "1.0" },
      { org: org.slug, api: "tides", version: "9.9" },
      { org: org.slug, api: "nope", version: "1.0" },
      { org: "nope", api: "tides", version: "1.0" },
    ]) {
      await expectProblem(await getVersion(params), 404, "not_found");
    }
  });

  it("answers 404, not 500, to NUL bytes and undecodable path segments", async () => {
    for (const params of [
      { org: "a\0b", api: "tides", version: "1.0" },
      { org: org.slug, api: "%00", version: "1.0" },
      { org: org.slug, api: "tides", version: "1.0\0" },
      { org: org.slug, api: "tides", version: "%00" },
      { org: "%E0%A4%A", api: "tides", version: "1.0" },
      { org: org.slug, api: "x".repeat(10_000), version: "1.0" },
    ]) {
      await expectProblem(await getVersion(params), 404, "not_found");
    }
  });

  it("answers 401 without a token", async () => {
    await expectProblem(await getVersion({ org: org.slug, api: "tides", version: "1.0" }, null), 401, "token_invalid");
  });
});
