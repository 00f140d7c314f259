/** Adds the demo data of SPEC §8 to the configured database, unless it is already there. */
import { closeDatabase, getOpenDatabase, migrateDatabase } from "@/db/client";
import { readConfig } from "@/lib/config";
import { DEMO_ACCOUNTS, hasDemoData, seedDemo } from "@/lib/demo/seed";
import { createKeyVault, installKeyVault, loadKeySecret, sealLegacyApiKeys } from "@/lib/domain/key-vault";

const config = readConfig();
// The demo key is sealed under the secret `npm start` will use: PORTICO_KEY_SECRET, or the data directory's.
installKeyVault(createKeyVault(loadKeySecret({ dataDir: config.dataDir })));
const open = await getOpenDatabase();
try {
  await migrateDatabase(open);
  await sealLegacyApiKeys(open.db);
  if (await hasDemoData(open.db)) {
    console.log("The demo data is already there (organization acme).");
  } else {
    await seedDemo(open.db, `${config.portalUrl}/demo-backend`);
    console.log("Demo data added. Accounts:");
    for (const a of DEMO_ACCOUNTS) console.log(`  ${a.email.padEnd(24)} ${a.password.padEnd(20)} ${a.profile}`);
  }
} finally {
  await closeDatabase();
}
