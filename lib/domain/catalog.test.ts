import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { readConfig } from "@/lib/config";
import { createApi, createApiVersion, offerPlan, publishApiVersion, retireApiVersion } from "./apis";
import { describeDuration, getApiPage, listCatalog, listMyApiContracts, listPlanOffers, listTryItKeys, openApiOperations, planTryItRequest, renderDocs } from "./catalog";
import { retireClientVersion } from "./clients";
import { createContract } from "./contracts";
import { createPlan, lockPlanVersion } from "./plans";
import { maskApiKey } from "./keys";
import { addMember } from "./organizations";
import type { Actor } from "./permissions";
import { expectCode, makeClient, makeLockedPlan, makeOrg, makeUser, openTestDb, personalOrgId, refresh } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let reader: Actor;
let org: { id: string; slug: string };
let planVersionId: string;

const OPENAPI = JSON.stringify({
  openapi: "3.1.0",
  paths: { "/tides": { get: { summary: "Tide times for a harbour" }, post: { operationId: "addTide" } }, "/ports/{id}": { delete: {} } },
});

async function publishedApi(slug: string, name: string, options: { description?: string; tags?: string[]; isPublic?: boolean; requiresApproval?: boolean } = {}) {
  const { api, version } = await createApi(db, provider, {
    orgId: org.id,
    slug,
    name,
    description: options.description ?? "",
    tags: options.tags ?? [],
    endpoint: "http://127.0.0.1:9/backend",
    isPublic: options.isPublic ?? false,
    docs: `# ${name}\n\nHow to call it.`,
    openapi: OPENAPI,
  });
  if (!options.isPublic) await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: options.requiresApproval ?? false });
  await publishApiVersion(db, provider, version.id);
  return { api, version };
}

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const made = await makeOrg(db, await makeUser(db, "manager"));
  provider = made.owner;
  org = made.org;
  reader = await makeUser(db, "portal");
  ({ planVersionId } = await makeLockedPlan(db, provider, org.id, [
    { type: "rate-limit", limit: 5, period: "second" },
    { type: "quota", limit: 1000, period: "day" },
  ]));
  await publishedApi("tides", "Tides", { description: "Tide tables for harbours", tags: ["sea", "weather"], requiresApproval: true });
  await publishedApi("ping", "Ping", { description: "Answers pong", tags: ["tools"], isPublic: true });
  const { api: maps, version: maps1 } = await publishedApi("maps", "Maps", { description: "Street maps", tags: ["geo"] });
  const maps2 = await createApiVersion(db, provider, { apiId: maps.id, version: "2.0", copyFromVersionId: maps1.id });
  await publishApiVersion(db, provider, maps2.id);
  // A draft nobody outside the organization sees, and an API whose only version is retired.
  await createApi(db, provider, { orgId: org.id, slug: "draft", name: "Draft", endpoint: "http://127.0.0.1:9/x", isPublic: true });
  const { version: gone } = await publishedApi("gone", "Gone", { tags: ["old"] });
  await retireApiVersion(db, provider, gone.id);
});
afterAll(() => open.close());

describe("listCatalog", () => {
  it("lists every API with a published version, by its latest one, to any signed-in user", async () => {
    const { rows, total } = await listCatalog(db, reader);
    expect(rows.map((r) => r.name)).toEqual(["Maps", "Ping", "Tides"]);
    expect(total).toBe(3);
    expect(rows[0]).toMatchObject({ orgSlug: org.slug, slug: "maps", version: "2.0", isPublic: false, tags: ["geo"] });
    expect(rows[1].isPublic).toBe(true);
  });

  it("searches name, description and tags, every word", async () => {
    expect((await listCatalog(db, reader, { q: "harbour" })).rows.map((r) => r.name)).toEqual(["Tides"]);
    expect((await listCatalog(db, reader, { q: "geo" })).rows.map((r) => r.name)).toEqual(["Maps"]);
    expect((await listCatalog(db, reader, { q: "tide sea" })).total).toBe(1);
    expect((await listCatalog(db, reader, { q: "tide geo" })).total).toBe(0);
    expect((await listCatalog(db, reader, { q: "_" })).total).toBe(0);
  });

  it("filters by tag and counts the tags in use", async () => {
    const result = await listCatalog(db, reader, { tag: "weather" });
    expect(result.rows.map((r) => r.name)).toEqual(["Tides"]);
    expect(result.tags).toEqual([
      { tag: "geo", count: 1 },
      { tag: "sea", count: 1 },
      { tag: "tools", count: 1 },
      { tag: "weather", count: 1 },
    ]);
  });

  it("sorts and pages", async () => {
    expect((await listCatalog(db, reader, { sort: { id: "name", desc: true } })).rows[0].name).toBe("Tides");
    const second = await listCatalog(db, reader, { pageSize: 2, page: 2 });
    expect(second.rows.map((r) => r.name)).toEqual(["Tides"]);
    expect(second.total).toBe(3);
    expect((await listCatalog(db, reader, { pageSize: 2, page: 5 })).total).toBe(3);
  });
});

