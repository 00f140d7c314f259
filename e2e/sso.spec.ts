import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type Browser, expect, type Page, test } from "@playwright/test";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

/**
 * Single sign-on end to end: a real OpenID Connect provider (oidc-provider) on a free port, and a
 * second portal of its own, started from the main suite's build with the AUTH_OIDC_* settings and
 * password sign-in turned off. The main portal is left as every other spec expects it.
 */

const CLIENT_ID = "portico-e2e";
const CLIENT_SECRET = "portico-e2e-oidc-client-secret";
const PROVIDER_NAME = "Example ID";

/** The provider's users: the accountId typed on its sign-in page, and the claims it vouches for. */
const people: Record<string, { email: string; email_verified: boolean; name: string; groups: string[] }> = {
  newcomer: { email: "sso.newcomer@example.test", email_verified: true, name: "Sam Newcomer", groups: ["staff"] },
  manager: { email: "sso.manager@example.test", email_verified: true, name: "Mia Manager", groups: ["staff", "portico-managers"] },
  // Claims the demo developer's email without the provider having checked it.
  impostor: { email: "developer@example.com", email_verified: false, name: "Not The Developer", groups: [] },
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The provider, with a sign-in page of ours: type an account id, continue. Consent is implied for the portal. */
async function startProvider(portalUrl: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${portalUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const person = people[sub];
      return person ? { accountId: sub, claims: async () => ({ sub, ...person }) } : undefined;
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    // Every claim in the ID token: Portico reads email, email_verified and groups there.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope("openid profile email");
      await grant.save();
      return grant;
    },
    cookies: { keys: ["portico-e2e-provider-cookie-key"] },
    // A signing key of this run, and short lives for everything: the provider lives as long as the spec.
    jwks: { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "e2e", use: "sig", alg: "RS256" }] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    const interaction = /^\/interaction\/([\w-]+)$/.exec(req.url ?? "");
    if (!interaction) return callback(req, res);
    try {
      if (req.method === "GET") {
        await provider.interactionDetails(req, res);
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(
          `<!doctype html><html lang="en"><title>Example ID</title><h1>Example ID sign-in</h1>` +
            `<form method="post"><label>Account <input name="login" autofocus></label><button>Continue</button></form></html>`,
        );
        return;
      }
      let body = "";
      for await (const chunk of req) body += chunk;
      const login = new URLSearchParams(body).get("login") ?? "";
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A second portal on its own ports and data directory, from the build the main suite's portal made. */
async function startPortal(port: number, env: Record<string, string>): Promise<{ stop: () => Promise<void>; output: () => string }> {
  const gatewayPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-e2e-sso-"));
  let output = "";
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_URL: `http://localhost:${gatewayPort}`,
      PORTICO_DATA_DIR: dataDir,
      DATABASE_URL: "",
      REDIS_URL: "",
      AUTH_SECRET: "portico-e2e-sso-secret-portico-e2e-sso-secret",
      NEXT_TELEMETRY_DISABLED: "1",
      PORTICO_BUILD_DIR: process.env.PORTICO_BUILD_DIR ?? ".next",
      ...env,
    },
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The single sign-on portal stopped:\n${output}`);
    const ready = await fetch(`http://localhost:${port}/login`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`The single sign-on portal did not answer:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test.describe.configure({ mode: "serial" });

let portalUrl: string;
let provider: Awaited<ReturnType<typeof startProvider>>;
let portal: Awaited<ReturnType<typeof startPortal>>;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const port = await freePort();
  portalUrl = `http://localhost:${port}`;
  provider = await startProvider(portalUrl);
  portal = await startPortal(port, {
    AUTH_OIDC_ISSUER: provider.issuer,
    AUTH_OIDC_CLIENT_ID: CLIENT_ID,
    AUTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    AUTH_OIDC_NAME: PROVIDER_NAME,
    AUTH_OIDC_MANAGER_GROUP: "portico-managers",
    AUTH_PASSWORD_SIGNIN: "false",
  });
});

test.afterAll(async () => {
  await portal?.stop();
  await provider?.close();
});

/** A browser context of its own (no saved login) on the single sign-on portal. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: portalUrl, storageState: undefined });
  return context.newPage();
}

/** From the portal's sign-in page through the provider's, as that account. */
async function signInThroughProvider(page: Page, account: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}`, exact: true }).click();
  await expect(page.getByRole("heading", { name: "Example ID sign-in" })).toBeVisible();
  await page.getByLabel("Account").fill(account);
  await page.getByRole("button", { name: "Continue" }).click();
}

test("the first sign-in through the provider creates the account and lands in the portal; the next one finds it", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughProvider(page, "newcomer");
  await expect(page).toHaveURL(/\/apis$/);
  const nav = page.getByRole("navigation").first();
  await expect(nav.getByRole("link", { name: "My Clients" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "API Management" })).toHaveCount(0);
  // The account has the personal organization sign-up gives: My Clients offers to make a client in it.
  await page.goto("/my-clients");
  await expect(page).toHaveURL(/\/my-clients/);

  const again = await freshPage(browser);
  await signInThroughProvider(again, "newcomer");
  await expect(again).toHaveURL(/\/apis$/);
  await page.context().close();
  await again.context().close();
});

test("a group claim grants the manager profile: API Management is there", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughProvider(page, "manager");
  await expect(page).toHaveURL(/\/apis$/);
  await page.getByRole("navigation").first().getByRole("link", { name: "API Management" }).click();
  await expect(page).toHaveURL(/\/manage$/);
  await page.context().close();
});

test("an unverified email that an account already holds is not linked: the sign-in page says why", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInThroughProvider(page, "impostor");
  await expect(page).toHaveURL(/\/login\?error=sso_email_unverified$/);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("does not say the email is verified");
  await page.goto("/apis");
  await expect(page.getByRole("link", { name: "My Clients" })).toHaveCount(0);
  await page.context().close();
});

test("with password sign-in off, the forms are gone and the server refuses a password anyway", async ({ browser, request }) => {
  const page = await freshPage(browser);
  await page.goto("/login");
  await expect(page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}`, exact: true })).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await page.goto("/signup");
  await expect(page.getByText("Accounts are not made here")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await page.context().close();

  // Straight to Auth.js's credentials endpoint, with a valid CSRF token and the demo developer's real password.
  const { csrfToken } = (await (await request.get(`${portalUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
  const answer = await request.post(`${portalUrl}/api/auth/callback/credentials`, {
    form: { csrfToken, email: "developer@example.com", password: "portico-developer" },
    maxRedirects: 0,
  });
  expect(answer.status()).toBe(302);
  expect(answer.headers()["location"]).toContain("code=password_signin_off");
  expect(answer.headers()["set-cookie"] ?? "").not.toContain("authjs.session-token=ey");
});
