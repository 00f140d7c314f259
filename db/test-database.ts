import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { migrateDatabase, openPglite, openPostgres, type OpenDatabase } from "./client";

/**
 * A fresh, migrated database for one test file: PGlite in memory, or, in the postgres test
 * project, a new PostgreSQL database made next to TEST_DATABASE_URL and dropped on close.
 * `pgliteTemplate` names a file written by `writePgliteTemplate`: the PGlite database starts
 * from that copy, already migrated, in about a quarter of the time an empty one takes.
 */
export async function createTestDatabase(options: { pgliteTemplate?: string } = {}): Promise<OpenDatabase> {
  if (process.env.PORTICO_TEST_DB !== "postgres") {
    if (options.pgliteTemplate) return openPglite(undefined, { from: new Blob([await readFile(options.pgliteTemplate)]) });
    const open = await openPglite();
    await migrateDatabase(open);
    return open;
  }
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) throw new Error("The postgres test project needs TEST_DATABASE_URL");
  const name = `portico_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = await openPostgres(baseUrl, 1);
  await admin.pool!.query(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const open = await openPostgres(url.toString(), 25);
  // Dropping the database at the end ends its idle connections; that is expected here.
  open.pool!.removeAllListeners("error").on("error", () => {});
  await migrateDatabase(open);
  return {
    ...open,
    async close() {
      await open.close();
      await admin.pool!.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** Writes a migrated, empty PGlite data directory to `file`, for `createTestDatabase` to start from. */
export async function writePgliteTemplate(file: string): Promise<void> {
  const open = await openPglite();
  try {
    await migrateDatabase(open);
    const dump = await (open.db as unknown as { $client: PGlite }).$client.dumpDataDir("none");
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await open.close();
  }
}
