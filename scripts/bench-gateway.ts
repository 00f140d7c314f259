/**
 * `npm run bench:gateway`: measures what the gateway costs over a bare proxy, and how fast its
 * registry loads. Every server runs in its own process so that none steals the others' event loop;
 * the load comes from this process.
 *
 *   (a) direct to a local upstream
 *   (b) a bare undici proxy: the gateway's own forwarding code, with no checks at all
 *   (b′) a minimal undici proxy written the textbook way (request + pipeline), for reference
 *   (c) the Portico gateway, private API: key, contract, a rate limit too high to trigger, usage, logs
 *   (c₂) the same with a plan of two policies: the rate limit and a daily quota
 *   (d) the Portico gateway, public API
 *   (n) nginx as a bare reverse proxy, where it is installed (one process, keep-alive upstream)
 *
 * Throughput: autocannon, targets interleaved over several rounds, medians reported, so that a
 * burst of other work on the machine does not land on one target only. Latency at half load: b and
 * c paced at half of b's throughput, interleaved the same way, each round from a load process of its
 * own; the CPU time each server spends per request at that rate is reported too, and b's and c's
 * event-loop delay during those rounds (monitorEventLoopDelay), which shows where the tail comes
 * from. Then:
 *
 *   - usage analytics on (usage counts and metrics) against off, throughput interleaved;
 *   - 1 and 2 gateway workers (GATEWAY_WORKERS), and the bare proxies, each pinned to one core with
 *     the load generator and upstream on the other (taskset);
 *   - the gateway's p99 at half load alone and while the portal renders My Clients in a loop, with
 *     1 worker (in the portal's process) and 2 (processes of their own); this needs the portal's
 *     production build (`npm start` makes it) and is skipped without it.
 *
 * Registry: 100k client versions and 200k contracts, on PGlite in memory, and on PostgreSQL too
 * when BENCH_DATABASE_URL is set. The output ends with one JSON line of the headline figures.
 *
 * BENCH_DURATION (seconds per run, 5), BENCH_ROUNDS (3) and BENCH_CONNECTIONS (50) tune it; the
 * defaults take about 8 minutes.
 *
 * With `--instructions` (`npm run bench:gateway:instructions`), it counts instead the instructions
 * that b and c execute per request, under valgrind (see `countInstructions`). BENCH_WARMUP_REQUESTS
 * (20,000) and BENCH_MEASURED_REQUESTS (20,000) tune that.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sql } from "drizzle-orm";
import { pino } from "pino";
import type { Policy } from "@/db/schema";
import { DEFAULT_GATEWAY_SETTINGS } from "@/lib/gateway/settings";

const SELF = fileURLToPath(import.meta.url);
const DURATION_S = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** Prints one JSON line on stdout for the parent process to read. */
function report(data: unknown): void {
  process.stdout.write(`BENCH ${JSON.stringify(data)}\n`);
}

// ---------------------------------------------------------------- child roles

async function runUpstream() {
  const body = JSON.stringify({ city: "Oslo", days: [{ date: "2025-01-01", summary: "Snow", highC: -1, lowC: -6 }] });
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  report({ port: (server.address() as AddressInfo).port });
}

