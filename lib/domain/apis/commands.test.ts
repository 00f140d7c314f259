import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { apiVersions, auditEvents } from "@/db/schema";
import { readConfig } from "@/lib/config";
import {
  apiVersionStatus,
  createApi,
  createApiVersion,
  listOfferedPlans,
  offerPlan,
  publishApiVersion,
  retireApiVersion,
  setRequiresApproval,
  updateApiVersion,
  withdrawPlanOffer,
} from "../apis";
import { onChanges } from "../events";
import type { Actor } from "../permissions";
import { createPlan } from "../plans";
import { expectCode, makeLockedPlan, makeOrg, makeUser, openTestDb } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let orgId: string;
let otherOrgId: string;
let otherProvider: Actor;
let planA: string; // locked plan versions of orgId
let planB: string;

let counter = 0;
const slug = () => `api-${++counter}`;
const ENDPOINT = "http://127.0.0.1:9/backend";

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const [p, o] = await Promise.all([makeUser(db, "manager"), makeUser(db, "manager")]);
  ({ org: { id: orgId }, owner: provider } = await makeOrg(db, p));
  ({ org: { id: otherOrgId }, owner: otherProvider } = await makeOrg(db, o));
  ({ planVersionId: planA } = await makeLockedPlan(db, provider, orgId));
  ({ planVersionId: planB } = await makeLockedPlan(db, provider, orgId));
});
afterAll(() => open?.close());

/** The status a user sees: stored, with Ready derived from the endpoint, visibility and offered plans. */
async function statusOf(apiVersionId: string) {
  const [version] = await db.select().from(apiVersions).where(eq(apiVersions.id, apiVersionId));
  return apiVersionStatus(version, (await listOfferedPlans(db, apiVersionId)).length);
}

async function readVersion(apiVersionId: string) {
  const [version] = await db.select().from(apiVersions).where(eq(apiVersions.id, apiVersionId));
  return version;
}

async function auditActions(entityId: string) {
  const rows = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, entityId));
  return rows.map((r) => r.action);
}

/** A private API version offering plan A: Ready. */
async function readyPrivate() {
  const { api, version } = await createApi(db, provider, { orgId, slug: slug(), name: "Weather", endpoint: ENDPOINT });
  await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planA });
  return { api, id: version.id };
}

async function published() {
  const ready = await readyPrivate();
  await publishApiVersion(db, provider, ready.id);
  return ready;
}

describe("Created → Ready, derived", () => {
  it("a new version without an endpoint is Created, even when public", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Bare", isPublic: true });
    expect(version.status).toBe("Created");
    expect(await statusOf(version.id)).toBe("Created");
  });

  it("a private version needs an endpoint and at least one plan", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Private" });
    await updateApiVersion(db, provider, { apiVersionId: version.id, endpoint: ENDPOINT });
    expect(await statusOf(version.id)).toBe("Created");
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planA });
    expect(await statusOf(version.id)).toBe("Ready");
    await withdrawPlanOffer(db, provider, { apiVersionId: version.id, planVersionId: planA });
    expect(await statusOf(version.id)).toBe("Created");
  });

  it("a public version needs only an endpoint", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Echo", endpoint: ENDPOINT, isPublic: true });
    expect(await statusOf(version.id)).toBe("Ready");
    await updateApiVersion(db, provider, { apiVersionId: version.id, endpoint: null });
    expect(await statusOf(version.id)).toBe("Created");
  });

  it("an edit changes only the fields it names, and a copy keeps the source's visibility", async () => {
    const { api, version } = await createApi(db, provider, { orgId, slug: slug(), name: "Echo", endpoint: ENDPOINT, isPublic: true, docs: "# One" });
    await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Two" });
    expect(await readVersion(version.id)).toMatchObject({ isPublic: true, endpoint: ENDPOINT, docs: "# Two" });
    await updateApiVersion(db, provider, { apiVersionId: version.id, endpoint: "https://echo.example.test" });
    expect(await readVersion(version.id)).toMatchObject({ isPublic: true, endpoint: "https://echo.example.test", docs: "# Two" });
    const copy = await createApiVersion(db, provider, { apiId: api.id, version: "2.0", copyFromVersionId: version.id });
    expect(copy).toMatchObject({ isPublic: true, endpoint: "https://echo.example.test", docs: "# Two" });
  });

  it("apiVersionStatus keeps Published and Retired whatever the plans", () => {
    expect(apiVersionStatus({ status: "Published", endpoint: null, isPublic: false }, 0)).toBe("Published");
    expect(apiVersionStatus({ status: "Retired", endpoint: ENDPOINT, isPublic: false }, 3)).toBe("Retired");
  });
});

