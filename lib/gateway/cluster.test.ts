import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { breakContract } from "@/lib/domain/contracts";
import { windowStart } from "./policies";
import { call, eventually, openScene, type Scene } from "./test-support";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const root = path.resolve(import.meta.dirname, "../..");

/** Starts `npm run gateway`'s script as a child process and resolves with the port it listens on. */
function startGatewayProcess(databaseUrl: string): Promise<{ child: ChildProcess; port: number; output: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/gateway.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, GATEWAY_PORT: "0", GATEWAY_HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The gateway process did not start:\n${output.join("\n")}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`The gateway process exited with ${code}:\n${output.join("\n")}`)));
    child.stderr!.on("data", (c: Buffer) => output.push(c.toString()));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "Portico gateway listening" && entry.port) {
          clearTimeout(timer);
          resolve({ child, port: entry.port, output });
        }
      } catch {
        // Not a log line.
      }
    });
  });
}

describe.skipIf(process.env.PORTICO_TEST_DB !== "postgres")("two gateway processes on PostgreSQL and Redis", () => {
  let scene: Scene;
  let other: { child: ChildProcess; port: number; output: string[] };
  let limited: Awaited<ReturnType<Scene["makeApi"]>>;
  let limitedKey: string;
  let breakable: { apiKey: string; contractId: string };
  let api: Awaited<ReturnType<Scene["makeApi"]>>;

  beforeAll(async () => {
    scene = await openScene({ redisUrl: REDIS_URL });
    limited = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 6, period: "hour" }] });
    ({ apiKey: limitedKey } = await scene.makeClientWithContract(limited));
    api = await scene.makeApi();
    breakable = await scene.makeClientWithContract(api);
    const databaseUrl = (scene.open.pool!.options as { connectionString: string }).connectionString;
    other = await startGatewayProcess(databaseUrl);
  });

  afterAll(async () => {
    if (other?.child.exitCode === null) {
      const exited = new Promise((resolve) => other.child.once("exit", resolve));
      other.child.kill("SIGTERM");
      await exited;
    }
    await scene?.close();
  });

  const bases = () => [scene.base, `http://127.0.0.1:${other.port}`];

  it("share one rate limit: the plan's six requests per hour, across both", async () => {
    for (;;) {
      const window = windowStart("hour", Date.now());
      const statuses: number[] = [];
      // Alternating between the two processes: each sees only half of the traffic.
      for (let i = 0; i < 8; i++) statuses.push((await call(`${bases()[i % 2]}${limited.path}/x`, { headers: { "x-api-key": limitedKey } })).status);
      if (windowStart("hour", Date.now()) !== window) continue;
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      break;
    }
  });

  it("both see a broken contract within one second", async () => {
    for (const base of bases()) expect((await call(`${base}${api.path}/x`, { headers: { "x-api-key": breakable.apiKey } })).status).toBe(200);
    await breakContract(scene.db, scene.consumer, { contractId: breakable.contractId });
    await Promise.all(
      bases().map((base) =>
        eventually(async () => (await call(`${base}${api.path}/x`, { headers: { "x-api-key": breakable.apiKey } })).status === 403, 1_200, `the break at ${base}`),
      ),
    );
  });
});
