import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { createClient } from "../clients";
import type { Actor } from "../permissions";
import { makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId } from "../test-fixtures";
import { createContract } from "./commands";
import { listContracts } from "./queries";

/**
 * A word of a contract search is looked up in the sides' own tables first; up to 10,000 matching
 * client versions are passed to the list as ids, more as their query. Both must find the same
 * contracts.
 */
let open: OpenDatabase;
let db: Db;
let provider: Actor;
let apiVersionId: string;
const kiwiContracts: string[] = [];

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const made = await makeOrg(db, await makeUser(db, "manager"));
  provider = made.owner;
  const consumer = await makeUser(db, "portal");
  const api = await makePublishedApi(db, provider, made.org.id);
  apiVersionId = api.apiVersionId;
  for (const name of ["Kiwi Orchard", "Green Kiwi", "Mango"]) {
    const { version } = await createClient(db, consumer, { orgId: personalOrgId(consumer), name });
    const contract = await createContract(db, consumer, { clientVersionId: version.id, apiVersionId, planVersionId: api.planVersionId });
    if (name.includes("Kiwi")) kiwiContracts.push(contract.id);
  }
  // 10,000 more clients whose name holds "kiwi" and "bulk", one version each, without contracts.
  await db.execute(sql`
    insert into clients (org_id, slug, name)
    select ${personalOrgId(consumer)}::uuid, 'bulk-' || i, 'Bulk Kiwi ' || i from generate_series(1, 10000) as i`);
  await db.execute(sql`
    insert into client_versions (client_id, version, api_key_digest)
    select id, '1.0', md5(id::text) from clients where slug like 'bulk-%'`);
});
afterAll(() => open.close());

describe("a contract search whose word matches more client versions than are passed by id", () => {
  it("finds the same contracts as a word matching few", async () => {
    const many = await listContracts(db, provider, { apiVersionId, q: "kiwi" });
    expect(many.total).toBe(2);
    expect(many.rows.map((row) => row.id).sort()).toEqual([...kiwiContracts].sort());
    expect((await listContracts(db, provider, { apiVersionId, q: "orchard" })).rows.map((row) => row.clientName)).toEqual(["Kiwi Orchard"]);
    expect((await listContracts(db, provider, { apiVersionId, q: "kiwi green" })).rows.map((row) => row.clientName)).toEqual(["Green Kiwi"]);
    expect((await listContracts(db, provider, { apiVersionId, q: "bulk" })).total).toBe(0);
    expect((await listContracts(db, provider, { apiVersionId, q: "mango" })).total).toBe(1);
  });
});
