import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contracts, type Policy } from "@/db/schema";
import { publishChanges } from "@/lib/domain/events";
import { makeLockedPlan } from "@/lib/domain/test-fixtures";
import { windowStart } from "./policies";
import { startGateway } from "./server";
import { call, eventually, openScene, type Scene, silentLogger } from "./test-support";

// SPEC §7: a change reaches the gateway within one second (plus a margin for the poll).
const WITHIN = 1_200;

let scene: Scene;
let api: Awaited<ReturnType<Scene["makeApi"]>>;

beforeAll(async () => {
  scene = await openScene();
  api = await scene.makeApi();
});
afterAll(() => scene.close());

type ContractChange = Partial<typeof contracts.$inferInsert>;

/** What the domain's lifecycle commands do: update the contract, commit, then announce it. */
async function changeContract(id: string, change: ContractChange): Promise<void> {
  await scene.db.update(contracts).set(change).where(eq(contracts.id, id));
  await publishChanges({ kind: "contract", id });
}

const send = (path: string, key: string, base = scene.base) => call(`${base}${path}/x`, { headers: { "x-api-key": key } });
const codeOf = (result: Awaited<ReturnType<typeof call>>) => (typeof result.body === "string" ? undefined : (result.body.code as string | undefined));

/** Polls until the gateway answers with this status, and this problem code when it refuses. */
const answers = (path: string, key: string, status: number, code: string | undefined, what: string) =>
  eventually(
    async () => {
      const result = await send(path, key);
      return result.status === status && codeOf(result) === code;
    },
    WITHIN,
    what,
  );

describe("suspended contracts", () => {
  it("answers 403 contract_suspended within a second of the suspension, and lets requests through again once resumed", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    expect((await send(api.path, apiKey)).status).toBe(200);

    await changeContract(contractId, { status: "Suspended" });
    await answers(api.path, apiKey, 403, "contract_suspended", "the suspension");
    const refused = await send(api.path, apiKey);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body).toMatchObject({ status: 403, code: "contract_suspended", detail: "This contract is suspended by the API's provider." });

    await changeContract(contractId, { status: "Active" });
    await answers(api.path, apiKey, 200, undefined, "the resumption");
  });

  it("does not forward a suspended contract's requests", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    await changeContract(contractId, { status: "Suspended" });
    await answers(api.path, apiKey, 403, "contract_suspended", "the suspension");
    const forwarded = scene.upstream.requests.length;
    await send(api.path, apiKey);
    expect(scene.upstream.requests.length).toBe(forwarded);
  });
});

describe("contract end dates", () => {
  it("refuses with contract_expired once the end date has passed, naming the date, and serves a contract whose end is ahead", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    await changeContract(contractId, { endsAt: new Date(Date.now() + 86_400_000) });
    await scene.gateway.registry.settled();
    expect((await send(api.path, apiKey)).status).toBe(200);

    const endedAt = new Date(Date.now() - 60_000);
    await changeContract(contractId, { endsAt: endedAt });
    await answers(api.path, apiKey, 403, "contract_expired", "the past end date");
    expect((await send(api.path, apiKey)).body).toMatchObject({ status: 403, detail: `This contract ended on ${endedAt.toISOString()}.` });

    // An end date moved back into the future opens the contract again.
    await changeContract(contractId, { endsAt: new Date(Date.now() + 86_400_000) });
    await answers(api.path, apiKey, 200, undefined, "the later end date");
  });

  it("refuses at the end date itself, before any job has turned the contract Expired", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    await changeContract(contractId, { endsAt: new Date(Date.now() + 1_000) });
    await scene.gateway.registry.settled();
    expect((await send(api.path, apiKey)).status).toBe(200);
    // No change is published when the moment passes: the gateway compares with each request's time.
    await eventually(async () => codeOf(await send(api.path, apiKey)) === "contract_expired", 2_500, "the end date passing");
  });

  it("answers contract_expired for an Expired contract until the client renews, then serves the new contract", async () => {
    const { apiKey, contractId, clientVersionId } = await scene.makeClientWithContract(api);
    const endedAt = new Date(Date.now() - 1_000);
    await changeContract(contractId, { status: "Expired", endsAt: endedAt, endedAt });
    await answers(api.path, apiKey, 403, "contract_expired", "the expiry");

    const [renewal] = await scene.db
      .insert(contracts)
      .values({ clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId, status: "Active" })
      .returning({ id: contracts.id });
    await publishChanges({ kind: "contract", id: renewal.id });
    await answers(api.path, apiKey, 200, undefined, "the renewal");

    // The renewal ended otherwise: the newest contract is no longer an expired one.
    await changeContract(renewal.id, { status: "Broken", endedAt: new Date() });
    await answers(api.path, apiKey, 403, "no_contract", "the broken renewal");
  });
});

