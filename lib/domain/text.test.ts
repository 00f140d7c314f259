import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { createApi, updateApiVersion } from "./apis";
import { getApiPage, listCatalog } from "./catalog";
import { getMyClient, listMyClients } from "./clients";
import { createClient } from "./clients";
import { listContracts } from "./contracts";
import { rejectContract } from "./contracts";
import { listPendingApprovals } from "./contracts";
import { getApiVersionDetail } from "./apis";
import { getClientVersionDetail } from "./clients";
import { listManagedOrganizations } from "./organizations";
import { getPlanVersionDetail } from "./plans";
import { createOrganization, getOrganization } from "./organizations";
import { type Actor, loadActor } from "./permissions";
import { expectCode, makeUser, openTestDb, personalOrgId } from "./test-fixtures";
import { cleanSearchText, multilineText, plainText, searchWords, TEXT_LIMITS } from "./text";
import { createUser } from "./users";

describe("plainText", () => {
  const name = plainText({ max: 10, min: 1 });

  it("trims, and accepts letters from any script, emoji included", () => {
    expect(name.parse("  Zoë 🚀 ")).toBe("Zoë 🚀");
  });

  it.each([
    ["a NUL byte", "a\u0000b"],
    ["another control character", "a\u0007b"],
    ["a line break", "a\nb"],
    ["a tab", "a\tb"],
  ])("refuses %s with a sentence", (_what, text) => {
    const result = name.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].message).toMatch(/control characters/);
  });

  it.each([
    ["a lone high surrogate", "a\ud83db"],
    ["a lone low surrogate", "a\ude80b"],
    ["a high surrogate at the end", "ab\ud83d"],
  ])("refuses %s, which PostgreSQL cannot store", (_what, text) => {
    const result = name.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].message).toMatch(/broken character/);
  });

  it("says how long the text may be", () => {
    expect(name.safeParse("x".repeat(11)).error!.issues[0].message).toBe("At most 10 characters");
    expect(name.safeParse("  ").error!.issues[0].message).toBe("Required");
  });
});

describe("multilineText", () => {
  it("keeps tabs and line breaks, and refuses NUL", () => {
    const docs = multilineText({ max: 100, trim: false });
    expect(docs.parse("a\tb\r\nc\n")).toBe("a\tb\r\nc\n");
    expect(docs.safeParse("a\u0000").success).toBe(false);
  });
});

describe("search text", () => {
  it("drops what the database cannot hold instead of failing", () => {
    expect(cleanSearchText(" wea\u0000ther \ud83d")).toBe("wea ther");
    expect(searchWords("\u0000")).toEqual([]);
    expect(cleanSearchText("x".repeat(500))).toHaveLength(TEXT_LIMITS.search);
  });
});

describe("the server action body limit", () => {
  it("holds the largest form the domain accepts, at 3 UTF-8 bytes per character", async () => {
    const configFile = path.resolve(import.meta.dirname, "../../next.config.js");
    const { SERVER_ACTION_BODY_LIMIT } = await import(/* @vite-ignore */ configFile);
    const match = /^(\d+)mb$/.exec(SERVER_ACTION_BODY_LIMIT as string);
    expect(match).not.toBeNull();
    const limitBytes = Number(match![1]) * 1024 * 1024;
    const largestForm = 3 * (TEXT_LIMITS.openapi + TEXT_LIMITS.docs + 2000) + 64 * 1024;
    expect(limitBytes).toBeGreaterThanOrEqual(largestForm);
    // "Just above": a body far past what any form holds is refused before it is parsed.
    expect(limitBytes).toBeLessThan(largestForm * 1.25);
  });
});

