/**
 * The benchmark's data: the shape through the domain rules (users, organizations, plans, APIs,
 * a few clients and contracts), then the volume in bulk SQL that copies that shape.
 *
 * - A provider organization `bench` with two plans, Standard and Gold (Gold requires approval),
 *   and two APIs: Orders (1.0 published with both plans, 2.0 not yet published) and Metered
 *   (1.0 published with Standard), whose traffic the usage pages show.
 * - A consumer organization `bench-apps` whose owner has `clients` clients of one version each.
 *   Every client version has two contracts with Orders 1.0: an ended one (withdrawn, broken,
 *   expired or rejected) and a live one (mostly active; 5 % awaiting approval, 5 % suspended,
 *   1 % with a plan change awaiting approval). The first `usageContracts` clients also have an
 *   active contract with Metered 1.0.
 *
 * API keys made in SQL have a digest but no sealed copy (sealing needs the key vault, not SQL):
 * their pages show a masked key without the last characters.
 */
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { createApi, createApiVersion, offerPlan, publishApiVersion, setRequiresApproval } from "@/lib/domain/apis";
import { createClient } from "@/lib/domain/clients";
import { breakContract, createContract } from "@/lib/domain/contracts";
import { createOrganization } from "@/lib/domain/organizations";
import { loadActor, type Actor } from "@/lib/domain/permissions";
import { createPlan, lockPlanVersion } from "@/lib/domain/plans";
import { createSession } from "@/lib/domain/sessions";
import { createUser } from "@/lib/domain/users";

/** The first word of every bulk client's name; searching for one of them finds one client in 16. */
const NAME_WORDS = ["Falcon", "Harbor", "Juniper", "Meadow", "Nimbus", "Orchid", "Pioneer", "Quartz", "Raven", "Summit", "Tundra", "Umber", "Vertex", "Willow", "Yonder", "Zephyr"];
export const SEARCH_WORD = "falcon";
/** Bulk clients are named "<Word> App <000123>": what the pages' rows are recognised by. */
export const BULK_CLIENT_NAME = /\b[A-Z][a-z]+ App \d{6}\b/g;

export interface SignedInUser {
  userId: string;
  email: string;
  name: string;
  sessionId: string;
}

export interface SeededPortal {
  provider: SignedInUser;
  consumer: SignedInUser;
  /** Contracts with Orders 1.0, the API version whose Contracts tab is measured. */
  apiContracts: number;
  clients: number;
  /** A bulk client version in the middle of the list, whose Contracts tab is measured. */
  clientSlug: string;
  /** Orders 1.0's contract with the usage API, the busiest of them (the consumer's usage page). */
  busiestUsageContractId: string;
  /** Client names that given pages must show, read from the seeded rows. */
  expect: {
    newest: string;
    oldest: string;
    firstByClient: string;
    newestMatchingSearch: string;
    newestSuspended: string;
    firstOfMyClients: string;
    oldestApproval: string;
  };
}

async function signIn(db: Db, user: { id: string; email: string; name: string }): Promise<SignedInUser> {
  // A server-side session, as signing in makes one: the portal refuses a token without it.
  const { sessionId } = await createSession(db, user.id);
  return { userId: user.id, email: user.email, name: user.name, sessionId };
}

async function actorOf(db: Db, userId: string): Promise<Actor> {
  const actor = await loadActor(db, userId);
  if (!actor) throw new Error("The benchmark's user was not found after it was created.");
  return actor;
}

