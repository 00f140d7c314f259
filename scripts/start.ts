/**
 * Portico in one process: the portal (Next.js) and the gateway listener on one database.
 * Builds the portal when the build is missing or stale, migrates, seeds an empty embedded
 * database with the demo data, then serves. `--dev` serves the portal in development mode.
 */
import { createHash, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { closeDatabase, getDb, getOpenDatabase, migrateDatabase } from "@/db/client";
import { CLIENT_ADDRESS_HEADER } from "@/lib/auth/throttle";
import { readConfig } from "@/lib/config";
import { DEMO_ACCOUNTS, isEmptyDatabase, seedDemo } from "@/lib/demo/seed";
import { createKeyVault, installKeyVault, loadKeySecret, sealLegacyApiKeys } from "@/lib/domain/key-vault";
import { startGatewayCluster } from "@/lib/gateway/cluster";
import { gatewaySettingsFromEnv, startGateway } from "@/lib/gateway/server";
import { registerEmailSender } from "@/lib/outbox/email";
import { registerWebhookSender } from "@/lib/outbox/webhook";
import { startJobs } from "@/lib/jobs";
import { startOutboxWorker } from "@/lib/outbox/worker";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const config = readConfig();
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

/** A hash of everything the portal build is made from. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.test\.tsx?$/.test(entry.name)) hash.update(full).update(fs.readFileSync(full));
    }
  };
  for (const dir of ["app", "components", "lib", "db"]) walk(path.join(root, dir));
  for (const file of ["next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "proxy.ts"]) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest("hex");
}

function buildIfStale(): void {
  const buildDir = path.join(root, process.env.PORTICO_BUILD_DIR || ".next");
  const stampFile = path.join(buildDir, "portico-build-stamp");
  const current = sourceHash();
  const built = fs.existsSync(path.join(buildDir, "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === current;
  if (built) return;
  console.log("Building the portal (first start or sources changed)…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error("The portal build failed; see above.");
  fs.writeFileSync(stampFile, current);
}

/** next-auth needs a secret: keep a generated one in the data directory when none is given. */
function ensureAuthSecret(): void {
  process.env.AUTH_TRUST_HOST ??= "true";
  if (process.env.AUTH_SECRET) return;
  const file = path.join(config.dataDir, "auth-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  process.env.AUTH_SECRET = fs.readFileSync(file, "utf8").trim();
}

/** API keys are sealed under a secret kept out of the database: PORTICO_KEY_SECRET, or one generated in the data directory. */
function ensureKeySecret(): void {
  installKeyVault(createKeyVault(loadKeySecret({ dataDir: config.dataDir })));
}

/** The outbox worker: webhook deliveries, and email when SMTP_URL and MAIL_FROM are set. Stopping waits for the run in progress. */
function startOutbox(): () => Promise<void> {
  registerWebhookSender();
  const closeMail = config.mail ? registerEmailSender(config.mail) : undefined;
  // The host only: SMTP_URL may hold a password.
  console.log(config.mail ? `Email is sent through ${new URL(config.mail.smtpUrl).host}.` : "Email is off (set SMTP_URL and MAIL_FROM to send it).");
  const stopWorker = startOutboxWorker(getDb);
  return async () => {
    await stopWorker();
    closeMail?.();
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
}

async function main() {
  ensureAuthSecret();
  ensureKeySecret();
  // Opened first: a second process on the same data directory stops here, before building.
  const open = await getOpenDatabase();
  if (!dev) buildIfStale();
  await migrateDatabase(open);
  const sealedKeys = await sealLegacyApiKeys(open.db);
  if (sealedKeys > 0) console.log(`API keys stored in plain text, now sealed: ${sealedKeys}`);
  let seeded = false;
  if (config.seedDemo && open.kind === "pglite" && (await isEmptyDatabase(open.db))) {
    await seedDemo(open.db, `${config.portalUrl}/demo-backend`);
    seeded = true;
  }

  const portal = next({ dev, dir: root, port: config.port, hostname: "localhost" });
  await portal.prepare();
  const handle = portal.getRequestHandler();
  const portalServer = http.createServer((req, res) => {
    // The sign-in throttle's address: the socket's, overwriting any copy a client sent.
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
    void handle(req, res);
  });
  // Gateway workers of their own (GATEWAY_WORKERS): rendering the portal here never holds up an API request.
  // Serving before the portal answers: whoever sees the portal up can call the gateway too.
  const gatewayOptions = { port: config.gatewayPort, open, redisUrl: config.redisUrl, settings: gatewaySettingsFromEnv() };
  const gateway = config.gatewayWorkers > 1 ? await startGatewayCluster({ ...gatewayOptions, workers: config.gatewayWorkers }) : await startGateway(gatewayOptions);
  await listen(portalServer, config.port);
  const stopOutbox = startOutbox();
  const stopJobs = startJobs();

  console.log(`Portico is running.
  Portal:   ${config.portalUrl}
  Gateway:  ${config.gatewayUrl} (${config.gatewayWorkers > 1 ? `${config.gatewayWorkers} worker processes` : "in this process"})
  Database: ${open.kind === "pglite" ? `embedded, in ${config.dataDir}` : "PostgreSQL (DATABASE_URL)"}${seeded ? "\n  Demo data loaded." : ""}`);
  if (config.seedDemo && open.kind === "pglite") {
    console.log("  Demo accounts:");
    for (const a of DEMO_ACCOUNTS) console.log(`    ${a.email.padEnd(24)} ${a.password.padEnd(20)} ${a.profile}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Portico…`);
    portalServer.closeAllConnections();
    await Promise.allSettled([new Promise((r) => portalServer.close(r)), gateway.close(), stopOutbox(), stopJobs()]);
    await closeDatabase();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await closeDatabase().catch(() => {});
  process.exit(1);
});
