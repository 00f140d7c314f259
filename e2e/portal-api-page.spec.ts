import type { Page } from "@playwright/test";
import { createWriteToken } from "./api-setup";
import { expect, test } from "./fixtures";

/** A small OpenAPI document for the demo Weather API, which the seed leaves without one. */
const WEATHER_OPENAPI = JSON.stringify({
  openapi: "3.1.0",
  info: { title: "Weather", version: "1.0" },
  paths: {
    "/forecast": { get: { summary: "Three-day forecast for a city" } },
    "/alerts": { post: { summary: "Subscribe to weather alerts" } },
  },
});

/** As the provider, through the REST API: Weather 1.0 gets its OpenAPI document (the same one every run). */
async function giveWeatherAnOpenApiDocument(provider: Page) {
  const headers = { Authorization: `Bearer ${await createWriteToken(provider, "api page e2e")}` };
  const url = "/api/v1/orgs/acme/apis/weather/versions/1.0";
  // Both tests of this file may do it at once: the loser's ETag no longer matches, and reads the winner's work.
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await provider.request.get(url, { headers });
    expect(current.status()).toBe(200);
    if (((await current.json()) as { openapi?: string | null }).openapi === WEATHER_OPENAPI) return;
    const etag = current.headers()["etag"];
    const patched = await provider.request.patch(url, { headers: { ...headers, ...(etag ? { "If-Match": etag } : {}) }, data: { openapi: WEATHER_OPENAPI } });
    if (patched.status() === 412) continue;
    expect(patched.status(), await patched.text()).toBe(200);
    return;
  }
  throw new Error("Weather 1.0 kept changing while its OpenAPI document was being set.");
}

test.describe("the API page in context", () => {
  test.use({ signedInAs: "developer" });

  test("a developer sees their contract, calls with their own key and tries an operation", async ({ page, apiPage, asProvider }, testInfo) => {
    await giveWeatherAnOpenApiDocument(asProvider);
    await apiPage.goto("acme", "weather");
    const main = apiPage.main;

    // Their contracts with this API, each a link to its page.
    const contracts = main.getByRole("region", { name: "Your contracts" });
    const contract = contracts.getByRole("listitem").filter({ hasText: "Weather Dashboard 1.0" }).filter({ hasText: "Plan Bronze" }).first();
    await expect(contract).toContainText("Plan Bronze");
    await expect(contract).toContainText("Active");
    await contract.getByRole("link", { name: /Weather Dashboard 1\.0/ }).click();
    await expect(page).toHaveURL(/\/contracts\/[0-9a-f-]{36}$/);
    await page.goBack();

    // The curl example names their key, masked until they ask for it.
    const curl = main.getByTestId("curl-example");
    await expect(main.getByLabel("Key of")).toHaveValue(/[0-9a-f-]{36}/);
    await expect(curl).toContainText(/X-API-Key: ptk_•+\S{4}/);
    await main.getByRole("button", { name: "Reveal API key" }).click();
    await expect(curl).not.toContainText("•");
    const key = (await curl.textContent())!.match(/X-API-Key: (\S+)"/)![1];
    expect(key).toMatch(/^ptk_\S{20,}$/);
    await main.getByRole("button", { name: "Hide API key" }).click();
    await expect(curl).toContainText("•");
    // The key never travels with the page: only Reveal fetches it.
    await page.reload();
    expect(await page.content()).not.toContain(key);

    // Try it: through the gateway with that key.
    const operations = main.getByRole("region", { name: "Operations" });
    await expect(operations.getByText("Try it sends GET requests only")).toBeVisible();
    await operations.getByRole("button", { name: "Try it: GET /forecast" }).click();
    const form = operations.getByRole("form", { name: "Try GET /forecast" });
    await expect(form).toContainText("with the key of Weather Dashboard 1.0");
    await form.getByLabel("Query").fill("city=Oslo");
    await form.getByRole("button", { name: "Send request" }).click();
    const response = operations.getByRole("region", { name: "Response" });
    await expect(response.getByTestId("try-it-status")).toHaveText(/^200\b/);
    await expect(response.getByTestId("try-it-headers")).toContainText(/ratelimit/i);
    await expect(response.getByLabel("Response body")).toContainText('"city": "Oslo"');

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: testInfo.outputPath("api-page-1280.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: testInfo.outputPath("api-page-390.png"), fullPage: true });
  });

  test("Try it refuses what the page would never send", async ({ page, apiPage, asProvider }) => {
    await giveWeatherAnOpenApiDocument(asProvider);
    await apiPage.goto("acme", "weather");
    const tryUrl = "/apis/acme/weather/try";
    const send = (data: unknown) => page.request.post(tryUrl, { data });
    const other = await send({ version: "1.0", method: "GET", path: "/../../admin", params: {}, query: [] });
    expect(other.status()).toBe(400);
    expect((await other.json()).error).toMatch(/not in this API version's OpenAPI document/);
    expect((await send({ version: "1.0", method: "DELETE", path: "/forecast" })).status()).toBe(400);
    const notMine = await send({ version: "1.0", method: "GET", path: "/forecast", clientVersionId: "00000000-0000-4000-8000-000000000000" });
    expect(notMine.status()).toBe(404);
  });
});

test("a visitor sees neither contracts nor a key", async ({ newVisitor }) => {
  const page = await newVisitor();
  await page.goto("/apis/acme/weather");
  const main = page.getByRole("main");
  await expect(main.getByRole("heading", { name: "Weather", level: 1 })).toBeVisible();
  await expect(main.getByRole("region", { name: "Your contracts" })).toHaveCount(0);
  await expect(main.getByTestId("curl-example")).toContainText("X-API-Key: YOUR_API_KEY");
  await expect(main.getByRole("button", { name: "Reveal API key" })).toHaveCount(0);
  await expect(main.getByRole("button", { name: /^Try it/ })).toHaveCount(0);
  expect((await page.request.post("/apis/acme/weather/try", { data: { version: "1.0", method: "GET", path: "/forecast" }, maxRedirects: 0 })).status()).not.toBe(200);
});