describe("free text on a real database", () => {
  let open: OpenDatabase;
  let db: Db;
  let provider: Actor;
  let orgId: string;

  beforeAll(async () => {
    open = await openTestDb();
    db = open.db;
    provider = await makeUser(db, "manager");
    orgId = personalOrgId(provider);
  });
  afterAll(async () => {
    await open?.close();
  });

  it("refuses a NUL byte in a sign-up name as a field error, not a database failure", async () => {
    const error = await expectCode(createUser(db, { email: "nul.name@example.test", name: "Nina\u0000", password: "a-long-password-1" }), "validation_failed", 400);
    expect(error.fields?.name).toMatch(/control characters/);
  });

  it("refuses a NUL byte in a client's name and description", async () => {
    const byName = await expectCode(createClient(db, provider, { orgId, name: "My\u0000client" }), "validation_failed");
    expect(byName.fields?.name).toMatch(/control characters/);
    const byDescription = await expectCode(createClient(db, provider, { orgId, name: "Fine", description: "line\u0000" }), "validation_failed");
    expect(byDescription.fields?.description).toMatch(/control characters/);
  });

  it("refuses a lone surrogate in an organization's name", async () => {
    const error = await expectCode(createOrganization(db, provider, { slug: "broken-org", name: "Acme \ud800" }), "validation_failed");
    expect(error.fields?.name).toMatch(/broken character/);
  });

  it("refuses NUL in tags, docs and OpenAPI text, and a document over the limit, field by field", async () => {
    const tagged = await expectCode(createApi(db, provider, { orgId, slug: "nul-tag", name: "Tagged", tags: ["ok", "b\u0000d"] }), "validation_failed");
    expect(tagged.fields?.["tags.1"]).toMatch(/control characters/);

    const endpoint = await expectCode(createApi(db, provider, { orgId, slug: "nul-endpoint", name: "Nul", endpoint: "https://backend.example.com/a\u0000" }), "validation_failed");
    expect(endpoint.fields?.endpoint).toMatch(/control characters/);

    const { version } = await createApi(db, provider, { orgId, slug: "docs-api", name: "Docs" });
    const docs = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Hi\u0000" }), "validation_failed");
    expect(docs.fields?.docs).toMatch(/control characters/);

    const openapi = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, openapi: '{"openapi":"3.1.0","info":{"title":"\ud800"}}' }), "validation_failed");
    expect(openapi.fields?.openapi).toMatch(/broken character/);

    const tooBig = JSON.stringify({ openapi: "3.1.0", padding: "x".repeat(TEXT_LIMITS.openapi) });
    const big = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, openapi: tooBig }), "validation_failed");
    expect(big.fields?.openapi).toBe("At most 2,000,000 characters");

    const tooLongDocs = await expectCode(updateApiVersion(db, provider, { apiVersionId: version.id, docs: "x".repeat(TEXT_LIMITS.docs + 1) }), "validation_failed");
    expect(tooLongDocs.fields?.docs).toBe("At most 200,000 characters");

    // Within the limits, with line breaks and tabs, the edit is kept.
    await updateApiVersion(db, provider, { apiVersionId: version.id, docs: "# Hi\n\n\tcode\r\n" });
  });

  it("refuses a NUL byte in a rejection reason", async () => {
    const error = await expectCode(rejectContract(db, provider, { contractId: "00000000-0000-4000-8000-000000000000", reason: "no\u0000" }), "validation_failed");
    expect(error.fields?.reason).toMatch(/control characters/);
  });

  it("answers searches holding NUL bytes instead of failing", async () => {
    await expect(listCatalog(db, provider, { q: "wea\u0000ther", tag: "x\u0000" })).resolves.toMatchObject({ total: 0 });
    await expect(listContracts(db, provider, { q: "\u0000" })).resolves.toBeDefined();
    await expect(listManagedOrganizations(db, provider, { q: "a\u0000" })).resolves.toBeDefined();
    await expect(listPendingApprovals(db, provider, { q: "a\u0000" })).resolves.toBeDefined();
  });

  it("finds nothing at a URL holding a NUL byte, rather than failing", async () => {
    await expectCode(getApiPage(db, provider, "org\u0000", "api"), "not_found", 404);
    const { slug: org } = await createOrganization(db, provider, { slug: "url-nul", name: "URL NUL" });
    const owner = (await loadActor(db, provider.userId))!;
    await expectCode(getApiVersionDetail(db, owner, { org, api: "a\u0000", version: "1.0" }), "api_not_found", 404);
    await expectCode(getClientVersionDetail(db, owner, { org, client: "c", version: "1\u0000" }), "client_not_found", 404);
    await expectCode(getPlanVersionDetail(db, owner, { org, plan: "p\u0000", version: "1.0" }), "plan_not_found", 404);
    await expectCode(getOrganization(db, provider, "o\u0000"), "not_found", 404);
    await expectCode(getMyClient(db, owner, org, "c\u0000"), "client_not_found", 404);
    await expect(listMyClients(db, provider, { q: "a\u0000b" })).resolves.toBeDefined();
  });
});
