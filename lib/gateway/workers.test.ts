import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenDatabase } from "@/db/client";
import type { Policy } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { breakContract, createContract } from "@/lib/domain/contracts";
import type { Actor } from "@/lib/domain/permissions";
import { makeClient, makeLockedPlan, makeOrg, makeUser, openTestDb, personalOrgId } from "@/lib/domain/test-fixtures";
import { type RunningGatewayCluster, startGatewayCluster } from "./cluster";
import { windowStart } from "./policies";
import { call, eventually, silentLogger, startUpstream, type Upstream } from "./test-support";

const WORKERS = 2;

describe("the gateway on several worker processes", () => {
  let open: OpenDatabase;
  let upstream: Upstream;
  let provider: Actor;
  let consumer: Actor;
  let orgId: string;
  let orgSlug: string;
  let gateway: RunningGatewayCluster;
  let base: string;
  let metricsBase: string;
  let n = 0;

  /** A published API in front of the upstream, offering one locked plan with these policies. */
  async function makeApi(policies: Policy[]) {
    const slug = `workers-${++n}-${Date.now().toString(36)}`;
    const { version } = await createApi(open.db, provider, { orgId, slug, name: "Weather", endpoint: `${upstream.url}/backend` });
    const { planVersionId } = await makeLockedPlan(open.db, provider, orgId, policies);
    await offerPlan(open.db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: false });
    await publishApiVersion(open.db, provider, version.id);
    return { apiVersionId: version.id, planVersionId, path: `/${orgSlug}/${slug}/1.0` };
  }

  async function makeContract(api: { apiVersionId: string; planVersionId: string }) {
    const client = await makeClient(open.db, consumer, personalOrgId(consumer));
    const contract = await createContract(open.db, consumer, { clientVersionId: client.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    await gateway.settled();
    return { apiKey: client.apiKey, contractId: contract.id };
  }

  /** Requests served so far by each worker, from the metrics. */
  async function servedByWorker(): Promise<Map<string, number>> {
    const text = (await call(`${metricsBase}/metrics`)).body as string;
    const served = new Map<string, number>();
    for (const match of text.matchAll(/^portico_gateway_worker_requests_total\{worker="(\d+)"\} (\d+)$/gm)) served.set(match[1], Number(match[2]));
    return served;
  }

  /** `count` requests at once, each on a connection of its own so that both workers take some. */
  async function burst(url: string, apiKey: string, count: number): Promise<number[]> {
    return Promise.all(
      Array.from({ length: count }, async () => (await call(url, { headers: { "x-api-key": apiKey, connection: "close" } })).status),
    );
  }

  beforeAll(async () => {
    open = await openTestDb();
    upstream = await startUpstream();
    const made = await makeOrg(open.db, await makeUser(open.db, "manager"));
    ({ id: orgId, slug: orgSlug } = made.org);
    provider = made.owner;
    consumer = await makeUser(open.db, "portal");
    gateway = await startGatewayCluster({
      workers: WORKERS,
      port: 0,
      host: "127.0.0.1",
      open,
      logger: silentLogger(),
      // Usage is written when the test asks (flushUsage), not on a timer.
      settings: { metricsPort: 0, usageFlushIntervalMs: 600_000 },
    });
    base = `http://127.0.0.1:${gateway.port}`;
    metricsBase = `http://127.0.0.1:${gateway.metricsPort}`;
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await open?.close();
  });

  it("is ready once every worker has loaded its registry", async () => {
    expect((await call(`${metricsBase}/readyz`)).status).toBe(200);
  });

  it(`lets exactly the limit through when ${WORKERS} × the limit requests arrive at once across the workers`, async () => {
    const limit = 10;
    const api = await makeApi([{ type: "rate-limit", limit, period: "minute" }]);
    const { apiKey } = await makeContract(api);
    for (;;) {
      const window = windowStart("minute", Date.now());
      const statuses = await burst(`${base}${api.path}/x`, apiKey, WORKERS * limit);
      // A burst across two windows counts in both: try again in the next one.
      if (windowStart("minute", Date.now()) !== window) continue;
      expect(statuses.filter((s) => s === 200)).toHaveLength(limit);
      expect(statuses.filter((s) => s === 429)).toHaveLength(WORKERS * limit - limit);
      break;
    }
  });

  it("serves from every worker, and their usage adds up in the database", async () => {
    const api = await makeApi([]);
    const { apiKey, contractId } = await makeContract(api);
    let sent = 0;
    // Which worker accepts a connection is the kernel's choice: bursts until each has served some.
    for (let round = 0; round < 20; round++) {
      const statuses = await burst(`${base}${api.path}/x`, apiKey, 20);
      expect(statuses.every((s) => s === 200)).toBe(true);
      sent += statuses.length;
      const served = await servedByWorker();
      if (served.size === WORKERS && [...served.values()].every((n) => n > 0)) break;
    }
    expect([...(await servedByWorker()).values()].filter((n) => n > 0)).toHaveLength(WORKERS);
    await gateway.flushUsage();
    const result = (await open.db.execute(sql`select coalesce(sum(requests), 0)::int as requests from contract_usage where contract_id = ${contractId}`)) as unknown as { rows: { requests: number }[] };
    expect(result.rows[0].requests).toBe(sent);
  });

  it("brings a broken contract to every worker before the next request", async () => {
    const api = await makeApi([]);
    const { apiKey, contractId } = await makeContract(api);
    expect(await burst(`${base}${api.path}/x`, apiKey, 10)).toEqual(Array(10).fill(200));
    await breakContract(open.db, consumer, { contractId });
    await gateway.settled();
    expect(await burst(`${base}${api.path}/x`, apiKey, 10)).toEqual(Array(10).fill(403));
  });

  it("adds up every worker's requests in one scrape of /metrics", async () => {
    const api = await makeApi([]);
    const { apiKey } = await makeContract(api);
    const count = 30;
    await burst(`${base}${api.path}/x`, apiKey, count);
    const text = (await call(`${metricsBase}/metrics`)).body as string;
    const [, apiSlug] = api.path.split("/").slice(1);
    const line = text.split("\n").find((l) => l.startsWith("portico_gateway_requests_total{") && l.includes(`api="${apiSlug}"`) && l.includes('status_class="2xx"'));
    expect(line?.split(" ").pop()).toBe(String(count));
    // The registry's size is every worker's, not their sum.
    const versions = text.split("\n").find((l) => l.startsWith("portico_gateway_registry_entries{") && l.includes('kind="api_versions"'));
    const known = (await open.db.execute(sql`select count(*)::int as n from api_versions where status in ('Published', 'Retired')`)) as unknown as { rows: { n: number }[] };
    expect(versions?.split(" ").pop()).toBe(String(known.rows[0].n));
  });

  it("starts another worker in place of one that dies, and serves on", async () => {
    const api = await makeApi([]);
    const { apiKey } = await makeContract(api);
    const [first] = gateway.workers();
    process.kill(first.pid!, "SIGKILL");
    await eventually(async () => {
      const now = gateway.workers();
      return now.length === WORKERS && now.every((w) => w.ready) && now[0].pid !== first.pid;
    }, 30_000, "a restarted worker");
    expect(gateway.workers().map((w) => w.slot)).toEqual([1, 2]);
    expect((await call(`${metricsBase}/readyz`)).status).toBe(200);
    expect(await burst(`${base}${api.path}/x`, apiKey, 10)).toEqual(Array(10).fill(200));
  });
});