async function runBareProxy(target: string) {
  const { DEFAULT_GATEWAY_SETTINGS } = await import("@/lib/gateway/settings");
  const { forward, Upstreams } = await import("@/lib/gateway/proxy");
  const upstreams = new Upstreams(DEFAULT_GATEWAY_SETTINGS);
  const pool = upstreams.pool(target);
  let n = 0;
  const server = createServer((req, res) => {
    forward({ req, res, pool, path: req.url ?? "/", requestId: String(++n), settings: DEFAULT_GATEWAY_SETTINGS });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await reportEventLoopDelayOnSignal();
  report({ port: (server.address() as AddressInfo).port });
}

/** The textbook undici proxy: request, copy the headers, pipe the body. No checks either. */
async function runMinimalProxy(target: string) {
  const { Pool } = await import("undici");
  const { pipeline } = await import("node:stream/promises");
  const pool = new Pool(target, { connections: 128 });
  const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "te", "trailer", "proxy-connection"]);
  const server = createServer(async (req, res) => {
    try {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
      const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
      const upstream = await pool.request({ path: req.url ?? "/", method: (req.method ?? "GET") as "GET", headers, body: hasBody ? req : null });
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers)) if (value !== undefined && !hopByHop.has(name)) out[name] = value;
      res.writeHead(upstream.statusCode, out);
      await pipeline(upstream.body, res);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  report({ port: (server.address() as AddressInfo).port });
}

/** Where nginx is installed, or undefined. */
function nginxBinary(): string | undefined {
  try {
    return execFileSync("which", ["nginx"]).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * nginx as a bare reverse proxy, for comparison: one process (no master, so its CPU is one pid's),
 * keep-alive connections to the upstream, no access log. Reports its port and pid; stops it on SIGTERM.
 */
async function runNginxProxy(target: string) {
  const binary = nginxBinary();
  if (!binary) throw new Error("nginx is not installed");
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "portico-bench-nginx-"));
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream backend { server ${new URL(target).host}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  const nginx = spawn(binary, ["-p", dir, "-c", conf], { stdio: "inherit" });
  const stop = () => {
    nginx.kill("SIGQUIT");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGTERM", () => {
    stop();
    process.exit(0);
  });
  process.once("exit", stop);
  for (let attempt = 0; ; attempt++) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/weather/forecast?city=Oslo`)).arrayBuffer();
      break;
    } catch (error) {
      if (attempt === 100 || nginx.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  report({ port, pid: nginx.pid });
}

/**
 * The bench's organization, client, and APIs in front of `target`: a private one with one rate
 * limit, one with a rate limit and a quota, a public one. Answers the key and the paths.
 */
async function seedBenchApis(db: import("@/db/client").Db, target: string, orgSlug = "acme") {
  const { createApi, offerPlan, publishApiVersion } = await import("@/lib/domain/apis");
  const { createClient } = await import("@/lib/domain/clients");
  const { createContract } = await import("@/lib/domain/contracts");
  const { createOrganization } = await import("@/lib/domain/organizations");
  const { loadActor } = await import("@/lib/domain/permissions");
  const { createPlan, lockPlanVersion } = await import("@/lib/domain/plans");
  const { createUser } = await import("@/lib/domain/users");
  const user = await createUser(db, { email: `bench@${orgSlug}.example.com`, name: "Bench", password: "bench bench bench" }, "manager");
  const org = await createOrganization(db, (await loadActor(db, user.id))!, { slug: orgSlug, name: "Bench" });
  const actor = (await loadActor(db, user.id))!;
  const { version: client } = await createClient(db, actor, { orgId: org.id, name: "Bench client" });
  /** A published private API offering one plan with these policies, and the bench client's contract for it. */
  const contracted = async (slug: string, policies: Policy[]) => {
    const { version: plan } = await createPlan(db, actor, { orgId: org.id, slug: `${slug}-plan`, name: `Plan of ${slug}`, policies });
    await lockPlanVersion(db, actor, plan.id);
    const { version: api } = await createApi(db, actor, { orgId: org.id, slug, name: slug, endpoint: `${target}/${slug}` });
    await offerPlan(db, actor, { apiVersionId: api.id, planVersionId: plan.id });
    await publishApiVersion(db, actor, api.id);
    await createContract(db, actor, { clientVersionId: client.id, apiVersionId: api.id, planVersionId: plan.id });
  };
  const rateLimit: Policy = { type: "rate-limit", limit: 1_000_000, period: "second" };
  await contracted("weather", [rateLimit]);
  await contracted("metered", [rateLimit, { type: "quota", limit: 1_000_000_000, period: "day" }]);
  const { version: publicApi } = await createApi(db, actor, { orgId: org.id, slug: "echo", name: "Echo", endpoint: `${target}/echo`, isPublic: true });
  await publishApiVersion(db, actor, publicApi.id);
  return {
    key: client.apiKey,
    privatePath: `/${orgSlug}/weather/1.0/forecast?city=Oslo`,
    meteredPath: `/${orgSlug}/metered/1.0/forecast?city=Oslo`,
    publicPath: `/${orgSlug}/echo/1.0/forecast?city=Oslo`,
  };
}

/**
 * Reports this process's event-loop delay (monitorEventLoopDelay, 1 ms resolution) since the last
 * report, each time the bench sends SIGUSR2: where a server's tail latency comes from.
 */
async function reportEventLoopDelayOnSignal() {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  process.on("SIGUSR2", () => {
    const ms = (ns: number) => ns / 1e6;
    report({ eventLoop: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) } });
    histogram.reset();
  });
}

/**
 * The gateway in front of `target`. `--workers=N` (N > 1): a cluster of N worker processes, as
 * `npm start` runs it; `--analytics=off`: no usage recorded and no metrics counted (on: both).
 */
async function runGateway(target: string) {
  const { openPglite, migrateDatabase } = await import("@/db/client");
  const { createKeyVault, installKeyVault } = await import("@/lib/domain/key-vault");
  const { createGatewayLogger, startGateway } = await import("@/lib/gateway/server");
  const { startGatewayCluster } = await import("@/lib/gateway/cluster");
  const { UsageRecorder } = await import("@/lib/gateway/usage");

  const open = await openPglite();
  await migrateDatabase(open);
  // A database in memory: its keys need a secret for this run only, never written anywhere.
  installKeyVault(createKeyVault(randomBytes(32)));
  const paths = await seedBenchApis(open.db, target);

  // Logs are written (their cost counts) but to /dev/null, as a real deployment ships them elsewhere.
  const logger = createGatewayLogger("/dev/null");
  const usageFlushMs = arg("usage-flush-ms");
  const workers = Number(arg("workers") ?? 1);
  const analytics = arg("analytics");
  const settings = { ...(usageFlushMs ? { usageFlushIntervalMs: Number(usageFlushMs) } : {}), ...(analytics === "on" ? { metricsPort: 0 } : {}) };
  /** Records nothing: the gateway without usage analytics. */
  class NoUsage extends UsageRecorder {
    override record(): void {}
    override keyUsed(): void {}
  }
  const usage = analytics === "off" ? new NoUsage(open.db, logger, 60_000) : undefined;
  const gateway =
    workers > 1
      ? await startGatewayCluster({ workers, port: 0, host: "127.0.0.1", open, logger, workerLogFile: "/dev/null", settings })
      : await startGateway({ port: 0, host: "127.0.0.1", open, logger, settings, usage });
  await reportEventLoopDelayOnSignal();
  report({ port: gateway.port, ...paths });
}

/**
 * The portal and the gateway in one process, as `npm start` runs them (from the portal's
 * production build), on a database in memory with the demo data and the bench's APIs in front of
 * `target`. `--workers=N`: the gateway's worker processes (1: in this process, beside the portal).
 */
async function runPortal(target: string) {
  const { installDatabase, migrateDatabase, openPglite } = await import("@/db/client");
  const { createKeyVault, installKeyVault } = await import("@/lib/domain/key-vault");
  const { seedDemo } = await import("@/lib/demo/seed");
  const { CLIENT_ADDRESS_HEADER } = await import("@/lib/auth/throttle");
  const { createGatewayLogger, startGateway } = await import("@/lib/gateway/server");
  const { startGatewayCluster } = await import("@/lib/gateway/cluster");
  const { default: next } = await import("next");

  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  process.env.AUTH_TRUST_HOST = "true";
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const open = await openPglite();
  await migrateDatabase(open);
  installDatabase(open);
  installKeyVault(createKeyVault(randomBytes(32)));
  await seedDemo(open.db, `${target}/demo`);
  // The demo data holds an organization "acme" already.
  const paths = await seedBenchApis(open.db, target, "loadtest");

  const root = path.resolve(path.dirname(SELF), "..");
  const portal = next({ dev: false, dir: root, hostname: "127.0.0.1" });
  await portal.prepare();
  const handle = portal.getRequestHandler();
  const portalServer = createServer((req, res) => {
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
    void handle(req, res);
  });
  await new Promise<void>((resolve) => portalServer.listen(0, "127.0.0.1", resolve));
  const logger = createGatewayLogger("/dev/null");
  const workers = Number(arg("workers") ?? 1);
  const gateway =
    workers > 1
      ? await startGatewayCluster({ workers, port: 0, host: "127.0.0.1", open, logger, workerLogFile: "/dev/null" })
      : await startGateway({ port: 0, host: "127.0.0.1", open, logger });
  report({ portalPort: (portalServer.address() as AddressInfo).port, port: gateway.port, ...paths });
}

async function runRegistry(database: "pglite" | "postgres") {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const { migrateDatabase, openPglite } = await import("@/db/client");
  const { createTestDatabase } = await import("@/db/test-database");
  const { Registry } = await import("@/lib/gateway/registry");

  let open;
  if (database === "postgres") {
    process.env.PORTICO_TEST_DB = "postgres";
    process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
    open = await createTestDatabase();
  } else {
    open = await openPglite();
    await migrateDatabase(open);
  }
  const db = open.db;
  const fillStarted = Date.now();
  await db.execute(sql`insert into organizations (slug, name) values ('bench', 'Bench')`);
  await db.execute(sql`insert into apis (org_id, slug, name) select o.id, 'api-' || i, 'API ' || i from organizations o, generate_series(1, 100) i`);
  await db.execute(sql`insert into api_versions (api_id, version, status, endpoint, published_at) select id, '1.0', 'Published', 'http://127.0.0.1:9/x', now() from apis`);
  await db.execute(sql`insert into plans (org_id, slug, name) select id, 'plan', 'Plan' from organizations`);
  await db.execute(sql`insert into plan_versions (plan_id, version, status, policies) select id, '1.0', 'Locked', '[{"type":"rate-limit","limit":100,"period":"second"},{"type":"quota","limit":100000,"period":"day"}]'::jsonb from plans`);
  await db.execute(sql`insert into clients (org_id, slug, name) select o.id, 'client-' || i, 'Client ' || i from organizations o, generate_series(1, 100000) i`);
  // The registry reads only the keys' digests: the sealed copies, which SQL cannot make, stay empty here.
  await db.execute(sql`
    insert into client_versions (client_id, version, api_key_digest)
    select id, '1.0', encode(sha256(convert_to('ptk_' || md5(id::text) || substr(md5(random()::text), 1, 8), 'UTF8')), 'hex') from clients`);
  // Two contracts per client version, with two different API versions.
  await db.execute(sql`
    insert into contracts (client_version_id, api_version_id, plan_version_id, status)
    select cv.id, av.id, (select id from plan_versions limit 1), 'Active'
    from (select id, (row_number() over (order by id)) % 100 as k from client_versions) cv
    join (select id, (row_number() over (order by id)) - 1 as k from api_versions) av on av.k = cv.k or av.k = (cv.k + 1) % 100`);
  const fillMs = Date.now() - fillStarted;

  const silent = pino({ level: "silent" });
  gc();
  const before = process.memoryUsage();
  const registry = new Registry(db, silent);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await registry.load();
  const loadMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  gc();
  const after = process.memoryUsage();
  report({
    database,
    fillMs,
    loadMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    stats: registry.stats(),
    heapMb: (after.heapUsed - before.heapUsed) / 2 ** 20,
    rssMb: (after.rss - before.rss) / 2 ** 20,
  });
  await open.close();
}

// ---------------------------------------------------------------- the run

interface Child {
  process: ChildProcess;
  data: Record<string, unknown>;
  /** Resolves with the child's next BENCH line. */
  next(): Promise<Record<string, unknown>>;
}

/**
 * Node's flags in `npm start` (package.json), such as the size of V8's young generation: every
 * server here runs with them, the gateway as it runs in Portico and the proxies beside it alike.
 */
const START_FLAGS = (() => {
  const packageJson = JSON.parse(readFileSync(path.join(path.dirname(SELF), "..", "package.json"), "utf8")) as { scripts: { start: string } };
  const words = packageJson.scripts.start.split(" ");
  return words.slice(1, words.findIndex((word) => word.endsWith(".ts"))).filter((word) => word.startsWith("--"));
})();
const SERVER_ROLES = new Set(["upstream", "bare-proxy", "minimal-proxy", "gateway", "portal"]);

/** Starts this script in another role, under `wrapper` (a command and its arguments) if given, and waits for its BENCH line. */
function startChild(role: string, extra: string[] = [], wrapper: string[] = []): Promise<Child> {
  const flags = SERVER_ROLES.has(role) ? START_FLAGS : [];
  const command = [...wrapper, process.execPath, ...flags, "--import", "tsx", SELF, `--role=${role}`, ...extra];
  const child = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  const lines: Record<string, unknown>[] = [];
  const waiting: ((data: Record<string, unknown>) => void)[] = [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split("\n");
    buffered = complete.pop()!;
    for (const line of complete) {
      if (!line.startsWith("BENCH ")) continue;
      const data = JSON.parse(line.slice(6)) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter) waiter(data);
      else lines.push(data);
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve)));
  return new Promise((resolve, reject) => {
    next().then((data) => resolve({ process: child, data, next }), reject);
    child.once("exit", (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/** A server child's event-loop delay since its last report (reportEventLoopDelayOnSignal), in ms. */
async function eventLoopDelay(child: Child): Promise<{ p50: number; p99: number; max: number }> {
  const answer = child.next();
  child.process.kill("SIGUSR2");
  return (await answer).eventLoop as { p50: number; p99: number; max: number };
}

/** How (b) and (c) are called: the same backend path, through the bare proxy or with a key through the gateway. */
function proxyTarget(id: "b" | "c", server: Child): { name: string; url: string; headers: Record<string, string> } {
  const base = `http://127.0.0.1:${server.data.port}`;
  if (id === "b") return { name: "(b) bare undici proxy", url: `${base}/weather/forecast?city=Oslo`, headers: {} };
  return { name: "(c) Portico, key + contract + rate limit", url: base + (server.data.privatePath as string), headers: { "x-api-key": server.data.key as string } };
}

/** How the bare nginx proxy is called: the same backend path as (b); its pid is nginx's own. */
function nginxTarget(server: Child): { name: string; url: string; headers: Record<string, string>; pid: number | undefined } {
  return { name: "(n) bare nginx", url: `http://127.0.0.1:${server.data.port}/weather/forecast?city=Oslo`, headers: {}, pid: server.data.pid as number };
}

type Autocannon = (options: Record<string, unknown>) => NodeJS.EventEmitter & PromiseLike<AutocannonResult>;
interface AutocannonResult {
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
}
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface Measure {
  /** CPU time of the server under test per request, in µs. */
  cpuUs?: number;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

/** Collects latencies in full: autocannon's own histogram rounds them to whole milliseconds. */
class Latencies {
  private values = new Float64Array(1 << 18);
  private count = 0;
  add(ms: number) {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }
  percentile(p: number): number {
    const sorted = this.values.subarray(0, this.count).sort();
    return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }
}

/** As many requests as the target takes, from CONNECTIONS keep-alive connections (autocannon). */
async function saturate(url: string, headers: Record<string, string>, duration: number): Promise<Measure> {
  const latencies = new Latencies();
  const instance = autocannon({ url, connections: CONNECTIONS, duration, headers });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.add(ms));
  const result = await instance;
  return {
    rps: result["2xx"] / duration,
    p50: latencies.percentile(50),
    p99: latencies.percentile(99),
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * A steady `rate` of requests, spread evenly over time (open loop). autocannon's own rate option
 * sends each second's quota in a burst at the start of the second, which measures queueing, not
 * the latency of a half-loaded proxy. Runs in a process of its own (see `pacedRound`).
 */
async function paced(target: { url: string; headers: Record<string, string> }, rate: number, duration: number): Promise<Measure> {
  const { Pool } = await import("undici");
  const url = new URL(target.url);
  const path = url.pathname + url.search;
  const pool = new Pool(url.origin, { connections: CONNECTIONS });
  const latencies = new Latencies();
  const total = Math.round(rate * duration);
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const settle = (success: boolean) => {
      if (success) ok++;
      else failed++;
      if (ok + failed === total) resolve();
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) {
        const t0 = performance.now();
        pool.request({ path, method: "GET", headers: target.headers }).then(
          async (res) => {
            await res.body.dump();
            // The first half second opens the connections: not what is being measured.
            if (t0 - started > 500) latencies.add(performance.now() - t0);
            settle(res.statusCode === 200);
          },
          () => settle(false),
        );
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { rps: total / elapsed, p50: latencies.percentile(50), p99: latencies.percentile(99), ok, failed };
}

/**
 * One round of paced load from a fresh process: the pauses of a load generator whose heap has
 * filled up over the earlier runs would land on whichever target happens to be measured.
 */
async function pacedRound(target: { url: string; headers: Record<string, string> }, rate: number, duration: number): Promise<Measure> {
  const child = await startChild("paced", [`--target=${JSON.stringify(target)}`, `--rate=${rate}`, `--duration=${duration}`]);
  return child.data as unknown as Measure;
}

/** CPU time (user + system) a child process has used so far, in ms, from /proc (Linux only). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of the line, counted in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function line(name: string, m: Measure, digits = 2) {
  return `${name.padEnd(44)} ${fmt(m.rps, 0).padStart(7)} req/s   p50 ${fmt(m.p50, digits)} ms   p99 ${fmt(m.p99, digits)} ms   (${m.ok} ok, ${m.failed} failed)`;
}

async function main() {
  const cpus = os.cpus();
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(`Load average before: ${load()}`);
  console.log(`Throughput: autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per target, targets interleaved; medians shown.\n`);

  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild("upstream");
    children.push(upstream.process);
    const target = `http://127.0.0.1:${upstream.data.port}`;
    const bare = await startChild("bare-proxy", [`--target=${target}`]);
    children.push(bare.process);
    const minimal = await startChild("minimal-proxy", [`--target=${target}`]);
    children.push(minimal.process);
    const gateway = await startChild("gateway", [`--target=${target}`]);
    children.push(gateway.process);
    const { key, meteredPath, publicPath } = gateway.data as { key: string; meteredPath: string; publicPath: string };
    const gatewayBase = `http://127.0.0.1:${gateway.data.port}`;
    const nginx = nginxBinary() ? await startChild("nginx-proxy", [`--target=${target}`]) : undefined;
    if (nginx) children.push(nginx.process);

    const runs: Record<string, { name: string; url: string; headers: Record<string, string>; pid: number | undefined }> = {
      a: { name: "(a) direct to upstream", url: `${target}/weather/forecast?city=Oslo`, headers: {}, pid: upstream.process.pid },
      b: { ...proxyTarget("b", bare), pid: bare.process.pid },
      m: { name: "(b′) minimal undici proxy", url: `http://127.0.0.1:${minimal.data.port}/weather/forecast?city=Oslo`, headers: {}, pid: minimal.process.pid },
      c: { ...proxyTarget("c", gateway), pid: gateway.process.pid },
      q: { name: "(c₂) Portico, rate limit + daily quota", url: gatewayBase + meteredPath, headers: { "x-api-key": key }, pid: gateway.process.pid },
      d: { name: "(d) Portico, public API", url: gatewayBase + publicPath, headers: {}, pid: gateway.process.pid },
    };
    if (nginx) runs.n = nginxTarget(nginx);
    type Id = string;
    // Warm-up: JIT, connection pools, the upstream's keep-alive connections.
    for (const run of Object.values(runs)) await saturate(run.url, run.headers, 2);

    const rounds: Record<Id, Measure[]> = Object.fromEntries(Object.keys(runs).map((id) => [id, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of Object.keys(runs) as Id[]) {
        // A second to get the process going again after the others had the CPU.
        await saturate(runs[id].url, runs[id].headers, 1);
        const cpuBefore = cpuMsOf(runs[id].pid);
        const m = await saturate(runs[id].url, runs[id].headers, DURATION_S);
        m.cpuUs = ((cpuMsOf(runs[id].pid) - cpuBefore) * 1000) / m.ok;
        rounds[id].push(m);
      }
    }
    const full = {} as Record<Id, Measure>;
    for (const id of Object.keys(runs) as Id[]) {
      const ms = rounds[id];
      full[id] = { rps: median(ms.map((m) => m.rps)), p50: median(ms.map((m) => m.p50)), p99: median(ms.map((m) => m.p99)), ok: ms.reduce((n, m) => n + m.ok, 0), failed: ms.reduce((n, m) => n + m.failed, 0) };
      console.log(`${line(runs[id].name, full[id])}   CPU ${fmt(median(ms.map((m) => m.cpuUs!)), 1)} µs/request   rounds: ${ms.map((m) => fmt(m.rps, 0)).join(" / ")}`);
    }
    const ratio = (x: Id, base: Id = "b") => median(rounds[x].map((m, i) => m.rps / rounds[base][i].rps));
    console.log(`\nThroughput c/b = ${fmt(ratio("c"), 3)} (target ≥ 0.90)   c₂/b = ${fmt(ratio("q"), 3)}   d/b = ${fmt(ratio("d"), 3)}   (median of the per-round ratios)`);
    console.log(`Against the minimal proxy: c/b′ = ${fmt(ratio("c", "m"), 3)}   d/b′ = ${fmt(ratio("d", "m"), 3)}`);
    if (nginx) console.log(`Against nginx: b/nginx = ${fmt(ratio("b", "n"), 3)}   c/nginx = ${fmt(ratio("c", "n"), 3)}`);
    else console.log("nginx: not installed on this machine (`which nginx` finds none); the bare undici proxy stands in for it.");

    const halfRate = Math.round(full.b.rps / 2);
    const halfIds = nginx ? (["b", "c", "n"] as const) : (["b", "c"] as const);
    console.log(`\nHalf load: ${halfRate} req/s (half of b's throughput), spread evenly; ${ROUNDS} rounds of ${DURATION_S} s, ${halfIds.join(", ")} interleaved`);
    const half: Record<(typeof halfIds)[number], Measure[]> = { b: [], c: [], n: [] };
    const loopDelay: Record<"b" | "c", { p99: number; max: number }[]> = { b: [], c: [] };
    const servers = { b: bare, c: gateway };
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of halfIds) {
        const cpuBefore = cpuMsOf(runs[id].pid);
        if (id !== "n") await eventLoopDelay(servers[id]);
        const m = await pacedRound(runs[id], halfRate, DURATION_S);
        if (id !== "n") loopDelay[id].push(await eventLoopDelay(servers[id]));
        // The round's unmeasured first second sends its requests too.
        m.cpuUs = ((cpuMsOf(runs[id].pid) - cpuBefore) * 1000) / (Math.round(halfRate) + Math.round(halfRate * DURATION_S));
        half[id].push(m);
      }
    }
    for (const id of halfIds) {
      const ms = half[id];
      const m = { rps: median(ms.map((x) => x.rps)), p50: median(ms.map((x) => x.p50)), p99: median(ms.map((x) => x.p99)), ok: ms.reduce((n, x) => n + x.ok, 0), failed: ms.reduce((n, x) => n + x.failed, 0) };
      console.log(`${line(runs[id].name, m, 3)}   CPU ${fmt(median(ms.map((x) => x.cpuUs!)), 1)} µs/request   p99 rounds: ${ms.map((x) => fmt(x.p99, 3)).join(" / ")}`);
    }
    const cpuRatio = median(half.c.map((m, i) => m.cpuUs! / half.b[i].cpuUs!));
    console.log(`CPU per request at half load: c/b = ${fmt(cpuRatio, 3)} (median of the per-round ratios; at full load the CPU figures above)`);
    const p99Delta = median(half.c.map((m, i) => m.p99 - half.b[i].p99));
    const p50Delta = median(half.c.map((m, i) => m.p50 - half.b[i].p50));
    console.log(`p99 c − b = ${fmt(p99Delta, 3)} ms (target ≤ 2 ms)   p50 c − b = ${fmt(p50Delta, 3)} ms   (median of the per-round differences)`);
    if (nginx) {
      const overNginx = median(half.c.map((m, i) => m.p99 - half.n[i].p99));
      console.log(`p99 c − nginx = ${fmt(overNginx, 3)} ms   p99 b − nginx = ${fmt(median(half.b.map((m, i) => m.p99 - half.n[i].p99)), 3)} ms`);
      summary.added_p99_over_nginx_ms = Number(fmt(overNginx, 3));
    }
    for (const id of ["b", "c"] as const) {
      console.log(
        `Event-loop delay of ${runs[id].name.slice(0, 3)} during the rounds: p99 ${loopDelay[id].map((d) => fmt(d.p99, 2)).join(" / ")} ms, max ${loopDelay[id].map((d) => fmt(d.max, 1)).join(" / ")} ms`,
      );
    }
    summary.throughput_ratio = Number(fmt(ratio("c"), 3));
    summary.added_p99_ms = Number(fmt(p99Delta, 3));

    summary.analytics_on_vs_off = await section("Usage analytics", () => analyticsOnVsOff(target, children));
    summary.workers_2_vs_1 = await section("Workers", () => workerThroughput(target, upstream, children));
    summary.portal_load_added_p99_ms = await section("Portal load", () => portalLoad(target, halfRate, children));
  } finally {
    for (const child of children) child.kill();
  }

  console.log("\nRegistry: 100,000 client versions, 200,000 active contracts, 100 API versions");
  const databases: ("pglite" | "postgres")[] = ["pglite", ...(process.env.BENCH_DATABASE_URL ? (["postgres"] as const) : [])];
  for (const database of databases) {
    const registry = await startChild("registry", [`--database=${database}`]);
    const r = registry.data as { fillMs: number; loadMs: number; cpuMs: number; heapMb: number; rssMb: number; stats: { clientVersions: number; contracts: number; keys: number } };
    console.log(
      `${database.padEnd(8)} load ${fmt(r.loadMs / 1000)} s, ${fmt(r.cpuMs / 1000)} s of CPU in this process (target ≤ 5 s)   extra JS heap ${fmt(r.heapMb, 1)} MB (target ≤ 200 MB)   RSS +${fmt(r.rssMb, 1)} MB   ` +
        `[${r.stats.clientVersions} client versions, ${r.stats.keys} keys, ${r.stats.contracts} contracts indexed; data written in ${fmt(r.fillMs / 1000, 1)} s]`,
    );
    await new Promise((resolve) => (registry.process.exitCode === null ? registry.process.once("exit", resolve) : resolve(null)));
  }
  console.log(`\nLoad average after: ${load()}`);
  console.log(JSON.stringify({ bench: "gateway", ...summary }));
}

/** The figures of the JSON line that ends the output; null where a part could not be measured. */
const summary: Record<"throughput_ratio" | "added_p99_ms" | "added_p99_over_nginx_ms" | "portal_load_added_p99_ms" | "workers_2_vs_1" | "analytics_on_vs_off", number | null> = {
  throughput_ratio: null,
  added_p99_ms: null,
  added_p99_over_nginx_ms: null,
  portal_load_added_p99_ms: null,
  workers_2_vs_1: null,
  analytics_on_vs_off: null,
};

/** Runs one part of the bench; a part that fails is reported, and the others still run. */
async function section(name: string, run: () => Promise<number | null>): Promise<number | null> {
  try {
    return await run();
  } catch (error) {
    console.log(`\n${name}: failed, ${(error as Error).message}`);
    return null;
  }
}

/** Stops a child and waits for it to go. */
async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  child.process.kill("SIGTERM");
  await exited;
}

/** Throughput of the gateway with usage analytics (usage counts and metrics) on and off, rounds interleaved (issue 21: on ≥ 0.97 × off). */
async function analyticsOnVsOff(target: string, children: ChildProcess[]): Promise<number> {
  const on = await startChild("gateway", [`--target=${target}`, "--analytics=on"]);
  children.push(on.process);
  const off = await startChild("gateway", [`--target=${target}`, "--analytics=off"]);
  children.push(off.process);
  const url = (child: Child) => `http://127.0.0.1:${child.data.port}${child.data.privatePath as string}`;
  const headers = (child: Child) => ({ "x-api-key": child.data.key as string });
  for (const child of [on, off]) await saturate(url(child), headers(child), 2);
  const ratios: number[] = [];
  const rps: Record<"on" | "off", number[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, child] of [["on", on], ["off", off]] as const) {
      await saturate(url(child), headers(child), 1);
      rps[name].push((await saturate(url(child), headers(child), DURATION_S)).rps);
    }
    ratios.push(rps.on[round] / rps.off[round]);
  }
  const ratio = median(ratios);
  console.log(
    `\nUsage analytics (usage counts + metrics) on: ${fmt(median(rps.on), 0)} req/s, off: ${fmt(median(rps.off), 0)} req/s   on/off = ${fmt(ratio, 3)} (target ≥ 0.97; rounds: ${ratios.map((r) => fmt(r, 3)).join(" / ")})`,
  );
  await Promise.all([stopChild(on), stopChild(off)]);
  return Number(fmt(ratio, 3));
}

/**
 * Throughput with 1 and 2 gateway workers, the gateway pinned to one core and the load generator
 * and upstream to the other (taskset), so that the figures do not depend on who wins the CPU; the
 * bare proxy pinned the same way for comparison. Answers workers 2 / 1, or null where it cannot pin.
 */
async function workerThroughput(target: string, upstream: Child, children: ChildProcess[]): Promise<number | null> {
  if (os.cpus().length < 2) {
    console.log("\nWorkers: skipped, this machine has one core");
    return null;
  }
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
  } catch {
    console.log("\nWorkers: skipped, taskset is not installed");
    return null;
  }
  const pin = (pid: number | undefined, cpu: number) => execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
  // This process (the load generator) and the upstream on core 0; the servers under test on core 1.
  pin(process.pid, 0);
  pin(upstream.process.pid, 0);
  try {
    const onCore1 = ["taskset", "-c", "1"];
    const bare = await startChild("bare-proxy", [`--target=${target}`], onCore1);
    children.push(bare.process);
    const one = await startChild("gateway", [`--target=${target}`, "--workers=1"], onCore1);
    children.push(one.process);
    const two = await startChild("gateway", [`--target=${target}`, "--workers=2"], onCore1);
    children.push(two.process);
    const nginx = nginxBinary() ? await startChild("nginx-proxy", [`--target=${target}`], onCore1) : undefined;
    if (nginx) children.push(nginx.process);
    const runs: Record<string, { name: string; url: string; headers: Record<string, string> }> = {
      b: { name: "(b) bare undici proxy", url: `http://127.0.0.1:${bare.data.port}/weather/forecast?city=Oslo`, headers: {} },
      w1: { name: "(c) Portico, 1 worker (in process)", url: `http://127.0.0.1:${one.data.port}${one.data.privatePath as string}`, headers: { "x-api-key": one.data.key as string } },
      w2: { name: "(c) Portico, 2 workers", url: `http://127.0.0.1:${two.data.port}${two.data.privatePath as string}`, headers: { "x-api-key": two.data.key as string } },
    };
    if (nginx) runs.n = nginxTarget(nginx);
    type Id = string;
    // A longer warm-up: each worker compiles its own code, on the one core they share.
    for (const run of Object.values(runs)) await saturate(run.url, run.headers, 4);
    const rps: Record<Id, number[]> = Object.fromEntries(Object.keys(runs).map((id) => [id, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of Object.keys(runs) as Id[]) {
        await saturate(runs[id].url, runs[id].headers, 1);
        rps[id].push((await saturate(runs[id].url, runs[id].headers, DURATION_S)).rps);
      }
    }
    console.log(`\nPinned: load generator and upstream on core 0, the server under test on core 1 (taskset); ${ROUNDS} rounds of ${DURATION_S} s, interleaved`);
    for (const id of Object.keys(runs) as Id[]) console.log(`${runs[id].name.padEnd(44)} ${fmt(median(rps[id]), 0).padStart(7)} req/s   rounds: ${rps[id].map((r) => fmt(r, 0)).join(" / ")}`);
    const ratio = median(rps.w2.map((r, i) => r / rps.w1[i]));
    const perCore = median(rps.w1.map((r, i) => r / rps.b[i]));
    const overNginx = nginx ? `   1 worker / nginx = ${fmt(median(rps.w1.map((r, i) => r / rps.n[i])), 3)}` : "";
    console.log(`2 workers / 1 worker = ${fmt(ratio, 3)}   1 worker / bare proxy = ${fmt(perCore, 3)}${overNginx}   (medians of the per-round ratios)`);
    await Promise.all([stopChild(bare), stopChild(one), stopChild(two), ...(nginx ? [stopChild(nginx)] : [])]);
    return Number(fmt(ratio, 3));
  } finally {
    const all = `0-${os.cpus().length - 1}`;
    execFileSync("taskset", ["-a", "-p", "-c", all, String(process.pid)], { stdio: "ignore" });
    execFileSync("taskset", ["-a", "-p", "-c", all, String(upstream.process.pid)], { stdio: "ignore" });
  }
}

/** Signs in with the portal's email and password form (Auth.js); answers the session's Cookie header. */
async function signIn(portal: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const csrf = await fetch(`${portal}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email, password, callbackUrl: `${portal}/my-clients` });
  const answer = await fetch(`${portal}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: form,
    redirect: "manual",
  });
  keep(answer);
  if (![...jar.keys()].some((name) => name.includes("session-token"))) throw new Error(`Signing in as ${email} failed (status ${answer.status})`);
  return cookie();
}

/**
 * The gateway's p99 at half load with and without the portal rendering My Clients in a loop, for
 * 1 worker (the gateway in the portal's process) and 2 (worker processes of their own). Answers
 * what the portal's load adds with 2 workers; null without a portal build.
 */
async function portalLoad(target: string, halfRate: number, children: ChildProcess[]): Promise<number | null> {
  const buildDir = path.join(path.dirname(SELF), "..", process.env.PORTICO_BUILD_DIR || ".next");
  if (!existsSync(path.join(buildDir, "BUILD_ID"))) {
    console.log("\nPortal load: skipped, no portal build (start Portico once with `npm start` to build it)");
    return null;
  }
  console.log(`\nPortal load: the gateway at ${halfRate} req/s, alone and while 4 loops render My Clients; ${ROUNDS} rounds of ${DURATION_S} s each`);
  const added: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const server = await startChild("portal", [`--target=${target}`, `--workers=${workers}`]);
    children.push(server.process);
    const portal = `http://127.0.0.1:${server.data.portalPort}`;
    const cookie = await signIn(portal, "developer@example.com", "portico-developer");
    const gatewayTarget = { url: `http://127.0.0.1:${server.data.port}${server.data.privatePath as string}`, headers: { "x-api-key": server.data.key as string } };
    let rendering = false;
    let renders = 0;
    let renderFailures = 0;
    const renderLoop = async () => {
      while (rendering) {
        const response = await fetch(`${portal}/my-clients`, { headers: { cookie } }).catch(() => undefined);
        await response?.text();
        if (response?.status === 200) renders++;
        else renderFailures++;
      }
    };
    // Warm-up: the portal's first renders and the gateway's JIT.
    rendering = true;
    const warm = Array.from({ length: 4 }, renderLoop);
    await pacedRound(gatewayTarget, halfRate, 2);
    rendering = false;
    await Promise.all(warm);
    const alone: Measure[] = [];
    const loaded: Measure[] = [];
    renders = 0;
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await pacedRound(gatewayTarget, halfRate, DURATION_S));
      rendering = true;
      const loops = Array.from({ length: 4 }, renderLoop);
      loaded.push(await pacedRound(gatewayTarget, halfRate, DURATION_S));
      rendering = false;
      await Promise.all(loops);
    }
    added[workers] = median(loaded.map((m, i) => m.p99 - alone[i].p99));
    const name = workers === 1 ? "1 worker (in the portal's process)" : "2 workers (processes of their own)";
    console.log(
      `${name.padEnd(36)} p99 alone ${alone.map((m) => fmt(m.p99, 2)).join(" / ")} ms, with the portal ${loaded.map((m) => fmt(m.p99, 2)).join(" / ")} ms` +
        `   added ${fmt(added[workers], 2)} ms   (${renders} pages rendered, ${renderFailures} failed; ${loaded.reduce((n, m) => n + m.failed, 0)} gateway requests failed)`,
    );
    await stopChild(server);
  }
  console.log(`Portal load adds ${fmt(added[2], 2)} ms to the gateway's p99 with worker processes (target ≤ 2 ms), ${fmt(added[1], 2)} ms without`);
  return Number(fmt(added[2], 2));
}