/** The shape, through the domain rules. */
async function seedShape(db: Db) {
  const providerUser = await createUser(db, { email: "bench-provider@example.test", name: "Bench Provider", password: "bench-password-1" }, "manager");
  const org = await createOrganization(db, await actorOf(db, providerUser.id), { slug: "bench", name: "Bench APIs" });
  const provider = await actorOf(db, providerUser.id);
  const standard = await createPlan(db, provider, { orgId: org.id, slug: "standard", name: "Standard", policies: [{ type: "rate-limit", limit: 100, period: "second" }] });
  const gold = await createPlan(db, provider, { orgId: org.id, slug: "gold", name: "Gold", policies: [{ type: "quota", limit: 1_000_000, period: "month" }] });
  await lockPlanVersion(db, provider, standard.version.id);
  await lockPlanVersion(db, provider, gold.version.id);

  const orders = await createApi(db, provider, { orgId: org.id, slug: "orders", name: "Orders API", endpoint: "http://127.0.0.1:9/orders" });
  await offerPlan(db, provider, { apiVersionId: orders.version.id, planVersionId: standard.version.id });
  await offerPlan(db, provider, { apiVersionId: orders.version.id, planVersionId: gold.version.id });
  await setRequiresApproval(db, provider, { apiVersionId: orders.version.id, planVersionId: gold.version.id, requiresApproval: true });
  await publishApiVersion(db, provider, orders.version.id);
  await createApiVersion(db, provider, { apiId: orders.api.id, version: "2.0", copyFromVersionId: orders.version.id });

  const metered = await createApi(db, provider, { orgId: org.id, slug: "metered", name: "Metered API", endpoint: "http://127.0.0.1:9/metered" });
  await offerPlan(db, provider, { apiVersionId: metered.version.id, planVersionId: standard.version.id });
  await publishApiVersion(db, provider, metered.version.id);

  const consumerUser = await createUser(db, { email: "bench-developer@example.test", name: "Bench Developer", password: "bench-password-1" }, "manager");
  const apps = await createOrganization(db, await actorOf(db, consumerUser.id), { slug: "bench-apps", name: "Bench Apps" });
  const consumer = await actorOf(db, consumerUser.id);
  const sign = async (clientVersionId: string, apiVersionId: string, planVersionId: string) =>
    createContract(db, consumer, { clientVersionId, apiVersionId, planVersionId });
  const alpha = await createClient(db, consumer, { orgId: apps.id, name: "Alpha Seed App" });
  await sign(alpha.version.id, orders.version.id, standard.version.id);
  const busiest = await sign(alpha.version.id, metered.version.id, standard.version.id);
  const beta = await createClient(db, consumer, { orgId: apps.id, name: "Beta Seed App" });
  await sign(beta.version.id, orders.version.id, gold.version.id);
  const gamma = await createClient(db, consumer, { orgId: apps.id, name: "Gamma Seed App" });
  await breakContract(db, consumer, { contractId: (await sign(gamma.version.id, orders.version.id, standard.version.id)).id, reason: "Replaced by a new contract" });
  await sign(gamma.version.id, orders.version.id, standard.version.id);

  return {
    provider: await signIn(db, providerUser),
    consumer: await signIn(db, consumerUser),
    ids: {
      appsOrg: apps.id,
      providerUser: providerUser.id,
      consumerUser: consumerUser.id,
      orders: orders.version.id,
      metered: metered.version.id,
      standard: standard.version.id,
      gold: gold.version.id,
    },
    busiestUsageContractId: busiest.id,
  };
}

type Ids = Awaited<ReturnType<typeof seedShape>>["ids"];

/** The volume, in bulk SQL: `clients` clients with a version and two Orders contracts each, `usageContracts` of them with Metered too. */
async function seedVolume(db: Db, ids: Ids, clients: number, usageContracts: number) {
  // Creation times one second apart, in the past: clients, then the ended contracts, then the live ones.
  const start = sql`(now() - interval '2 days' - ${3 * clients + usageContracts} * interval '1 second')`;
  const words = sql.raw(`array[${NAME_WORDS.map((w) => `'${w}'`).join(", ")}]`);
  await db.execute(sql`
    insert into clients (org_id, slug, name, created_at)
    select ${ids.appsOrg}::uuid, 'app-' || lpad(i::text, 6, '0'), (${words})[1 + i % 16] || ' App ' || lpad(i::text, 6, '0'), ${start} + i * interval '1 second'
    from generate_series(1, ${clients}::int) i`);
  await db.execute(sql`
    insert into client_versions (client_id, version, api_key_digest, api_key_created_at, created_at)
    select id, '1.0', encode(sha256(convert_to('bench-key-' || id::text, 'UTF8')), 'hex'), created_at, created_at
    from clients where org_id = ${ids.appsOrg}::uuid and slug like 'app-%'`);
  const numbered = sql`(select cv.id, substr(c.slug, 5)::int as i from client_versions cv join clients c on c.id = cv.client_id where c.org_id = ${ids.appsOrg}::uuid and c.slug like 'app-%') n`;

  // The ended contract of each client version, by i mod 4: withdrawn, broken, expired, rejected.
  await db.execute(sql`
    insert into contracts (client_version_id, api_version_id, plan_version_id, status, created_by_id, created_at, decided_by_id, decided_at, reason, ended_by_id, ended_at, ends_at)
    select n.id, ${ids.orders}::uuid, case when n.i % 4 = 3 then ${ids.gold}::uuid else ${ids.standard}::uuid end,
      (array['Withdrawn', 'Broken', 'Expired', 'Rejected'])[1 + n.i % 4], ${ids.consumerUser}::uuid, t.at,
      case when n.i % 4 = 3 then ${ids.providerUser}::uuid end, case when n.i % 4 = 3 then t.at + interval '1 hour' else t.at end,
      case n.i % 4 when 1 then 'Moved to the new version' when 3 then 'Not a fit for this plan' end,
      case n.i % 4 when 0 then ${ids.consumerUser}::uuid when 1 then ${ids.providerUser}::uuid end,
      case when n.i % 4 < 3 then t.at + interval '1 day' end,
      case when n.i % 4 = 2 then t.at + interval '1 day' end
    from ${numbered}, lateral (select ${start} + (${clients}::int + n.i) * interval '1 second' as at) t`);

  // The live contract, by i mod 20 (and mod 100): awaiting approval, suspended, active on Gold, active on Standard.
  await db.execute(sql`
    insert into contracts (client_version_id, api_version_id, plan_version_id, status, created_by_id, created_at, decided_by_id, decided_at, reason,
      pending_plan_version_id, pending_plan_requested_by_id, pending_plan_requested_at)
    select n.id, ${ids.orders}::uuid, case when n.i % 20 in (0, 2, 3, 4) then ${ids.gold}::uuid else ${ids.standard}::uuid end,
      case n.i % 20 when 0 then 'AwaitingApproval' when 1 then 'Suspended' else 'Active' end, ${ids.consumerUser}::uuid, t.at,
      case when n.i % 20 in (1, 2, 3, 4) then ${ids.providerUser}::uuid end, case when n.i % 20 <> 0 then t.at end,
      case when n.i % 20 = 1 then 'Paused while the invoice is open' end,
      case when n.i % 100 = 50 then ${ids.gold}::uuid end, case when n.i % 100 = 50 then ${ids.consumerUser}::uuid end,
      case when n.i % 100 = 50 then t.at + interval '1 hour' end
    from ${numbered}, lateral (select ${start} + (2 * ${clients}::int + n.i) * interval '1 second' as at) t`);

  await db.execute(sql`
    insert into contracts (client_version_id, api_version_id, plan_version_id, status, created_by_id, created_at, decided_at)
    select n.id, ${ids.metered}::uuid, ${ids.standard}::uuid, 'Active', ${ids.consumerUser}::uuid, t.at, t.at
    from ${numbered}, lateral (select ${start} + (3 * ${clients}::int + n.i) * interval '1 second' as at) t
    where n.i <= ${usageContracts}::int`);
}

