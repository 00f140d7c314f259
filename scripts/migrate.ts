/** Applies the committed migrations to the configured database (DATABASE_URL, or the embedded one). */
import { closeDatabase, getOpenDatabase, migrateDatabase } from "@/db/client";

const open = await getOpenDatabase();
await migrateDatabase(open);
console.log(`Migrations applied (${open.kind === "pglite" ? "embedded database" : "PostgreSQL"}).`);
await closeDatabase();
