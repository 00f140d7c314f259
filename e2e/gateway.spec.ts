import { expect, signUp, test } from "./fixtures";

const gatewayUrl = `http://localhost:${process.env.E2E_GATEWAY_PORT}`;

test("a contract signed in the portal opens the gateway, and deleting it closes it again", async ({ page, request, myClients, apiPage }) => {
  await signUp(page, "Gus Gateway");
  await myClients.goto();
  await myClients.newClient("Invoice Sync");

  await apiPage.goto("acme", "billing");
  const endpoint = (await apiPage.main.getByRole("region", { name: "Endpoint" }).locator("code").first().textContent())!.trim();
  expect(endpoint).toBe(`${gatewayUrl}/acme/billing/1.0/`);
  await apiPage.createContract("Invoice Sync", "Bronze");
  await expect(apiPage.success).toHaveText(/Contract created/);

  await myClients.goto();
  await myClients.section("Invoice Sync").getByRole("button", { name: "Reveal API key" }).click();
  await expect(myClients.apiKey("Invoice Sync")).toHaveText(/^ptk_[\w-]{32,}$/);
  const apiKey = (await myClients.apiKey("Invoice Sync").textContent())!.trim();

  // The program's view: the key opens the API within a second of signing.
  await expect
    .poll(async () => (await request.get(`${endpoint}invoices`, { headers: { "X-API-Key": apiKey } })).status(), { timeout: 2_000 })
    .toBe(200);
  const ok = await request.get(`${endpoint}invoices`, { headers: { "X-API-Key": apiKey } });
  expect((await ok.json()).invoices.length).toBeGreaterThan(0);
  const missing = await request.get(`${endpoint}invoices`);
  expect(missing.status()).toBe(401);
  expect((await missing.json()).code).toBe("key_missing");

  await myClients.deleteContract("Invoice Sync", "Billing");
  await expect
    .poll(async () => {
      const response = await request.get(`${endpoint}invoices`, { headers: { "X-API-Key": apiKey } });
      return [response.status(), response.headers()["content-type"], (await response.json()).code];
    }, { timeout: 2_000 })
    .toEqual([403, "application/problem+json", "no_contract"]);
});
