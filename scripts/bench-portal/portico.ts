/**
 * A database for the benchmark and a Portico server on it: an embedded PGlite data directory, or a
 * PostgreSQL database of its own made next to BENCH_DATABASE_URL and dropped at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, openPglite, openPostgres, type OpenDatabase } from "@/db/client";
import { createKeyVault, installKeyVault, loadKeySecret } from "@/lib/domain/key-vault";

const root = path.resolve(import.meta.dirname, "..", "..");
export const AUTH_SECRET = "portico-bench-secret-portico-bench-secret";

export interface BenchDatabase {
  /** Where Portico keeps its secrets; with PGlite, the database too. */
  dataDir: string;
  /** Set for PostgreSQL: Portico starts with it as DATABASE_URL. */
  databaseUrl?: string;
  /** Opens the database for seeding, migrated, with the key vault Portico will find in dataDir. */
  open(): Promise<OpenDatabase>;
  /** Removes the data directory and drops the PostgreSQL database. */
  remove(): Promise<void>;
}

export async function makeDatabase(label: string, postgresUrl: string | undefined): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `portico-bench-${label}-`));
  const withVault = async (open: OpenDatabase) => {
    // Keys sealed under the secret Portico finds in this data directory when it starts on it.
    installKeyVault(createKeyVault(loadKeySecret({ dataDir })));
    await migrateDatabase(open);
    return open;
  };
  if (!postgresUrl) {
    return { dataDir, open: async () => withVault(await openPglite(dataDir)), remove: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `portico_bench_${process.pid}_${label}`;
  const admin = await openPostgres(postgresUrl, 1);
  await admin.pool!.query(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    open: async () => withVault(await openPostgres(url.toString(), 4)),
    async remove() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await admin.pool!.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPortico {
  port: number;
  stop(): Promise<void>;
}

/** Starts `scripts/start.ts` on the database (building first when the build is stale) and waits until it serves. */
export async function startPortico(database: BenchDatabase): Promise<RunningPortico> {
  const [port, gatewayPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/start.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      GATEWAY_PORT: String(gatewayPort),
      PORTICO_DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl ?? "",
      REDIS_URL: "",
      SEED_DEMO: "false",
      AUTH_SECRET,
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", () => {
      if (output.includes("Portico is running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`Portico stopped (exit ${code}) before it was ready:\n${output.slice(-4000)}`)));
  });
  return {
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
