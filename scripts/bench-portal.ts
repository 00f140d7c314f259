/**
 * `npm run bench:portal`: the server time of the portal's big lists and usage pages beside a
 * trivial page, at 1k and at 200k contracts, on a production build.
 *
 * Seeds two fresh databases (scripts/bench-portal/seed.ts): a small one (500 client versions,
 * 1k contracts with one API version) and a large one (100k client versions, 200k contracts with
 * that API version, one user owning the 100k clients), the large one also with 10,000 contracts
 * on a second API and 30 days of its traffic (scripts/bench-portal/usage.ts). Starts Portico on
 * each (scripts/start.ts, which builds when the build is stale), signs a provider and a consumer
 * in with session cookies, then requests every page from both servers in turn, round after round,
 * one keep-alive connection per server, and prints p50/p95 (request to last byte), each page's
 * p95 as a ratio to the trivial page of the same server, and how each list grows from the small
 * database to the large one. Every answer must be a 200 showing the rows the page promises.
 *
 * Settings: BENCH_SAMPLES (50), BENCH_WARMUP (5), BENCH_SCALE (1; 0.05 for a quick check),
 * BENCH_USAGE_SHARE (0.1: the share of the usage API's contracts that call it),
 * BENCH_PAGES (all; a comma-separated list of page key prefixes, e.g. "api_contracts,usage_contract":
 * only those, beside the trivial page), BENCH_DATABASE_URL (PostgreSQL: the benchmark makes and
 * drops its own databases next to it; PGlite without it), PORTICO_BUILD_DIR (.next).
 */
import os from "node:os";
import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { Agent, request } from "undici";
import { CONTRACT_SORT_KEYS } from "@/lib/domain/contracts/queries";
import { USAGE_PRESETS } from "@/lib/domain/usage";
import { AUTH_SECRET, type BenchDatabase, makeDatabase, type RunningPortico, startPortico } from "./bench-portal/portico";
import { BULK_CLIENT_NAME, SEARCH_WORD, type SeededPortal, seedPortal, type SignedInUser } from "./bench-portal/seed";
import { AHEAD_MINUTES, seedUsage, type UsageSeed } from "./bench-portal/usage";

const SAMPLES = positive("BENCH_SAMPLES", 50);
const WARMUP = positive("BENCH_WARMUP", 5, { zero: true });
const SCALE = positive("BENCH_SCALE", 1);
const USAGE_SHARE = positive("BENCH_USAGE_SHARE", 0.1);
const POSTGRES_URL = process.env.BENCH_DATABASE_URL?.trim() || undefined;
const PAGE_PREFIXES = (process.env.BENCH_PAGES ?? "").split(",").map((p) => p.trim()).filter(Boolean);
/** Usage is seeded only when a usage page is measured: it is most of the seeding time. */
const USAGE_MEASURED = PAGE_PREFIXES.length === 0 || PAGE_PREFIXES.some((prefix) => prefix.startsWith("usage") || "usage_".startsWith(prefix));

const LARGE_CLIENTS = Math.max(20, Math.round(100_000 * SCALE));
const SMALL_CLIENTS = Math.min(500, Math.floor(LARGE_CLIENTS / 2));
const USAGE_CONTRACTS = Math.min(LARGE_CLIENTS, Math.max(10, Math.round(10_000 * SCALE)));
const TARGET_RATIO = 3;
const TARGET_GROWTH = 1.5;
const PAGE_SIZE = 20;

function positive(name: string, fallback: number, options: { zero?: boolean } = {}): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !options.zero)) throw new Error(`${name} must be a number above 0, not "${text}"`);
  return value;
}

// ---------------------------------------------------------------- the pages

/** What a page must show for its answer to count: undefined when it does, or why not. */
type Proof = (body: string) => string | undefined;

interface Page {
  key: string;
  label: string;
  user: "provider" | "consumer";
  path: string;
  /** Other addresses of the same page, tried in turn when `path` does not show what `proof` asks. */
  fallbacks?: string[];
  proof: Proof;
}