describe("publish and retire", () => {
  it("publishes only a Ready version (api_not_ready, 409)", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Not ready", endpoint: ENDPOINT });
    await expectCode(publishApiVersion(db, provider, version.id), "api_not_ready", 409);
    const { version: noEndpoint } = await createApi(db, provider, { orgId, slug: slug(), name: "No endpoint", isPublic: true });
    await expectCode(publishApiVersion(db, provider, noEndpoint.id), "api_not_ready");
    expect((await readVersion(version.id)).status).toBe("Created");
  });

  it("publishing sets Published and publishedAt, audits and tells the gateway", async () => {
    const { id } = await readyPrivate();
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    await publishApiVersion(db, provider, id);
    stop();
    const row = await readVersion(id);
    expect(row.status).toBe("Published");
    expect(row.publishedAt).toBeInstanceOf(Date);
    expect(await statusOf(id)).toBe("Published");
    expect(seen).toContain(`apiVersion:${id}`);
    expect(await auditActions(id)).toContain("api_version.published");
  });

  it("publishing twice is refused", async () => {
    const { id } = await published();
    await expectCode(publishApiVersion(db, provider, id), "invalid_state", 409);
  });

  it("retires only a published version", async () => {
    const { id } = await readyPrivate();
    await expectCode(retireApiVersion(db, provider, id), "invalid_state");
    await publishApiVersion(db, provider, id);
    await retireApiVersion(db, provider, id);
    const row = await readVersion(id);
    expect(row.status).toBe("Retired");
    expect(row.retiredAt).toBeInstanceOf(Date);
    expect(await auditActions(id)).toContain("api_version.retired");
  });

  it("retired is final: no second retire, no publish, no edits", async () => {
    const { id } = await published();
    await retireApiVersion(db, provider, id);
    await expectCode(retireApiVersion(db, provider, id), "invalid_state");
    await expectCode(publishApiVersion(db, provider, id), "invalid_state");
    await expectCode(updateApiVersion(db, provider, { apiVersionId: id, docs: "# Revived" }), "invalid_state");
    await expectCode(updateApiVersion(db, provider, { apiVersionId: id, endpoint: "http://127.0.0.1:9/other" }), "invalid_state");
    expect((await readVersion(id)).status).toBe("Retired");
  });
});

describe("after publishing", () => {
  it("the endpoint, the visibility and the offered plans are frozen", async () => {
    const { id } = await published();
    await expectCode(updateApiVersion(db, provider, { apiVersionId: id, endpoint: "http://127.0.0.1:9/elsewhere" }), "invalid_state");
    await expectCode(updateApiVersion(db, provider, { apiVersionId: id, isPublic: true }), "invalid_state");
    await expectCode(offerPlan(db, provider, { apiVersionId: id, planVersionId: planB }), "invalid_state");
    await expectCode(withdrawPlanOffer(db, provider, { apiVersionId: id, planVersionId: planA }), "invalid_state");
    const row = await readVersion(id);
    expect(row).toMatchObject({ endpoint: ENDPOINT, isPublic: false });
    expect((await listOfferedPlans(db, id)).map((p) => p.planVersionId)).toEqual([planA]);
  });

  it("the docs and requiresApproval may still change", async () => {
    const { id } = await published();
    await updateApiVersion(db, provider, { apiVersionId: id, docs: "# Weather\n\nNow with examples." });
    expect((await readVersion(id)).docs).toBe("# Weather\n\nNow with examples.");
    expect(await auditActions(id)).toContain("api_version.updated");
    await setRequiresApproval(db, provider, { apiVersionId: id, planVersionId: planA, requiresApproval: true });
    expect((await listOfferedPlans(db, id))[0].requiresApproval).toBe(true);
    await expectCode(setRequiresApproval(db, provider, { apiVersionId: id, planVersionId: planB, requiresApproval: true }), "plan_not_offered");
  });
});

