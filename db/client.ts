import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import type { Pool } from "pg";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { lockDataDir } from "./data-dir-lock";
import * as schema from "./schema";

export { DataDirLockedError } from "./data-dir-lock";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

export type DatabaseKind = "pglite" | "postgres";

export interface OpenDatabase {
  kind: DatabaseKind;
  db: Db;
  /** The node-postgres pool, when kind is postgres (LISTEN/NOTIFY needs raw connections). */
  pool?: Pool;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  /** PostgreSQL connection string; the embedded database is used when absent. */
  url?: string;
  /** Folder of the embedded database and of generated secrets. */
  dataDir: string;
}

export function databaseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  return {
    url: env.DATABASE_URL || undefined,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.PORTICO_DATA_DIR || ".data"),
  };
}

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Opens PGlite; in memory when dataDir is undefined. An in-memory database can start from a copy
 * of another one's data directory (`PGlite.dumpDataDir`), which skips creating an empty cluster.
 */
export async function openPglite(dataDir?: string, options: { from?: Blob } = {}): Promise<OpenDatabase> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle, PglitePreparedQuery } = await import("drizzle-orm/pglite");
    // Trigram indexes serve the lists' searches (words found anywhere in a name); the migrations create the extension.
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    redactQueryErrors(PglitePreparedQuery);
    const extensions = { pg_trgm };
    const client: PGlite = dataDir ? await PGlite.create(path.join(dataDir, "pglite"), { extensions }) : await PGlite.create({ loadDataDir: options.from, extensions });
    const db = drizzle(client, { schema }) as unknown as Db;
    return {
      kind: "pglite",
      db,
      async close() {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export async function openPostgres(url: string, max = 10): Promise<OpenDatabase> {
  const { default: pg } = await import("pg");
  const { drizzle, NodePgPreparedQuery } = await import("drizzle-orm/node-postgres");
  redactQueryErrors(NodePgPreparedQuery);
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle connection that the server drops must not take the process down; the pool replaces it.
  pool.on("error", (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
  const db = drizzle(pool, { schema }) as unknown as Db;
  return { kind: "postgres", db, pool, close: () => pool.end() };
}

export function openDatabase(settings: DatabaseSettings): Promise<OpenDatabase> {
  return settings.url ? openPostgres(settings.url) : openPglite(settings.dataDir);
}

/** Applies the committed drizzle-kit migrations; the same files serve both drivers. */
export async function migrateDatabase(open: OpenDatabase): Promise<void> {
  if (open.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(open.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    await migrate(open.db as never, { migrationsFolder });
  }
}

// One database per process, shared by the portal's bundled code and the server entry,
// which load this module separately: hence globalThis.
interface ProcessDatabase {
  open?: Promise<OpenDatabase>;
}
const processDatabase: ProcessDatabase = ((globalThis as Record<string, unknown>).__porticoDatabase ??=
  {}) as ProcessDatabase;

/** Makes `open` the database of this process (scripts and tests). */
export function installDatabase(open: OpenDatabase): void {
  processDatabase.open = Promise.resolve(open);
}

/** The database of this process, opened on first use from the environment. */
export function getOpenDatabase(): Promise<OpenDatabase> {
  if (!processDatabase.open) {
    processDatabase.open = openDatabase(databaseSettingsFromEnv());
    processDatabase.open.catch(() => {
      processDatabase.open = undefined;
    });
  }
  return processDatabase.open;
}

export async function getDb(): Promise<Db> {
  return (await getOpenDatabase()).db;
}

/** Closes the process database, if one was opened. */
export async function closeDatabase(): Promise<void> {
  const open = processDatabase.open;
  processDatabase.open = undefined;
  if (open) await (await open).close();
}

/**
 * A query that failed, told by its SQL and the driver's error alone. Drizzle's own error prints
 * every parameter into its message, and those are password hashes, API key hashes and secrets
 * that must never reach a log.
 */
export class DatabaseQueryError extends Error {
  readonly query: string;

  constructor(query: string, cause: unknown) {
    super(`Failed query: ${query}`, { cause: withoutValues(cause) });
    this.name = "DatabaseQueryError";
    this.query = query;
  }
}

// Values a driver error may carry: PGlite adds the parameters, PostgreSQL's detail can quote a row.
const VALUE_FIELDS = ["params", "queryOptions", "detail"] as const;

function withoutValues(cause: unknown): unknown {
  if (cause && typeof cause === "object") for (const field of VALUE_FIELDS) delete (cause as Record<string, unknown>)[field];
  return cause;
}

function isDrizzleQueryError(error: unknown): error is { query: string; params: unknown[]; cause?: unknown } {
  return error instanceof Error && typeof (error as { query?: unknown }).query === "string" && Array.isArray((error as { params?: unknown }).params);
}

/** The error to let through in place of a failed query's: same SQL and cause, no parameter values. */
export function redactQueryError(error: unknown): unknown {
  return isDrizzleQueryError(error) ? new DatabaseQueryError(error.query, error.cause) : error;
}

const REDACTING = Symbol.for("portico.redactQueryErrors");

/**
 * Makes every query of a drizzle driver fail with a DatabaseQueryError. Drizzle has no option for
 * its error text, so the one method every query (transactions included) runs through is wrapped.
 */
function redactQueryErrors(preparedQuery: { prototype: object }): void {
  const prototype = preparedQuery.prototype as { queryWithCache(...args: unknown[]): Promise<unknown>; [REDACTING]?: true };
  if (Object.hasOwn(prototype, REDACTING)) return;
  const run = prototype.queryWithCache;
  prototype.queryWithCache = async function (this: unknown, ...args: unknown[]) {
    try {
      return await run.apply(this, args);
    } catch (error) {
      throw redactQueryError(error);
    }
  };
  prototype[REDACTING] = true;
}

/** True for a PostgreSQL unique_violation, however the driver wraps it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e = error as { code?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return constraint === undefined || e.constraint === constraint;
  }
  return false;
}
