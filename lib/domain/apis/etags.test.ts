import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { apiVersions } from "@/db/schema";
import { apiVersionEtag, createApi, getApiVersionDetail, getOrganizationApi, updateApiVersion } from "../apis";
import type { Actor } from "../permissions";
import { expectCode, makeOrg, makeUser, openTestDb } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let outsider: Actor;
let org: { id: string; slug: string };

let counter = 0;
const slug = () => `etag-api-${++counter}`;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const [p, c, o] = await Promise.all([makeUser(db, "manager"), makeUser(db, "portal"), makeUser(db, "manager")]);
  ({ org, owner: provider } = await makeOrg(db, p));
  consumer = c;
  ({ owner: outsider } = await makeOrg(db, o));
});
afterAll(() => open?.close());

async function readVersion(id: string) {
  const [row] = await db.select().from(apiVersions).where(eq(apiVersions.id, id));
  return row;
}

describe("updateApiVersion with If-Match", () => {
  it("writes with the current ETag, refuses a stale one and leaves the version unchanged", async () => {
    const { version } = await createApi(db, provider, { orgId: org.id, slug: slug(), name: "Docs" });
    const etag = apiVersionEtag(version);
    const updated = await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# One" }, { ifMatch: etag });
    expect(apiVersionEtag(updated)).not.toBe(etag);
    await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Two" }, { ifMatch: etag }), "precondition_failed", 412);
    expect((await readVersion(version.id)).docs).toBe("# One");
    await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Three" }, { ifMatch: `"other", W/${apiVersionEtag(updated)}` });
    await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Four" }, { ifMatch: "*" });
    expect((await readVersion(version.id)).docs).toBe("# Four");
  });

  it("of two concurrent writers with the same ETag, only one succeeds", async () => {
    const { version } = await createApi(db, provider, { orgId: org.id, slug: slug(), name: "Race" });
    const etag = apiVersionEtag(version);
    const results = await Promise.allSettled(
      ["# A", "# B"].map((docs) => updateApiVersion(db, provider, { apiVersionId: version.id, docs }, { ifMatch: etag })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [refused] = results.filter((r) => r.status === "rejected");
    expect((refused as PromiseRejectedResult).reason.code).toBe("precondition_failed");
    const winner = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ docs: string }>).value.docs;
    expect((await readVersion(version.id)).docs).toBe(winner);
  });

  it("matches the ETag of the management page's version, and keeps fields a partial update leaves out", async () => {
    const { api, version } = await createApi(db, provider, { orgId: org.id, slug: slug(), name: "Page", endpoint: "http://127.0.0.1:9/x", isPublic: true, docs: "# Kept" });
    const detail = await getApiVersionDetail(db, provider, { org: org.slug, api: api.slug, version: "1.0" });
    await updateApiVersion(db, provider, { apiVersionId: version.id, openapi: '{"openapi":"3.1.0"}' }, { ifMatch: apiVersionEtag(detail.version) });
    expect(await readVersion(version.id)).toMatchObject({ endpoint: "http://127.0.0.1:9/x", isPublic: true, docs: "# Kept", openapi: '{"openapi":"3.1.0"}' });
    expect(await updateApiVersion(db, provider, { apiVersionId: version.id })).toMatchObject({ docs: "# Kept" });
  });

  it("checks permission before the ETag: a stranger learns nothing from a stale one", async () => {
    const { version } = await createApi(db, provider, { orgId: org.id, slug: slug(), name: "Hidden" });
    await expectCode(updateApiVersion(db, outsider, { apiVersionId: version.id, docs: "x" }, { ifMatch: '"stale"' }), "api_not_found");
  });
});

describe("getOrganizationApi", () => {
  it("finds an API by slugs with its versions, and hides it from consumers and other organizations", async () => {
    const { api } = await createApi(db, provider, { orgId: org.id, slug: slug(), name: "Found", endpoint: "http://127.0.0.1:9/x", isPublic: true });
    const found = await getOrganizationApi(db, provider, { org: org.slug, api: api.slug });
    expect(found.api.id).toBe(api.id);
    expect(found.versions).toEqual([expect.objectContaining({ version: "1.0", status: "Ready" })]);
    await expectCode(getOrganizationApi(db, consumer, { org: org.slug, api: api.slug }), "not_found", 404);
    await expectCode(getOrganizationApi(db, outsider, { org: org.slug, api: api.slug }), "not_found", 404);
    await expectCode(getOrganizationApi(db, provider, { org: org.slug, api: "missing" }), "api_not_found", 404);
    await expectCode(getOrganizationApi(db, provider, { org: org.slug, api: "a\u0000b" }), "api_not_found", 404);
  });
});