describe("offering plans", () => {
  it("offers only locked plan versions (plan_not_locked)", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Draft", endpoint: ENDPOINT });
    const { version: unlocked } = await createPlan(db, provider, { orgId, slug: `plan-${++counter}`, name: "Unlocked" });
    await expectCode(offerPlan(db, provider, { apiVersionId: version.id, planVersionId: unlocked.id }), "plan_not_locked", 409);
    expect(await listOfferedPlans(db, version.id)).toEqual([]);
  });

  it("offers only plans of the API's own organization (plan_not_found)", async () => {
    const { planVersionId: foreign } = await makeLockedPlan(db, otherProvider, otherOrgId);
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Draft", endpoint: ENDPOINT });
    await expectCode(offerPlan(db, provider, { apiVersionId: version.id, planVersionId: foreign }), "plan_not_found", 404);
    await expectCode(offerPlan(db, provider, { apiVersionId: version.id, planVersionId: crypto.randomUUID() }), "plan_not_found");
  });

  it("offers one version of a plan at a time, records requiresApproval, audits", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Draft", endpoint: ENDPOINT });
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planA, requiresApproval: true });
    await expectCode(offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planA }), "invalid_state");
    await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planB });
    const offered = await listOfferedPlans(db, version.id);
    expect(offered.map((p) => [p.planVersionId, p.requiresApproval]).sort()).toEqual([[planA, true], [planB, false]].sort());
    expect(await auditActions(version.id)).toContain("api_version.plan_offered");
  });

  it("a public API offers no plans (api_is_public)", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Echo", endpoint: ENDPOINT, isPublic: true });
    await expectCode(offerPlan(db, provider, { apiVersionId: version.id, planVersionId: planA }), "api_is_public");
  });

  it("a draft that offers plans cannot become public until they are withdrawn", async () => {
    const { id } = await readyPrivate();
    await expectCode(updateApiVersion(db, provider, { apiVersionId: id, isPublic: true }), "invalid_state");
    await withdrawPlanOffer(db, provider, { apiVersionId: id, planVersionId: planA });
    await updateApiVersion(db, provider, { apiVersionId: id, isPublic: true });
    expect((await readVersion(id)).isPublic).toBe(true);
  });
});