const shows =
  (...texts: string[]): Proof =>
  (body) =>
    texts.filter((t) => !body.includes(t)).map((t) => `"${t}" is missing`)[0];

/** At least `min` different bulk clients named on the page (rows rendered), each containing `word` when given. */
const rows =
  (min: number, word?: string): Proof =>
  (body) => {
    const names = new Set(body.match(BULK_CLIENT_NAME) ?? []);
    if (names.size < min) return `${names.size} rows of clients, fewer than ${min}`;
    const stray = word ? [...names].find((n) => !n.toLowerCase().includes(word)) : undefined;
    return stray ? `"${stray}" does not match the filter "${word}"` : undefined;
  };

const all =
  (...proofs: Proof[]): Proof =>
  (body) =>
    proofs.map((p) => p(body)).find(Boolean);

/** The list pages, measured on both databases. Their paths and proofs come from each database's seed. */
function listPages(seed: SeededPortal): Page[] {
  const contractsTab = (params: Record<string, string>) => `/manage/bench/apis/orders/1.0?${new URLSearchParams({ tab: "contracts", ...params })}`;
  const firstRowBySort: Partial<Record<(typeof CONTRACT_SORT_KEYS)[number], string>> = {
    client: seed.expect.firstByClient,
    clientVersion: seed.expect.firstByClient,
    created: seed.expect.oldest,
  };
  const lastPage = Math.ceil(seed.apiContracts / PAGE_SIZE);
  return [
    { key: "api_contracts", label: "API version Contracts tab", path: contractsTab({}), proof: all(shows(seed.expect.newest), rows(8)) },
    {
      key: "api_contracts_search",
      label: `  filtered: "${SEARCH_WORD}"`,
      path: contractsTab({ "contracts-q": SEARCH_WORD }),
      proof: all(shows(seed.expect.newestMatchingSearch), rows(8, SEARCH_WORD)),
    },
    {
      key: "api_contracts_status",
      label: "  status Suspended",
      path: contractsTab({ "contracts-status": "Suspended" }),
      proof: all(shows(seed.expect.newestSuspended), rows(8)),
    },
    ...CONTRACT_SORT_KEYS.map((sort) => {
      const first = firstRowBySort[sort];
      return {
        key: `api_contracts_sort_${sort}`,
        label: `  sorted by ${sort}`,
        path: contractsTab({ "contracts-sort": `${sort}.asc` }),
        proof: first ? all(shows(first), rows(8)) : rows(8),
      };
    }),
    {
      key: "api_contracts_last_page",
      label: "  last page",
      // Where the pager's Last page button leads: -1 (counted from the end) where lists offer it, else the page's number.
      path: contractsTab({ "contracts-page": "-1" }),
      fallbacks: [contractsTab({ "contracts-page": String(lastPage) })],
      proof: all(shows(seed.expect.oldest), rows(1)),
    },
    { key: "client_contracts", label: "Client version Contracts tab", path: `/manage/bench-apps/clients/${seed.clientSlug}/1.0?tab=contracts`, proof: shows("Orders API") },
    { key: "my_clients", label: `My Clients (${seed.clients.toLocaleString("en")} clients)`, path: "/my-clients", proof: all(shows(seed.expect.firstOfMyClients), rows(5)) },
    { key: "approvals", label: "Approvals", path: "/manage/approvals", proof: all(shows(seed.expect.oldestApproval), rows(8)) },
  ].map((page) => ({ ...page, user: page.key === "approvals" || page.key.startsWith("api_") ? "provider" : "consumer" }));
}