describe("getApiPage", () => {
  it("shows the latest published version, its plans in words, its endpoint and its operations", async () => {
    const page = await getApiPage(db, reader, org.slug, "tides");
    expect(page.version).toMatchObject({ version: "1.0", status: "Published", isPublic: false });
    expect(page.plans).toEqual([expect.objectContaining({ planVersionId, name: "Bronze", summary: "5 requests per second · 1,000 per day · needs approval" })]);
    expect(page.endpoint).toBe(`${readConfig().gatewayUrl}/${org.slug}/tides/1.0/`);
    expect(page.operations).toEqual([
      { method: "GET", path: "/tides", summary: "Tide times for a harbour" },
      { method: "POST", path: "/tides", summary: "addTide" },
      { method: "DELETE", path: "/ports/{id}", summary: "" },
    ]);
    expect(page.acceptsContracts).toBe(true);
  });

  it("opens another version with ?version=, and lists the versions to switch to", async () => {
    expect((await getApiPage(db, reader, org.slug, "maps")).version.version).toBe("2.0");
    const first = await getApiPage(db, reader, org.slug, "maps", "1.0");
    expect(first.version.version).toBe("1.0");
    expect(first.versions.map((v) => v.version)).toEqual(["2.0", "1.0"]);
  });

  it("gives each offered plan its duration and terms of use", async () => {
    const page = await getApiPage(db, reader, org.slug, "tides");
    expect(page.plans[0]).toMatchObject({ durationDays: null, terms: "", locked: true, requiresApproval: true });

    const { version: trial } = await createPlan(db, provider, { orgId: org.id, slug: "trial", name: "Trial", durationDays: 30, terms: "Be **nice**." });
    await lockPlanVersion(db, provider, trial.id);
    const { version } = await createApi(db, provider, { orgId: org.id, slug: "trials", name: "Trials", endpoint: "http://127.0.0.1:9/trials" });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: true });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: trial.id, requiresApproval: false });
    const offers = await listPlanOffers(db, [version.id, version.id, page.version.id]);
    expect(offers.get(page.version.id)).toHaveLength(1);
    expect(offers.get(version.id)?.map((o) => [o.name, o.durationDays, o.terms, o.summary])).toEqual([
      ["Bronze", null, "", "5 requests per second · 1,000 per day · needs approval"],
      ["Trial", 30, "Be **nice**.", "Unlimited"],
    ]);
    expect(describeDuration(30)).toBe("30-day trial");
    expect(describeDuration(null)).toBeNull();
    expect((await listPlanOffers(db, [])).size).toBe(0);
  });

  it("a public API offers no plans and takes no contracts", async () => {
    const page = await getApiPage(db, reader, org.slug, "ping");
    expect(page.plans).toEqual([]);
    expect(page.acceptsContracts).toBe(false);
  });

  it("a retired version can be read but takes no contracts", async () => {
    const page = await getApiPage(db, reader, org.slug, "gone", "1.0");
    expect(page.version.status).toBe("Retired");
    expect(page.acceptsContracts).toBe(false);
  });

  it("hides drafts from users outside the API's organization, and shows them to its viewers", async () => {
    await expectCode(getApiPage(db, reader, org.slug, "draft"), "not_found", 404);
    await expectCode(getApiPage(db, reader, org.slug, "nothing-here"), "not_found", 404);
    await expectCode(getApiPage(db, reader, org.slug, "tides", "9.9"), "not_found", 404);
    const viewer = await makeUser(db, "portal");
    await addMember(db, provider, { orgId: org.id, email: viewer.email, role: "viewer" });
    const page = await getApiPage(db, await refresh(db, viewer), org.slug, "draft");
    expect(page.version.status).toBe("Created");
    expect(page.acceptsContracts).toBe(false);
  });
});