describe("new versions", () => {
  it("a version copied from a previous one copies endpoint, visibility, docs and offered plans, and starts Created", async () => {
    const { api, id } = await published();
    await setRequiresApproval(db, provider, { apiVersionId: id, planVersionId: planA, requiresApproval: true });
    await updateApiVersion(db, provider, { apiVersionId: id, docs: "# v1 docs" });
    const copy = await createApiVersion(db, provider, { apiId: api.id, version: "2.0", copyFromVersionId: id });
    expect(copy).toMatchObject({ apiId: api.id, version: "2.0", status: "Created", endpoint: ENDPOINT, isPublic: false, docs: "# v1 docs", publishedAt: null });
    const offered = await listOfferedPlans(db, copy.id);
    expect(offered.map((p) => [p.planVersionId, p.requiresApproval])).toEqual([[planA, true]]);
    expect(await statusOf(copy.id)).toBe("Ready");
    // The copy is a draft of its own: its plans can change while the source stays frozen.
    await offerPlan(db, provider, { apiVersionId: copy.id, planVersionId: planB });
    expect(await listOfferedPlans(db, id)).toHaveLength(1);
    expect(await auditActions(copy.id)).toContain("api_version.created");
  });

  it("a new version without a source starts empty; given fields win over the source's", async () => {
    const { api, id } = await published();
    const empty = await createApiVersion(db, provider, { apiId: api.id, version: "2.0" });
    expect(empty).toMatchObject({ status: "Created", endpoint: null, docs: "" });
    expect(await listOfferedPlans(db, empty.id)).toEqual([]);
    const moved = await createApiVersion(db, provider, { apiId: api.id, version: "3.0", copyFromVersionId: id, endpoint: "https://backend.example.test/v3" });
    expect(moved.endpoint).toBe("https://backend.example.test/v3");
  });

  it("copies only from a version of the same API", async () => {
    const { id } = await published();
    const { api: other } = await createApi(db, provider, { orgId, slug: slug(), name: "Other" });
    await expectCode(createApiVersion(db, provider, { apiId: other.id, version: "2.0", copyFromVersionId: id }), "api_not_found");
    const versions = await db.select().from(apiVersions).where(and(eq(apiVersions.apiId, other.id), eq(apiVersions.version, "2.0")));
    expect(versions).toEqual([]);
  });

  it("a version number is used once per API (version_exists)", async () => {
    const { api } = await createApi(db, provider, { orgId, slug: slug(), name: "Twice", version: "1.0" });
    await expectCode(createApiVersion(db, provider, { apiId: api.id, version: "1.0" }), "version_exists", 409);
  });
});

describe("validation", () => {
  it.each([
    ["not a URL", "backend"],
    ["another scheme", "ftp://files.example.test/data"],
    ["a script URL", "javascript:alert(1)"],
  ])("refuses an endpoint that is %s", async (_what, endpoint) => {
    const error = await expectCode(createApi(db, provider, { orgId, slug: slug(), name: "Bad", endpoint }), "validation_failed", 400);
    expect(error.fields).toHaveProperty("endpoint");
  });

  it("accepts http and https endpoints", async () => {
    await createApi(db, provider, { orgId, slug: slug(), name: "Plain", endpoint: "http://127.0.0.1:8081/base" });
    await createApi(db, provider, { orgId, slug: slug(), name: "Secure", endpoint: "https://api.example.test" });
  });

  it.each(["Weather API", "weather_api", "-weather", "weather-", "wéather", ""])("refuses the slug %j", async (bad) => {
    const error = await expectCode(createApi(db, provider, { orgId, slug: bad, name: "Bad slug" }), "validation_failed");
    expect(error.fields).toHaveProperty("slug");
  });

  it("refuses a slug already used in the organization (slug_taken), allows it in another", async () => {
    await createApi(db, provider, { orgId, slug: "weather", name: "Weather" });
    await expectCode(createApi(db, provider, { orgId, slug: "weather", name: "Weather again" }), "slug_taken", 409);
    await createApi(db, otherProvider, { orgId: otherOrgId, slug: "weather", name: "Their weather" });
  });

  it("refuses a bad endpoint when a draft is edited", async () => {
    const { version } = await createApi(db, provider, { orgId, slug: slug(), name: "Draft" });
    const error = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, endpoint: "nope" }), "validation_failed");
    expect(error.fields).toHaveProperty("endpoint");
  });

  it("creating an API writes an audit event naming its slug and first version", async () => {
    const { api } = await createApi(db, provider, { orgId, slug: "audited", name: "Audited", version: "0.9" });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.entityId, api.id), eq(auditEvents.action, "api.created")));
    expect(event).toMatchObject({ actorId: provider.userId, orgId, details: { slug: "audited", version: "0.9" } });
  });
});

