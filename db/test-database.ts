import { randomBytes } from "node:crypto";
import { migrateDatabase, openPglite, openPostgres, type OpenDatabase } from "./client";

/**
 * A fresh, migrated database for one test file: PGlite in memory, or, in the postgres test
 * project, a new PostgreSQL database made next to TEST_DATABASE_URL and dropped on close.
 */
export async function createTestDatabase(): Promise<OpenDatabase> {
  if (process.env.PORTICO_TEST_DB !== "postgres") {
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