describe("plan changes", () => {
  /** A second plan, locked, for the contract to move to (offering it to the API matters only to the domain). */
  const planWith = async (policies: Policy[]) => (await makeLockedPlan(scene.db, scene.provider, scene.orgId, policies)).planVersionId;

  it("swaps the policies under a steady stream of requests without refusing any, then applies the new plan's rate limit", async () => {
    const bronze = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 100_000, period: "minute" }] });
    const { apiKey, contractId } = await scene.makeClientWithContract(bronze);
    const gold = await planWith([{ type: "rate-limit", limit: 40, period: "hour" }]);
    const goldPolicy = '"rate-hour";q=40;w=3600';
    const hour = windowStart("hour", Date.now());

    const seen: { status: number; policy: string | null }[] = [];
    let goldSeen = 0;
    let stop = false;
    // Three callers at once, so that requests are in flight while the plan changes.
    const caller = async () => {
      while (!stop) {
        const result = await send(bronze.path, apiKey);
        seen.push({ status: result.status, policy: result.headers.get("ratelimit-policy") });
        if (result.headers.get("ratelimit-policy") === goldPolicy && ++goldSeen >= 10) stop = true;
      }
    };
    const callers = [caller(), caller(), caller()];
    await eventually(async () => seen.length >= 15, 5_000, "the first requests");
    await changeContract(contractId, { planVersionId: gold });
    await Promise.all(callers);

    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    expect(seen[0].policy).toBe('"rate-minute";q=100000;w=60');
    // Once a request got the new plan, only the other callers' requests already in flight can finish under the old one.
    const firstGold = seen.findIndex((s) => s.policy === goldPolicy);
    expect(seen.slice(firstGold).filter((s) => s.policy !== goldPolicy).length).toBeLessThanOrEqual(2);

    // Counted under the new plan's limit from the change on: the 41st request under it is refused.
    const goldServed = seen.filter((s) => s.policy === goldPolicy).length;
    const rest = [];
    for (let i = goldServed; i < 41; i++) rest.push(await send(bronze.path, apiKey));
    // A new hour started meanwhile: Gold's count started over, and the 41st is not refused.
    if (windowStart("hour", Date.now()) !== hour) return;
    expect(rest.slice(0, -1).map((r) => r.status)).toEqual(rest.slice(0, -1).map(() => 200));
    expect(rest.at(-1)).toMatchObject({ status: 429, body: { code: "rate_limited" } });
  });

  it("keeps the quota used so far: the new plan's quota counts on from it", async () => {
    const bronze = await scene.makeApi({ policies: [{ type: "quota", limit: 10, period: "day" }] });
    const { apiKey, contractId } = await scene.makeClientWithContract(bronze);
    for (let i = 0; i < 6; i++) expect((await send(bronze.path, apiKey)).status).toBe(200);
    const gold = await planWith([
      { type: "rate-limit", limit: 1_000, period: "minute" },
      { type: "quota", limit: 20, period: "day" },
    ]);
    await changeContract(contractId, { planVersionId: gold });
    await scene.gateway.registry.settled();
    // 6 used under Bronze: the first request under Gold is the 7th of 20.
    const result = await send(bronze.path, apiKey);
    expect(result.headers.get("ratelimit-policy")).toBe('"rate-minute";q=1000;w=60, "quota-day";q=20;w=86400');
    expect(result.headers.get("ratelimit")).toMatch(/^"rate-minute";r=999;t=\d+, "quota-day";r=13;t=\d+$/);
  });
});

describe("start-up", () => {
  it("loads suspended contracts, end dates and the expired contracts not yet renewed when the registry starts", async () => {
    const suspended = await scene.makeClientWithContract(api);
    const ended = await scene.makeClientWithContract(api);
    const ahead = await scene.makeClientWithContract(api);
    const expired = await scene.makeClientWithContract(api);
    const endedAt = new Date(Date.now() - 3_600_000);
    await changeContract(suspended.contractId, { status: "Suspended" });
    await changeContract(ended.contractId, { endsAt: endedAt });
    await changeContract(ahead.contractId, { endsAt: new Date(Date.now() + 3_600_000) });
    await changeContract(expired.contractId, { status: "Expired", endsAt: endedAt, endedAt });
    const renewed = await scene.makeClientWithContract(api);
    await changeContract(renewed.contractId, { status: "Expired", endsAt: endedAt, endedAt });
    await scene.db.insert(contracts).values({ clientVersionId: renewed.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId, status: "Active" });

    // A second gateway on the same database: everything it knows comes from the full load.
    const restarted = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger: silentLogger() });
    try {
      const base = `http://127.0.0.1:${restarted.port}`;
      expect(codeOf(await send(api.path, suspended.apiKey, base))).toBe("contract_suspended");
      expect((await send(api.path, ended.apiKey, base)).body).toMatchObject({ code: "contract_expired", detail: `This contract ended on ${endedAt.toISOString()}.` });
      expect((await send(api.path, ahead.apiKey, base)).status).toBe(200);
      expect(codeOf(await send(api.path, expired.apiKey, base))).toBe("contract_expired");
      expect((await send(api.path, renewed.apiKey, base)).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });
});