/** How much slower a server runs under valgrind's callgrind, roughly (b and c alike, on this machine). */
const VALGRIND_SLOWDOWN = 50;

/**
 * The instructions a function executed itself (not in what it called), from a callgrind dump.
 * Function names are written once, as `fn=(id) name` or `cfn=(id) name`, then as `fn=(id)`;
 * after a `calls=` line comes the call's inclusive cost, which is not the caller's own.
 */
function selfCost(dump: string, functionName: string): number {
  let id: string | undefined;
  let inside = false;
  let afterCall = false;
  let cost = 0;
  for (const line of dump.split("\n")) {
    if (line.startsWith("fn=") || line.startsWith("cfn=")) {
      const named = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
      if (named?.[2]?.startsWith(functionName)) id = named[1];
      if (line.startsWith("fn=")) inside = named !== null && named[1] === id;
    } else if (line.startsWith("calls=")) afterCall = true;
    else if (/^[+\-*\d]/.test(line)) {
      if (inside && !afterCall) cost += Number(line.split(" ")[1] ?? 0);
      afterCall = false;
    }
  }
  return cost;
}

/**
 * Instructions per request of (b) and (c), counted by valgrind's callgrind in each server's main
 * thread, after a warm-up that lets the JIT settle. Time on a shared machine swings by more than
 * the few per cent a change to the gateway's own work is worth; these counts do not depend on
 * what else the machine runs. What still varies between runs is where the gateway's full garbage
 * collections fall, hence the long measured stretch. The counts leave out the kernel (sockets)
 * and the other threads (JIT compiler, concurrent marking). Under valgrind a server runs some 50
 * times slower: the defaults take about 7 minutes. Work the gateway does on a timer rather than
 * per request would come 50 times as often per request as at full speed, so its one costly timer,
 * the usage write to the database, is stretched as much. On a busy machine V8 sometimes falls into
 * a state, not seen at full speed, where it builds object literals in its runtime (tens of
 * thousands of instructions more per request); a count in that state is flagged.
 */
