import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { clients, clientVersions, contracts, plans, planVersions, users } from "@/db/schema";
import { createClient, createClientVersion } from "../clients";
import type { Actor } from "../permissions";
import { makeLockedPlan, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId } from "../test-fixtures";
import { type ContractSortKey, listContracts } from "./queries";

/**
 * An API version with more contracts than its lists count (their cap is lowered here), so that
 * its sorts by plan, creator and client version walk the plans, users and client versions (see
 * walkedPage). Their pages must be the slices of the same list sorted by the database in one query.
 */
const CONTRACTS = 1800;

let open: OpenDatabase;
let db: Db;
let provider: Actor;
let consumer: Actor;
let apiVersionId: string;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const made = await makeOrg(db, await makeUser(db, "manager"));
  provider = made.owner;
  const orgId = made.org.id;
  consumer = await makeUser(db, "portal", "Walker Consumer");
  const stranger = await makeUser(db, "portal", "Walker Twin");
  // Two creators of one name (names are not unique; emails are).
  await db.update(users).set({ name: "Walker Consumer" }).where(eq(users.id, stranger.userId));
  const other = await makeUser(db, "portal", "Another Creator");
  const api = await makePublishedApi(db, provider, orgId);
  apiVersionId = api.apiVersionId;

  // Two plans of the same name (ties across plans), one with three versions that sort as text: 1.0, 1.10, 2.0.
  const second = await makeLockedPlan(db, provider, orgId);
  const [{ planId }] = await db.select({ planId: planVersions.planId }).from(planVersions).where(eq(planVersions.id, second.planVersionId));
  const extra = await db
    .insert(planVersions)
    .values([
      { planId, version: "1.10" },
      { planId, version: "2.0" },
    ])
    .returning({ id: planVersions.id });
  const [cheaper] = await db.insert(plans).values({ orgId, slug: "cheaper", name: "Aluminium" }).returning({ id: plans.id });
  const [cheaperVersion] = await db.insert(planVersions).values({ planId: cheaper.id, version: "1.0" }).returning({ id: planVersions.id });
  const planVersionIds = [api.planVersionId, second.planVersionId, ...extra.map((row) => row.id), cheaperVersion.id];

  // Clients of the same name in two organizations, versions that sort as text.
  const kiwi = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Kiwi" });
  const kiwi2 = await createClientVersion(db, consumer, { clientId: kiwi.client.id, version: "2.0" });
  const kiwi10 = await createClientVersion(db, consumer, { clientId: kiwi.client.id, version: "10.0" });
  const apple = await createClient(db, consumer, { orgId: personalOrgId(consumer), name: "Apple" });
  const strangerApple = await createClient(db, stranger, { orgId: personalOrgId(stranger), name: "Apple" });
  const clientVersionIds = [kiwi.version.id, kiwi2.id, kiwi10.id, apple.version.id, strangerApple.version.id];

  // Creators: two users of one name, another, and none (a creator whose account is gone).
  const creatorIds = [consumer.userId, stranger.userId, other.userId, null];
  const uuidArray = (ids: readonly (string | null)[]) => sql`array[${sql.join(
    ids.map((id) => (id === null ? sql`null` : sql`${id}`)),
    sql`, `,
  )}]::uuid[]`;
  // Ended contracts (no live one is unique per client version), many sharing a creation time: ties go by id.
  await db.execute(sql`
    insert into contracts (client_version_id, api_version_id, plan_version_id, status, created_by_id, created_at)
    select (${uuidArray(clientVersionIds)})[1 + i % 5], ${apiVersionId}::uuid, (${uuidArray(planVersionIds)})[1 + (i / 5) % 5],
      (array['Withdrawn', 'Rejected', 'Expired'])[1 + i % 3], (${uuidArray(creatorIds)})[1 + (i / 3) % 4],
      timestamptz '2026-01-01' + ((i * 7) % 400) * interval '1 second'
    from generate_series(1, ${CONTRACTS}) as i`);
});
afterAll(() => open.close());

const WALKED: ContractSortKey[] = ["plan", "createdBy", "clientVersion"];

