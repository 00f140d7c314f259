import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

/** A port the OS says is free now. */
function freePort(): string {
  const script = "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ["-e", script]).toString().trim();
}

// Chosen once in the runner; workers inherit them through the environment.
process.env.E2E_PORT ??= freePort();
process.env.E2E_GATEWAY_PORT ??= freePort();
process.env.E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "portico-e2e-"));
// The portal sends its email here; e2e/email.spec.ts listens on it while its tests run.
process.env.E2E_SMTP_PORT ??= freePort();

const port = process.env.E2E_PORT;
const gatewayPort = process.env.E2E_GATEWAY_PORT;
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Tests, not whole files, are shared between the workers; `describe.serial` keeps a story in order.
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      // Debian's Chromium when present; otherwise the browser from `npx playwright install chromium`.
      executablePath: fs.existsSync(chromiumPath) ? chromiumPath : undefined,
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [
    // Signs each demo account in once and saves its login (see e2e/auth.setup.ts).
    { name: "setup", testMatch: /\.setup\.ts$/ },
    { name: "chromium", dependencies: ["setup"] },
  ],
  webServer: {
    command: "npm start",
    url: `http://localhost:${port}/login`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: port,
      GATEWAY_PORT: gatewayPort,
      GATEWAY_URL: `http://localhost:${gatewayPort}`,
      PORTICO_DATA_DIR: process.env.E2E_DATA_DIR,
      DATABASE_URL: "",
      REDIS_URL: "",
      AUTH_SECRET: "portico-e2e-secret-portico-e2e-secret",
      NEXT_TELEMETRY_DISABLED: "1",
      PORTICO_BUILD_DIR: process.env.PORTICO_BUILD_DIR ?? ".next",
      // Webhook receivers of e2e/manage-webhooks.spec.ts listen on this machine, over http.
      PORTICO_UPSTREAM_ALLOW: "127.0.0.1",
      // e2e/email.spec.ts listens on this port for the portal's mail.
      SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
      MAIL_FROM: "Portico <portico@e2e.test>",
      // A trial's end is seen within a second, not a minute.
      PORTICO_EXPIRY_INTERVAL_MS: "1000",
      GATEWAY_USAGE_FLUSH_MS: "500",
    },
  },
});