describe("a signed-out visitor (no actor)", () => {
  it("browses the same catalog as a signed-in user: published APIs only, by their latest published version", async () => {
    const visitor = await listCatalog(db, null);
    expect(visitor.rows.map((r) => r.name)).toEqual(["Maps", "Ping", "Tides"]);
    expect(visitor).toEqual(await listCatalog(db, reader));
    expect((await listCatalog(db, null, { q: "draft" })).total).toBe(0);
  });

  it("reads a published API's page: docs, plans, endpoint, operations and versions", async () => {
    const page = await getApiPage(db, null, org.slug, "tides");
    expect(page).toEqual(await getApiPage(db, reader, org.slug, "tides"));
    expect(page.version.docs).toContain("How to call it.");
    expect(page.plans.map((p) => p.name)).toEqual(["Bronze"]);
    expect(page.acceptsContracts).toBe(true);
  });

  it("never sees a draft API, nor a version that was never published", async () => {
    await expectCode(getApiPage(db, null, org.slug, "draft"), "not_found", 404);
    const { api: maps } = await getApiPage(db, null, org.slug, "maps");
    const maps3 = await createApiVersion(db, provider, { apiId: maps.id, version: "3.0" });
    const page = await getApiPage(db, null, org.slug, "maps");
    expect(page.version.version).toBe("2.0");
    expect(page.versions.map((v) => v.version)).toEqual(["2.0", "1.0"]);
    await expectCode(getApiPage(db, null, org.slug, "maps", maps3.version), "not_found", 404);
    expect((await listCatalog(db, null)).rows.find((r) => r.slug === "maps")?.version).toBe("2.0");
    // The organization's own viewers still see the draft version.
    expect((await getApiPage(db, provider, org.slug, "maps")).versions.map((v) => v.version)).toContain("3.0");
  });

  it("can read a retired version, as any signed-in user can, which takes no contracts", async () => {
    const page = await getApiPage(db, null, org.slug, "gone", "1.0");
    expect(page.version.status).toBe("Retired");
    expect(page.acceptsContracts).toBe(false);
  });
});

describe("openApiOperations", () => {
  it("reads nothing from a missing or broken document", () => {
    expect(openApiOperations(null)).toEqual([]);
    expect(openApiOperations("not json")).toEqual([]);
    expect(openApiOperations(JSON.stringify({ openapi: "3.0.0" }))).toEqual([]);
  });
});

