import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenDatabase } from "@/db/client";
import { listOfferedPlans } from "@/lib/domain/apis";
import { digestApiKey } from "@/lib/domain/key-vault";
import { verifyCredentials } from "@/lib/domain/users";
import { openTestDb } from "@/lib/domain/test-fixtures";
import { DEMO_ACCOUNTS, hasDemoData, isEmptyDatabase, seedDemo } from "./seed";

let open: OpenDatabase;
let developerKey: string;

beforeAll(async () => {
  open = await openTestDb();
  expect(await isEmptyDatabase(open.db)).toBe(true);
  ({ developerKey } = await seedDemo(open.db, "http://localhost:3000/demo-backend"));
});
afterAll(() => open.close());

describe("the demo data", () => {
  it("has the three accounts with their passwords and profiles", async () => {
    for (const account of DEMO_ACCOUNTS) {
      const user = await verifyCredentials(open.db, account.email, account.password);
      expect(user?.profile).toBe(account.profile);
    }
    expect(await hasDemoData(open.db)).toBe(true);
    expect(await isEmptyDatabase(open.db)).toBe(false);
  });

  it("has Acme's APIs, published, with the plans and approval rules of the spec", async () => {
    const versions = await open.db.query.apiVersions.findMany();
    expect(versions).toHaveLength(3);
    const apis = await open.db.query.apis.findMany();
    const bySlug = new Map(apis.map((a) => [a.slug, a]));
    const versionOf = (slug: string) => versions.find((v) => v.apiId === bySlug.get(slug)!.id)!;
    for (const slug of ["weather", "billing", "echo"]) {
      expect(versionOf(slug)).toMatchObject({ version: "1.0", status: "Published" });
      expect(versionOf(slug).endpoint).toBe(`http://localhost:3000/demo-backend/${slug}`);
    }
    expect(versionOf("echo").isPublic).toBe(true);
    expect(versionOf("weather").isPublic).toBe(false);

    const weatherPlans = await listOfferedPlans(open.db, versionOf("weather").id);
    expect(weatherPlans.map((p) => [p.slug, p.status, p.requiresApproval])).toEqual([
      ["bronze", "Locked", false],
      ["gold", "Locked", true],
    ]);
    expect(weatherPlans[0].policies).toEqual([
      { type: "rate-limit", limit: 5, period: "second" },
      { type: "quota", limit: 1000, period: "day" },
    ]);
    expect(weatherPlans[1].policies).toEqual([{ type: "rate-limit", limit: 50, period: "second" }]);
    const billingPlans = await listOfferedPlans(open.db, versionOf("billing").id);
    expect(billingPlans.map((p) => p.slug)).toEqual(["bronze"]);
  });

  it("gives the developer the Weather Dashboard client with an active bronze contract to Weather", async () => {
    const client = await open.db.query.clients.findFirst({ where: (c, { eq }) => eq(c.slug, "weather-dashboard") });
    expect(client?.name).toBe("Weather Dashboard");
    const version = await open.db.query.clientVersions.findFirst({ where: (v, { eq }) => eq(v.clientId, client!.id) });
    expect(version?.version).toBe("1.0");
    expect(version?.apiKeyDigest).toBe(digestApiKey(developerKey));
    expect(developerKey).toMatch(/^ptk_/);
    const contracts = await open.db.query.contracts.findMany({ where: (c, { eq }) => eq(c.clientVersionId, version!.id) });
    expect(contracts.map((c) => c.status)).toEqual(["Active"]);
  });
});