/** The usage pages, on the large database only: the provider's Usage tab and the consumer's contract usage, at every range they offer. */
function usagePages(seed: SeededPortal): Page[] {
  const proof = all(shows(" requests in this range: "));
  return [
    ...USAGE_PRESETS.map((range): Page => ({ key: `usage_api_${range}`, label: `API version Usage tab, ${range}`, user: "provider", path: `/manage/bench/apis/metered/1.0/usage?range=${range}`, proof })),
    ...USAGE_PRESETS.map((range): Page => ({ key: `usage_contract_${range}`, label: `Contract usage, ${range}`, user: "consumer", path: `/usage/contracts/${seed.busiestUsageContractId}?range=${range}`, proof })),
  ];
}

const TRIVIAL: Page = { key: "trivial", label: "Trivial page (/notifications)", user: "consumer", path: "/notifications", proof: shows("Notifications") };

// ---------------------------------------------------------------- seeding and serving

interface Server {
  name: string;
  database: BenchDatabase;
  seed: SeededPortal;
  usage?: UsageSeed;
  pages: Page[];
  portico?: RunningPortico;
  samples: Map<string, number[]>;
  sizes: Map<string, number>;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

async function seedServer(name: string, clients: number, withUsage: boolean): Promise<Server> {
  const started = Date.now();
  const database = await makeDatabase(name, POSTGRES_URL);
  try {
    const open = await database.open();
    try {
      const seed = await seedPortal(open.db, { clients, usageContracts: withUsage ? USAGE_CONTRACTS : 0 });
      console.log(`  ${name}: ${seed.clients.toLocaleString("en")} clients, ${seed.apiContracts.toLocaleString("en")} contracts with Orders 1.0 (${seconds(started)})`);
      let usage: UsageSeed | undefined;
      if (withUsage) {
        usage = await seedUsage(open.db, { apiVersionId: seed.ids.metered, busiestContractId: seed.busiestUsageContractId, share: USAGE_SHARE }, (done, of) =>
          console.log(`  ${name}: usage of ${done.toLocaleString("en")} / ${of.toLocaleString("en")} calling contracts (${seconds(started)})`),
        );
      }
      // Statistics as a running database has them (autovacuum's analyze; PGlite has no autovacuum).
      await open.db.execute(sql.raw("vacuum analyze"));
      const chosen = (page: Page) => PAGE_PREFIXES.length === 0 || PAGE_PREFIXES.some((prefix) => page.key.startsWith(prefix));
      const pages = [...listPages(seed), ...(withUsage ? usagePages(seed) : [])].filter(chosen);
      return { name, database, seed, usage, pages: [...pages, TRIVIAL], samples: new Map(), sizes: new Map() };
    } finally {
      await open.close();
    }
  } catch (error) {
    await database.remove();
    throw error;
  }
}

function sessionCookie(user: SignedInUser): Promise<string> {
  return encode({ token: { uid: user.userId, sid: user.sessionId, sub: user.userId, name: user.name, email: user.email }, secret: AUTH_SECRET, salt: "authjs.session-token" }).then(
    (token) => `authjs.session-token=${token}`,
  );
}

/** A function that requests a page of a server and answers the time to its last byte, after checking what it shows. */
async function client(server: Server) {
  const base = `http://localhost:${server.portico!.port}`;
  const dispatcher = new Agent({ connections: 1, pipelining: 1 });
  const cookies = { provider: await sessionCookie(server.seed.provider), consumer: await sessionCookie(server.seed.consumer) };
  const time = async (page: Page): Promise<number> => {
    const start = performance.now();
    const response = await request(`${base}${page.path}`, { dispatcher, headers: { cookie: cookies[page.user] } });
    const body = await response.body.text();
    const ms = performance.now() - start;
    const refusal = response.statusCode === 200 ? page.proof(body) : `status ${response.statusCode}`;
    if (refusal) throw new Error(`${server.name}: GET ${page.path} did not render its rows: ${refusal}`);
    server.sizes.set(page.key, body.length);
    return ms;
  };
  /** Settles a page with fallbacks on the first of its addresses that shows what it must. */
  const settle = async (page: Page): Promise<void> => {
    for (const path of page.fallbacks ?? []) {
      const refusal = await time(page).then(
        () => undefined,
        (error: Error) => error.message,
      );
      if (!refusal) break;
      console.log(`  ${server.name}: ${page.path} did not show the page (${refusal.split(": ").at(-1)}); trying ${path}`);
      page.path = path;
    }
    await time(page);
  };
  return { time, settle, close: () => dispatcher.close() };
}

// ---------------------------------------------------------------- figures

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

const ms = (n: number) => n.toFixed(1).padStart(8);
const times = (n: number) => `${n.toFixed(2)}×`.padStart(8);
const round2 = (n: number) => Math.round(n * 100) / 100;
const sizeLabel = (contracts: number) => (contracts >= 1000 ? `${Math.round(contracts / 1000)}k` : String(contracts));

function report(small: Server, large: Server) {
  const stats = (server: Server, key: string) => summary(server.samples.get(key)!);
  const trivialSmall = stats(small, TRIVIAL.key);
  const trivialLarge = stats(large, TRIVIAL.key);
  const [nameSmall, nameLarge] = [sizeLabel(small.seed.apiContracts), sizeLabel(large.seed.apiContracts)];
  const p95Ratio: Record<string, number> = {};
  const growth: Record<string, number> = {};
  const misses: string[] = [];

  console.log(`\nServer time in ms, ${SAMPLES} requests per page and server after ${WARMUP} warm-up rounds; ×trivial at p95 on the ${nameLarge} server; growth = p95 ${nameLarge} / p95 ${nameSmall}`);
  console.log(`${"page".padEnd(36)}${`${nameSmall} p50`.padStart(8)}${`${nameSmall} p95`.padStart(9)}${`${nameLarge} p50`.padStart(10)}${`${nameLarge} p95`.padStart(10)}${"×trivial".padStart(9)}${"growth".padStart(8)}   size`);
  for (const page of large.pages.filter((p) => small.pages.some((s) => s.key === p.key))) {
    const [s, l] = [stats(small, page.key), stats(large, page.key)];
    const ratio = l.p95 / trivialLarge.p95;
    const grew = l.p95 / s.p95;
    const size = `${((large.sizes.get(page.key) ?? 0) / 1024).toFixed(0)} KB`;
    console.log(`${page.label.slice(0, 35).padEnd(36)}${ms(s.p50)}${ms(s.p95).padStart(9)}${ms(l.p50).padStart(10)}${ms(l.p95).padStart(10)}${page === TRIVIAL ? "".padStart(9) : times(ratio).padStart(9)}${times(grew)}   ${size}`);
    if (page === TRIVIAL) continue;
    p95Ratio[page.key] = round2(ratio);
    growth[page.key] = round2(grew);
    if (ratio > TARGET_RATIO) misses.push(`${page.key} ${ratio.toFixed(2)}× trivial`);
    if (grew > TARGET_GROWTH) misses.push(`${page.key} grows ${grew.toFixed(2)}×`);
  }

  const usage = large.usage;
  if (usage && large.pages.some((p) => p.key.startsWith("usage_"))) {
    console.log(
      `\nUsage pages on the ${nameLarge} server: ${usage.contracts.toLocaleString("en")} contracts with Metered API 1.0, of which ${usage.callers.toLocaleString("en")} (${(USAGE_SHARE * 100).toFixed(0)} %) call it: ` +
        `30 days as the gateway and the retention job leave them, ${usage.minuteRows.toLocaleString("en")} minute rows (48 h, and ${AHEAD_MINUTES / 60} h ahead for the run; one minute in four per contract, every minute for the busiest), ` +
        `${usage.hourlyRows.toLocaleString("en")} hourly and ${usage.dailyRows.toLocaleString("en")} daily rows per contract, ${usage.apiVersionRows.toLocaleString("en")} rows per API version at the three grains. The contract page shows the busiest contract.`,
    );
    console.log(`${"page".padEnd(36)}${"p50".padStart(10)}${"p95".padStart(10)}${"×trivial".padStart(9)}   size`);
    for (const page of large.pages.filter((p) => p.key.startsWith("usage_"))) {
      const l = stats(large, page.key);
      const ratio = l.p95 / trivialLarge.p95;
      console.log(`${page.label.padEnd(36)}${ms(l.p50).padStart(10)}${ms(l.p95).padStart(10)}${times(ratio).padStart(9)}   ${((large.sizes.get(page.key) ?? 0) / 1024).toFixed(0)} KB`);
      p95Ratio[page.key] = round2(ratio);
      if (ratio > TARGET_RATIO) misses.push(`${page.key} ${ratio.toFixed(2)}× trivial`);
    }
  }

  console.log(`\nTrivial page p95: ${trivialSmall.p95.toFixed(1)} ms (${nameSmall}), ${trivialLarge.p95.toFixed(1)} ms (${nameLarge}).`);
  console.log(`Targets: every page ≤ ${TARGET_RATIO}× the trivial page at p95, every list flat within ${TARGET_GROWTH}× from ${nameSmall} to ${nameLarge}.`);
  console.log(misses.length === 0 ? "All met." : `Missed (${misses.length}): ${misses.join("; ")}.`);
  console.log(`Machine: ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, Node ${process.version}, ${POSTGRES_URL ? "PostgreSQL" : "embedded PGlite"}${SCALE === 1 ? "" : `, BENCH_SCALE ${SCALE}`}.`);
  console.log(JSON.stringify({ bench: "portal", database: POSTGRES_URL ? "postgres" : "pglite", scale: SCALE, p95_ratio: p95Ratio, growth }));
}

// ---------------------------------------------------------------- the run

async function main() {
  const started = Date.now();
  const servers: Server[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const server of servers) await server.portico?.stop();
      for (const server of servers) await server.database.remove();
    })());
  // Interrupted: the servers stop and the databases go all the same.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers and removing the databases…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    console.log(`Seeding two ${POSTGRES_URL ? "PostgreSQL" : "PGlite"} databases…`);
    servers.push(await seedServer("small", SMALL_CLIENTS, false));
    servers.push(await seedServer("large", LARGE_CLIENTS, USAGE_MEASURED));
    // One after the other: the first start builds when the build is stale.
    for (const server of servers) {
      console.log(`Starting Portico on the ${server.name} database (build dir ${process.env.PORTICO_BUILD_DIR || ".next"}; builds first if stale)…`);
      server.portico = await startPortico(server.database);
    }

    const clients = await Promise.all(servers.map(client));
    // Every page once, each address settled: a page that does not render its rows stops the run here.
    for (const [index, server] of servers.entries()) {
      for (const page of server.pages) await clients[index].settle(page);
      for (const page of server.pages.filter((p) => p.fallbacks)) console.log(`  ${server.name}: ${page.key} at ${page.path}`);
    }
    const rounds = WARMUP + SAMPLES;
    const roundsStarted = Date.now();
    for (let round = 0; round < rounds; round++) {
      // Page by page, each server in turn: what the machine does meanwhile falls on both alike.
      for (const page of servers.at(-1)!.pages) {
        for (const [index, server] of servers.entries()) {
          const own = server.pages.find((p) => p.key === page.key);
          if (!own) continue;
          const elapsed = await clients[index].time(own);
          if (round < WARMUP) continue;
          const samples = server.samples.get(own.key) ?? [];
          samples.push(elapsed);
          server.samples.set(own.key, samples);
        }
      }
      console.log(`  round ${round + 1} / ${rounds}${round < WARMUP ? " (warm-up)" : ""}: ${seconds(roundsStarted)}`);
    }
    await Promise.all(clients.map((c) => c.close()));
    report(servers[0], servers[1]);
    console.log(`Run time: ${seconds(started)}.`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