async function countInstructions() {
  const warmup = Number(process.env.BENCH_WARMUP_REQUESTS || 20_000);
  const measured = Number(process.env.BENCH_MEASURED_REQUESTS || 20_000);
  const connections = 20;
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("Counting instructions needs valgrind (Debian: apt-get install valgrind).");
  }
  console.log(`Instructions per request (callgrind, main thread): ${measured} requests after ${warmup} of warm-up, ${connections} connections`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "portico-callgrind-"));
  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild("upstream");
    children.push(upstream.process);
    const target = `http://127.0.0.1:${upstream.data.port}`;
    const counts: Record<string, number> = {};
    for (const id of ["b", "c"] as const) {
      const out = path.join(dir, id);
      const valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes", "--smc-check=all-non-file", `--callgrind-out-file=${out}`, `--log-file=${out}.log`];
      const server = await startChild(id === "b" ? "bare-proxy" : "gateway", [`--target=${target}`, ...(id === "c" ? [`--usage-flush-ms=${VALGRIND_SLOWDOWN * DEFAULT_GATEWAY_SETTINGS.usageFlushIntervalMs}`] : [])], valgrind);
      children.push(server.process);
      const { name, url, headers } = proxyTarget(id, server);
      const control = (option: string) => execFileSync("callgrind_control", [option, String(server.process.pid)], { stdio: "ignore" });
      const send = async (amount: number) => {
        const result = await autocannon({ url, headers, connections, amount, timeout: 60 });
        if (result["2xx"] !== amount) throw new Error(`${id}: ${result["2xx"]} of ${amount} requests answered 2xx`);
      };
      control("--instr=on");
      await send(warmup);
      control("--zero");
      await send(measured);
      control("--dump");
      // Dump 1 of thread 1: the event loop's thread.
      const dump = readFileSync(`${out}.1-01`, "utf8");
      const totals = /^totals: (\d+)$/m.exec(dump);
      if (!totals) throw new Error(`No totals in ${out}.1-01`);
      counts[id] = Number(totals[1]) / measured;
      console.log(`${name.padEnd(44)} ${Math.round(counts[id]).toLocaleString("en")} instructions/request`);
      const literalDefines = selfCost(dump, "v8::internal::Runtime_DefineKeyedOwnPropertyInLiteral") / measured;
      if (literalDefines > 500) {
        console.log(
          `  Not comparable: V8 built object literals in its runtime during this count (${Math.round(literalDefines).toLocaleString("en")} instructions/request ` +
            "in that function alone, about eight times as many with what it calls). This slow state was seen only under valgrind on a busy machine; count again on a quiet one.",
        );
      }
      server.process.kill("SIGKILL");
    }
    console.log(`c/b = ${fmt(counts.c / counts.b, 3)}`);
  } finally {
    for (const child of children) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = arg("role");
if (role === "upstream") await runUpstream();
else if (role === "bare-proxy") await runBareProxy(arg("target")!);
else if (role === "minimal-proxy") await runMinimalProxy(arg("target")!);
else if (role === "nginx-proxy") await runNginxProxy(arg("target")!);
else if (role === "gateway") await runGateway(arg("target")!);
else if (role === "portal") await runPortal(arg("target")!);
else if (role === "registry") await runRegistry(arg("database") as "pglite" | "postgres");
else if (role === "paced") {
  const [target, rate] = [JSON.parse(arg("target")!), Number(arg("rate"))];
  // A second unmeasured first: this process's own code has to be compiled before it times anything.
  await paced(target, rate, 1);
  report(await paced(target, rate, Number(arg("duration"))));
}
else if (process.argv.includes("--instructions")) await countInstructions();
else await main();
