import path from "node:path";
import { defineConfig } from "vitest/config";

const shared = {
  include: ["lib/**/*.test.ts", "db/**/*.test.ts", "scripts/**/*.test.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

// Every domain test runs on PGlite in memory, and on PostgreSQL too when TEST_DATABASE_URL is set.
const projects: { extends: true; test: Record<string, unknown> }[] = [
  { extends: true, test: { ...shared, name: "pglite", env: { PORTICO_TEST_DB: "pglite" }, globalSetup: ["db/test-global-setup.ts"] } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true as const, test: { ...shared, name: "postgres", env: { PORTICO_TEST_DB: "postgres" } } });
}

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: { projects, pool: "forks" },
});
