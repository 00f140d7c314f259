import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishApiVersion, retireApiVersion } from "@/lib/domain/apis";
import { retireClientVersion, rotateApiKey } from "@/lib/domain/clients";
import { approveContract, breakContract, createContract, rejectContract } from "@/lib/domain/contracts";
import { CHANGES_CHANNEL } from "./change-feed";
import { call, eventually, openScene, type Scene } from "./test-support";

// SPEC §7: any change takes effect at the gateway within one second. Each test polls for the
// expected answer and fails if it is not there within that second (plus a margin for the poll).
const WITHIN = 1_200;

let scene: Scene;
let api: Awaited<ReturnType<Scene["makeApi"]>>;

beforeAll(async () => {
  scene = await openScene();
  api = await scene.makeApi();
});
afterAll(() => scene.close());

const statusOf = async (path: string, key?: string) => (await call(`${scene.base}${path}/x`, { headers: key ? { "x-api-key": key } : {} })).status;
const becomes = (path: string, key: string | undefined, status: number, what: string) =>
  eventually(async () => (await statusOf(path, key)) === status, WITHIN, what);

describe("changes reach the gateway within one second", () => {
  it("a signed contract opens the API to the client's key", async () => {
    const client = await scene.makeClient();
    expect(await statusOf(api.path, client.apiKey)).toBe(403);
    await createContract(scene.db, scene.consumer, { clientVersionId: client.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
    await becomes(api.path, client.apiKey, 200, "the signed contract");
  });

  it("a broken contract closes it", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    expect(await statusOf(api.path, apiKey)).toBe(200);
    await breakContract(scene.db, scene.consumer, { contractId });
    await becomes(api.path, apiKey, 403, "the broken contract");
  });

  it("an approved contract turns contract_pending into access; a rejected one into no_contract", async () => {
    const gated = await scene.makeApi({ requiresApproval: true });
    const approved = await scene.makeClientWithContract(gated);
    const rejected = await scene.makeClientWithContract(gated);
    expect((await call(`${scene.base}${gated.path}/x`, { headers: { "x-api-key": approved.apiKey } })).body).toMatchObject({ code: "contract_pending" });
    await approveContract(scene.db, scene.provider, approved.contractId);
    await becomes(gated.path, approved.apiKey, 200, "the approval");
    await rejectContract(scene.db, scene.provider, { contractId: rejected.contractId, reason: "Not this quarter" });
    await eventually(
      async () => ((await call(`${scene.base}${gated.path}/x`, { headers: { "x-api-key": rejected.apiKey } })).body as { code?: string }).code === "no_contract",
      WITHIN,
      "the rejection",
    );
  });

  it("a rotated key works at once, the old one during its grace period, and not at all without grace", async () => {
    const { apiKey: first, clientVersionId } = await scene.makeClientWithContract(api);
    const { apiKey: second } = await rotateApiKey(scene.db, scene.consumer, { clientVersionId, graceSeconds: 3600 });
    await becomes(api.path, second, 200, "the new key");
    expect(await statusOf(api.path, first)).toBe(200);
    const { apiKey: third } = await rotateApiKey(scene.db, scene.consumer, { clientVersionId, graceSeconds: 0 });
    await becomes(api.path, third, 200, "the newest key");
    await becomes(api.path, second, 401, "the end of the replaced key");
    // The first key was the previous key only until the second rotation.
    expect(await statusOf(api.path, first)).toBe(401);
  });

  it("a retired client version's key stops working", async () => {
    const { apiKey, clientVersionId } = await scene.makeClientWithContract(api);
    expect(await statusOf(api.path, apiKey)).toBe(200);
    await retireClientVersion(scene.db, scene.consumer, clientVersionId);
    await becomes(api.path, apiKey, 401, "the retirement");
  });

  it("a retired API version answers 410, and a newly published one answers at all", async () => {
    const later = await scene.makeApi({ isPublic: true, publish: false });
    expect(await statusOf(later.path)).toBe(404);
    await publishApiVersion(scene.db, scene.provider, later.apiVersionId);
    await becomes(later.path, undefined, 200, "the publication");
    await retireApiVersion(scene.db, scene.provider, later.apiVersionId);
    await becomes(later.path, undefined, 410, "the retirement");
  });
});

// Changes made by another process arrive only through PostgreSQL.
describe.skipIf(process.env.PORTICO_TEST_DB !== "postgres")("changes from other processes (PostgreSQL)", () => {
  it("applies a change announced by another process with NOTIFY", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    expect(await statusOf(api.path, apiKey)).toBe(200);
    // What another Portico process does: commit, then notify. Nothing is emitted in this process.
    await scene.db.execute(sql`update contracts set status = 'Broken', ended_at = now() where id = ${contractId}`);
    const payload = JSON.stringify({ o: "another-process", c: [["contract", contractId]] });
    await scene.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`);
    await becomes(api.path, apiKey, 403, "the notified change");
  });

  it("reloads everything after its LISTEN connection was lost, catching up on changes it missed", async () => {
    const { apiKey, contractId } = await scene.makeClientWithContract(api);
    expect(await statusOf(api.path, apiKey)).toBe(200);
    const cut = (await scene.db.execute(sql`
      select pg_terminate_backend(pid) as cut from pg_stat_activity
      where datname = current_database() and query ilike 'listen ${sql.raw(CHANGES_CHANNEL)}%'`)) as unknown as { rows: unknown[] };
    expect(cut.rows.length).toBe(1);
    // Changed while nobody listens, and never announced: only a reload can find it.
    await scene.db.execute(sql`update contracts set status = 'Broken', ended_at = now() where id = ${contractId}`);
    await eventually(async () => (await statusOf(api.path, apiKey)) === 403, 3_000, "the change missed while disconnected");
  });
});
