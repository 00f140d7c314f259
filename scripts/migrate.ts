/**
 * Applies the committed migrations to the configured database (DATABASE_URL, or the embedded one),
 * then seals the API keys an older version stored in plain text.
 */
import { closeDatabase, getOpenDatabase, migrateDatabase } from "@/db/client";
import { keyVault, sealLegacyApiKeys } from "@/lib/domain/key-vault";

// Read first: a malformed PORTICO_KEY_SECRET stops here, before the database changes.
keyVault();
const open = await getOpenDatabase();
await migrateDatabase(open);
const sealed = await sealLegacyApiKeys(open.db);
console.log(`Migrations applied (${open.kind === "pglite" ? "embedded database" : "PostgreSQL"})${sealed > 0 ? `; API keys sealed: ${sealed}` : ""}.`);
await closeDatabase();
