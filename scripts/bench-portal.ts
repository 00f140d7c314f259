/**
 * `npm run bench:portal`: the server time of My Clients for a user with 200 clients × 10
 * contracts, beside a trivial page, on a production build.
 *
 * Seeds a fresh embedded database through the domain rules, starts Portico on it (`scripts/start.ts`,
 * which builds when the build is stale), signs the user in with a session cookie, then requests both
 * pages in turn from one keep-alive connection and prints p50/p95 and their ratio.
 *
 * Settings: BENCH_SAMPLES (200), BENCH_WARMUP (30), PORTICO_BUILD_DIR (.next).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { Agent, request } from "undici";
import { migrateDatabase, openPglite } from "@/db/client";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { listClientOrganizations, listMyClients } from "@/lib/domain/clients";
import { createClient } from "@/lib/domain/clients";
import { createContract } from "@/lib/domain/contracts";
import { createKeyVault, installKeyVault, loadKeySecret } from "@/lib/domain/key-vault";
import { createOrganization } from "@/lib/domain/organizations";
import { loadActor } from "@/lib/domain/permissions";
import { createPlan, lockPlanVersion } from "@/lib/domain/plans";
import { createSession } from "@/lib/domain/sessions";
import { createUser } from "@/lib/domain/users";

const CLIENTS = 200;
const CONTRACTS_PER_CLIENT = 10;
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const WARMUP = Number(process.env.BENCH_WARMUP || 30);
const TARGET_P95_MS = 150;
const TARGET_RATIO = 3;

const root = path.resolve(import.meta.dirname, "..");
const authSecret = "portico-bench-secret-portico-bench-secret";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function seed(dataDir: string) {
  // Keys sealed under the secret Portico finds in this data directory when it starts on it.
  installKeyVault(createKeyVault(loadKeySecret({ dataDir })));
  const open = await openPglite(dataDir);
  try {
    await migrateDatabase(open);
    const db = open.db;
    const providerUser = await createUser(db, { email: "bench-provider@example.test", name: "Bench Provider", password: "bench-password-1" }, "manager");
    const org = await createOrganization(db, (await loadActor(db, providerUser.id))!, { slug: "bench", name: "Bench APIs" });
    const provider = (await loadActor(db, providerUser.id))!;
    const plan = await createPlan(db, provider, { orgId: org.id, slug: "standard", name: "Standard", policies: [{ type: "rate-limit", limit: 100, period: "second" }] });
    await lockPlanVersion(db, provider, plan.version.id);
    const apiVersionIds: string[] = [];
    for (let i = 0; i < CONTRACTS_PER_CLIENT; i++) {
      const { version } = await createApi(db, provider, { orgId: org.id, slug: `api-${i}`, name: `API ${i}`, endpoint: `http://127.0.0.1:9/api-${i}` });
      await offerPlan(db, provider, { apiVersionId: version.id, planVersionId: plan.version.id });
      await publishApiVersion(db, provider, version.id);
      apiVersionIds.push(version.id);
    }

    const user = await createUser(db, { email: "bench-developer@example.test", name: "Bench Developer", password: "bench-password-1" }, "portal");
    const developer = (await loadActor(db, user.id))!;
    const orgId = [...developer.roles.keys()][0];
    const started = Date.now();
    for (let c = 0; c < CLIENTS; c++) {
      const { version } = await createClient(db, developer, { orgId, name: `Client ${String(c + 1).padStart(3, "0")}` });
      for (const apiVersionId of apiVersionIds) await createContract(db, developer, { clientVersionId: version.id, apiVersionId, planVersionId: plan.version.id });
      if ((c + 1) % 50 === 0) console.log(`  ${c + 1} clients, ${(c + 1) * CONTRACTS_PER_CLIENT} contracts (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    // The domain's share of the page: the queries My Clients makes, timed in this process.
    const queryTimes: number[] = [];
    for (let i = 0; i < WARMUP + 50; i++) {
      const start = performance.now();
      await listMyClients(db, developer, { pageSize: 10 });
      await listClientOrganizations(db, developer);
      if (i >= WARMUP) queryTimes.push(performance.now() - start);
    }
    // A server-side session, as signing in makes one: the portal refuses a token without it.
    const { sessionId } = await createSession(db, user.id);
    return { userId: user.id, email: user.email, name: user.name, sessionId, queryTimes };
  } finally {
    await open.close();
  }
}

function startPortico(dataDir: string, port: number, gatewayPort: number) {
  const child = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/start.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      GATEWAY_PORT: String(gatewayPort),
      PORTICO_DATA_DIR: dataDir,
      DATABASE_URL: "",
      REDIS_URL: "",
      SEED_DEMO: "false",
      AUTH_SECRET: authSecret,
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => {
      if (output.includes("Portico is running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`Portico stopped (exit ${code}) before it was ready:\n${output.slice(-4000)}`)));
  });
  return { child, ready };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: sorted.at(-1)! };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-bench-"));
  let server: ReturnType<typeof startPortico> | undefined;
  try {
    console.log(`Seeding ${CLIENTS} clients × ${CONTRACTS_PER_CLIENT} contracts into a fresh database…`);
    const user = await seed(dataDir);
    const [port, gatewayPort] = [await freePort(), await freePort()];
    console.log(`Starting Portico on port ${port} (build dir ${process.env.PORTICO_BUILD_DIR || ".next"}; builds first if stale)…`);
    server = startPortico(dataDir, port, gatewayPort);
    await server.ready;

    const token = await encode({ token: { uid: user.userId, sid: user.sessionId, sub: user.userId, name: user.name, email: user.email }, secret: authSecret, salt: "authjs.session-token" });
    const dispatcher = new Agent({ connections: 1, pipelining: 1 });
    const base = `http://localhost:${port}`;
    const sizes = new Map<string, number>();
    const timed = async (pathname: string, expected: string) => {
      const start = performance.now();
      const response = await request(`${base}${pathname}`, { dispatcher, headers: { cookie: `authjs.session-token=${token}` } });
      const body = await response.body.text();
      const ms = performance.now() - start;
      if (response.statusCode !== 200 || !body.includes(expected)) throw new Error(`GET ${pathname} answered ${response.statusCode} without "${expected}"`);
      sizes.set(pathname, body.length);
      return ms;
    };

    // My Clients: its first page of clients, each with its ten contracts. The trivial page: the same
    // signed-in shell (session, actor, unread count) around an empty notification list.
    const pages = [
      { name: "My Clients (/my-clients)", path: "/my-clients", expected: "Client 010" },
      { name: "Trivial page (/notifications)", path: "/notifications", expected: "No notifications" },
    ];
    for (let i = 0; i < WARMUP; i++) for (const page of pages) await timed(page.path, page.expected);
    const samples = pages.map(() => [] as number[]);
    for (let i = 0; i < SAMPLES; i++) {
      for (const [index, page] of pages.entries()) samples[index].push(await timed(page.path, page.expected));
    }
    await dispatcher.close();

    const [mine, trivial] = samples.map(summary);
    const fmt = (n: number) => n.toFixed(1).padStart(7);
    console.log(`\nServer time over ${SAMPLES} requests each, after ${WARMUP} warm-up rounds (ms):`);
    console.log(`${"page".padEnd(32)}${"p50".padStart(7)}${"p95".padStart(7)}${"mean".padStart(7)}${"max".padStart(7)}   size`);
    for (const [index, page] of pages.entries()) {
      const s = [mine, trivial][index];
      console.log(`${page.name.padEnd(32)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.mean)}${fmt(s.max)}   ${((sizes.get(page.path) ?? 0) / 1024).toFixed(0)} KB`);
    }
    const queries = summary(user.queryTimes);
    console.log(`${"  of which My Clients queries".padEnd(32)}${fmt(queries.p50)}${fmt(queries.p95)}${fmt(queries.mean)}${fmt(queries.max)}   (in process, before the server started)`);
    const ratio95 = mine.p95 / trivial.p95;
    console.log(`\nRatio My Clients / trivial: p50 ${(mine.p50 / trivial.p50).toFixed(2)}×, p95 ${ratio95.toFixed(2)}×`);
    console.log(`Target: My Clients p95 ≤ ${TARGET_P95_MS} ms (${mine.p95 <= TARGET_P95_MS ? "met" : "missed"}) and ≤ ${TARGET_RATIO}× the trivial page (${ratio95 <= TARGET_RATIO ? "met" : "missed"}).`);
    console.log(`Machine: ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, Node ${process.version}, embedded PGlite.`);
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server!.child.once("exit", resolve));
      server.child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