describe("renderDocs", () => {
  it("renders markdown with headings below the page's own", () => {
    const html = renderDocs("# Title\n\n## Part\n\nSome `code`.\n\n```json\n{}\n```");
    expect(html).toContain("<h3>Title</h3>");
    expect(html).toContain("<h4>Part</h4>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain('<code class="language-json">');
  });

  it("removes scripts, handlers, styles and dangerous links", () => {
    const html = renderDocs(
      '<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n<a href="https://example.com" onclick="x()" style="color:red">ok</a>\n\n<iframe src="https://evil.test"></iframe>',
    );
    expect(html).not.toMatch(/script|onerror|onclick|javascript:|style=|iframe/i);
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>');
  });
});

describe("the reader's contracts and Try it", () => {
  const GATEWAY = "http://gateway.test:8080";
  let harbours: { apiId: string; versionId: string };
  let developer: Actor;
  let stranger: Actor;
  let mine: { clientVersionId: string; apiKey: string };
  let theirs: { clientVersionId: string };

  beforeAll(async () => {
    const doc = JSON.stringify({ openapi: "3.1.0", paths: { "/harbours/{id}": { get: {}, delete: {} }, "/harbours": { head: {} } } });
    const { api, version } = await createApi(db, provider, { orgId: org.id, slug: "harbours", name: "Harbours", endpoint: "http://127.0.0.1:9/h", openapi: doc });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId });
    await publishApiVersion(db, provider, version.id);
    harbours = { apiId: api.id, versionId: version.id };
    developer = await makeUser(db, "portal");
    stranger = await makeUser(db, "portal");
    mine = await makeClient(db, developer, personalOrgId(developer));
    theirs = await makeClient(db, stranger, personalOrgId(stranger));
    await createContract(db, developer, { clientVersionId: mine.clientVersionId, apiVersionId: version.id, planVersionId });
    await createContract(db, stranger, { clientVersionId: theirs.clientVersionId, apiVersionId: version.id, planVersionId });
  });

  it("lists only the contracts of the reader's own clients, never another user's", async () => {
    const rows = await listMyApiContracts(db, developer, harbours.apiId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "Active", apiVersion: "1.0", planName: "Bronze", clientVersion: "1.0" });
    expect((await listMyApiContracts(db, stranger, harbours.apiId)).map((r) => r.id)).not.toContain(rows[0].id);
    // The provider's apiView shows contracts elsewhere, not here: they have no client of their own.
    expect(await listMyApiContracts(db, provider, harbours.apiId)).toEqual([]);
    expect(await listMyApiContracts(db, reader, harbours.apiId)).toEqual([]);
  });

  it("offers the keys of the reader's client versions with an active contract, masked", async () => {
    const keys = await listTryItKeys(db, developer, harbours.versionId);
    expect(keys.map((k) => k.clientVersionId)).toEqual([mine.clientVersionId]);
    expect(keys[0].masked).toBe(maskApiKey(mine.apiKey));
    expect(await listTryItKeys(db, reader, harbours.versionId)).toEqual([]);
  });

  it("builds the gateway URL from the operation, its parameters and the query", async () => {
    const input = { org: org.slug, api: "harbours", version: "1.0", method: "GET" as const, path: "/harbours/{id}" };
    const planned = await planTryItRequest(db, developer, { ...input, params: { id: "Ål sund" }, query: [["tide", "high"]], clientVersionId: mine.clientVersionId }, GATEWAY);
    expect(planned).toEqual({ url: `${GATEWAY}/${org.slug}/harbours/1.0/harbours/%C3%85l%20sund?tide=high`, method: "GET", clientVersionId: mine.clientVersionId });
    // Without a chosen key the request goes out without one, and the gateway answers for itself.
    expect((await planTryItRequest(db, reader, { ...input, params: { id: "1" } }, GATEWAY)).clientVersionId).toBeNull();
  });

  it("refuses what would leave the endpoint, other operations and keys that are not the reader's", async () => {
    const input = { org: org.slug, api: "harbours", version: "1.0", method: "GET" as const, path: "/harbours/{id}" };
    for (const id of ["..", "%2e%2e", "."]) await expectCode(planTryItRequest(db, developer, { ...input, params: { id } }, GATEWAY), "validation_failed", 400);
    await expectCode(planTryItRequest(db, developer, { ...input, params: {} }, GATEWAY), "validation_failed");
    await expectCode(planTryItRequest(db, developer, { ...input, path: "/elsewhere", params: { id: "1" } }, GATEWAY), "validation_failed");
    await expectCode(planTryItRequest(db, developer, { ...input, method: "DELETE" as never, params: { id: "1" } }, GATEWAY), "validation_failed");
    await expectCode(planTryItRequest(db, developer, { ...input, params: { id: "1" }, clientVersionId: theirs.clientVersionId }, GATEWAY), "client_not_found", 404);
    await expectCode(planTryItRequest(db, developer, { ...input, api: "nope", params: { id: "1" } }, GATEWAY), "not_found", 404);
    await retireClientVersion(db, developer, mine.clientVersionId);
    await expectCode(planTryItRequest(db, developer, { ...input, params: { id: "1" }, clientVersionId: mine.clientVersionId }, GATEWAY), "client_not_found");
  });
});