async function firstName(db: Db, query: ReturnType<typeof sql>): Promise<string> {
  const result = (await db.execute(query)) as unknown as { rows: { name: string }[] };
  const name = result.rows[0]?.name;
  if (!name) throw new Error("The seeded database lacks a row the benchmark expects.");
  return name;
}

/** The client names that pages must show, read from the rows in the order each page promises its users. */
async function expectations(db: Db, ids: Ids): Promise<SeededPortal["expect"]> {
  const onOrders = (where: ReturnType<typeof sql>, order: ReturnType<typeof sql>) => sql`
    select c.name from contracts k join client_versions cv on cv.id = k.client_version_id join clients c on c.id = cv.client_id
    where k.api_version_id = ${ids.orders}::uuid and ${where} order by ${order} limit 1`;
  return {
    newest: await firstName(db, onOrders(sql`true`, sql`k.created_at desc`)),
    oldest: await firstName(db, onOrders(sql`true`, sql`k.created_at asc`)),
    firstByClient: await firstName(db, onOrders(sql`true`, sql`c.name asc, cv.version asc`)),
    newestMatchingSearch: await firstName(db, onOrders(sql`c.name ilike ${`%${SEARCH_WORD}%`}`, sql`k.created_at desc`)),
    newestSuspended: await firstName(db, onOrders(sql`k.status = 'Suspended'`, sql`k.created_at desc`)),
    firstOfMyClients: await firstName(db, sql`select name from clients where org_id = ${ids.appsOrg}::uuid order by name asc limit 1`),
    // Approvals list the oldest request first: a contract awaiting approval, or a plan change.
    oldestApproval: await firstName(
      db,
      sql`select c.name from contracts k join client_versions cv on cv.id = k.client_version_id join clients c on c.id = cv.client_id
        where k.status = 'AwaitingApproval' or k.pending_plan_version_id is not null
        order by case when k.status = 'AwaitingApproval' then k.created_at else k.pending_plan_requested_at end asc limit 1`,
    ),
  };
}

async function countOf(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  const result = (await db.execute(query)) as unknown as { rows: { n: number | string }[] };
  return Number(result.rows[0].n);
}

export async function seedPortal(db: Db, options: { clients: number; usageContracts: number }): Promise<SeededPortal & { ids: Ids }> {
  const shape = await seedShape(db);
  await seedVolume(db, shape.ids, options.clients, options.usageContracts);
  return {
    provider: shape.provider,
    consumer: shape.consumer,
    ids: shape.ids,
    apiContracts: await countOf(db, sql`select count(*) as n from contracts where api_version_id = ${shape.ids.orders}::uuid`),
    clients: await countOf(db, sql`select count(*) as n from clients where org_id = ${shape.ids.appsOrg}::uuid`),
    clientSlug: `app-${String(Math.ceil(options.clients / 2)).padStart(6, "0")}`,
    busiestUsageContractId: shape.busiestUsageContractId,
    expect: await expectations(db, shape.ids),
  };
}