/** The API version's contracts in a sort, ordered by the database in one query: what every page must be a slice of. */
async function sortedIds(sort: ContractSortKey, descending: boolean, filter: { status?: "Rejected"; clientOrgId?: string } = {}): Promise<string[]> {
  const dir = descending ? desc : asc;
  const keys = {
    plan: [dir(plans.name), dir(planVersions.version)],
    createdBy: [dir(users.name)],
    clientVersion: [dir(clientVersions.version), dir(clients.name)],
  }[sort as "plan" | "createdBy" | "clientVersion"];
  const rows = await db
    .select({ id: contracts.id })
    .from(contracts)
    .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .leftJoin(users, eq(users.id, contracts.createdById))
    .where(
      and(
        eq(contracts.apiVersionId, apiVersionId),
        filter.status ? eq(contracts.status, filter.status) : undefined,
        filter.clientOrgId ? inArray(clients.orgId, [filter.clientOrgId]) : undefined,
      ),
    )
    .orderBy(...keys, desc(contracts.createdAt), asc(contracts.id));
  return rows.map((row) => row.id);
}

const ids = (page: { rows: { id: string }[] }) => page.rows.map((row) => row.id);

describe("an API version's contracts sorted by plan, creator or client version, past what is sorted whole", () => {
  for (const sort of WALKED) {
    for (const descending of [false, true]) {
      const label = `${sort}.${descending ? "desc" : "asc"}`;

      it(`${label}: every page is its slice of the sorted list, from either end`, async () => {
        const expected = await sortedIds(sort, descending);
        expect(expected).toHaveLength(CONTRACTS);
        const page = (n: number, pageSize = 25) => listContracts(db, provider, { apiVersionId, sort: { id: sort, desc: descending }, page: n, pageSize, totalCap: 1000 });
        for (const n of [1, 2, 7]) expect(ids(await page(n))).toEqual(expected.slice((n - 1) * 25, n * 25));
        expect(ids(await page(3, 100))).toEqual(expected.slice(200, 300));
        const last = await page(-1);
        expect(last).toMatchObject({ page: -1, total: 1001 });
        expect(ids(last)).toEqual(expected.slice(-25));
      });

      it(`${label}: past a capped total, pages from the end read the order backwards`, async () => {
        const expected = await sortedIds(sort, descending);
        const page = (n: number) => listContracts(db, provider, { apiVersionId, sort: { id: sort, desc: descending }, page: n, pageSize: 30, totalCap: 600 });
        const last = await page(-1);
        expect(last).toMatchObject({ page: -1, total: 601 });
        expect(ids(last)).toEqual(expected.slice(-30));
        expect(ids(await page(-3))).toEqual(expected.slice(-90, -60));
      });

      it(`${label}: with a filter and as the client's side sees it`, async () => {
        const rejected = await sortedIds(sort, descending, { status: "Rejected" });
        expect(rejected.length).toBeGreaterThan(300);
        const filtered = await listContracts(db, provider, { apiVersionId, status: "Rejected", sort: { id: sort, desc: descending }, page: 2, pageSize: 40, totalCap: 300 });
        expect(filtered.total).toBe(301);
        expect(ids(filtered)).toEqual(rejected.slice(40, 80));
        // The consumer sees the contracts of their own clients only, through the visibility condition's joins.
        const own = await sortedIds(sort, descending, { clientOrgId: personalOrgId(consumer) });
        expect(own.length).toBeGreaterThan(300);
        const seen = await listContracts(db, consumer, { apiVersionId, sort: { id: sort, desc: descending }, page: 3, pageSize: 50, totalCap: 300 });
        expect(seen.total).toBe(301);
        expect(ids(seen)).toEqual(own.slice(100, 150));
      });

      it(`${label}: a list counted to its end is the same page for page, sorted whole`, async () => {
        const expected = await sortedIds(sort, descending);
        const page = (n: number) => listContracts(db, provider, { apiVersionId, sort: { id: sort, desc: descending }, page: n, pageSize: 25 });
        expect(ids(await page(2))).toEqual(expected.slice(25, 50));
        const last = await page(-1);
        expect(last).toMatchObject({ page: 72, total: CONTRACTS });
        expect(ids(last)).toEqual(expected.slice(71 * 25));
      });
    }
  }
});