describe("where an endpoint may point (upstream rules)", () => {
  // The ports of this installation, as the rules read them.
  const { databasePort, redisPort, gatewayPort, port: portalPort } = readConfig();
  const forbidden = [
    ["the cloud metadata service", "http://169.254.169.254/latest/meta-data/", /metadata/],
    ["a link-local address", "http://[fe80::1]:8081/", /link-local/],
    ["Portico's database on this machine", `http://127.0.0.1:${databasePort}`, /database/],
    ["Portico's Redis on this machine", `http://localhost:${redisPort}/`, /Redis/],
    ["the gateway itself", `http://localhost:${gatewayPort}/acme/echo/1.0`, /gateway/],
    ["the portal outside its demo backend", `http://localhost:${portalPort}/api/auth/providers`, /portal/],
    ["a URL with credentials", "http://admin:secret@api.example.test/", /password/],
  ] as const;

  it.each(forbidden)("createApi refuses %s, on the endpoint field", async (_what, endpoint, reason) => {
    const error = await expectCode(createApi(db, provider, { orgId, slug: slug(), name: "Sneaky", endpoint }), "endpoint_not_allowed", 400);
    expect(error.fields?.endpoint).toMatch(reason);
  });

  it("updateApiVersion and createApiVersion refuse it too, and nothing is written", async () => {
    const { api, version } = await createApi(db, provider, { orgId, slug: slug(), name: "Draft", endpoint: ENDPOINT });
    const error = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, endpoint: "http://metadata.google.internal/computeMetadata/v1/" }), "endpoint_not_allowed");
    expect(error.fields?.endpoint).toMatch(/metadata/);
    expect((await readVersion(version.id)).endpoint).toBe(ENDPOINT);
    await expectCode(createApiVersion(db, provider, { apiId: api.id, version: "2.0", endpoint: "http://0xa9fea9fe/" }), "endpoint_not_allowed");
    await expectCode(createApiVersion(db, provider, { apiId: api.id, version: "2.0", copyFromVersionId: version.id, endpoint: `http://[::1]:${databasePort}` }), "endpoint_not_allowed");
  });

  it("an endpoint stored before the rules is neither copied nor published", async () => {
    const { api, id } = await readyPrivate();
    await db.update(apiVersions).set({ endpoint: "http://169.254.169.254/" }).where(eq(apiVersions.id, id));
    await expectCode(createApiVersion(db, provider, { apiId: api.id, version: "2.0", copyFromVersionId: id }), "endpoint_not_allowed");
    const error = await expectCode(publishApiVersion(db, provider, id), "endpoint_not_allowed");
    expect(error.fields?.endpoint).toMatch(/metadata/);
    expect(await statusOf(id)).toBe("Ready");
  });

  it("accepts the portal's demo backend, and what PORTICO_UPSTREAM_ALLOW allows", async () => {
    await createApi(db, provider, { orgId, slug: slug(), name: "Demo", endpoint: `http://localhost:${portalPort}/demo-backend/weather` });
    await expectCode(createApi(db, provider, { orgId, slug: slug(), name: "Cache", endpoint: `http://127.0.0.1:${redisPort}/` }), "endpoint_not_allowed");
    const before = process.env.PORTICO_UPSTREAM_ALLOW;
    process.env.PORTICO_UPSTREAM_ALLOW = `127.0.0.1:${redisPort}, 169.254.0.0/16`;
    try {
      await createApi(db, provider, { orgId, slug: slug(), name: "Cache", endpoint: `http://127.0.0.1:${redisPort}/` });
      await createApi(db, provider, { orgId, slug: slug(), name: "Link", endpoint: "http://169.254.10.10:8081/" });
      await expectCode(createApi(db, provider, { orgId, slug: slug(), name: "Db", endpoint: `http://127.0.0.1:${databasePort}/` }), "endpoint_not_allowed");
    } finally {
      if (before === undefined) delete process.env.PORTICO_UPSTREAM_ALLOW;
      else process.env.PORTICO_UPSTREAM_ALLOW = before;
    }
  });
});
