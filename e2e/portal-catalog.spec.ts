import { expect, test } from "./fixtures";

test.describe("the API catalog", () => {
  test.use({ signedInAs: "developer" });

  test("a developer browses the published APIs, each a link with its organization and access", async ({ page, catalog }) => {
    await catalog.goto();
    for (const name of ["Weather", "Billing", "Echo"]) await expect(catalog.apiLink(name)).toBeVisible();
    const echo = catalog.table.getByRole("row").filter({ has: page.getByRole("link", { name: "Echo", exact: true }) });
    await expect(echo).toContainText("Acme");
    await expect(echo).toContainText("Public");
    await expect(catalog.table.getByRole("row").filter({ has: page.getByRole("link", { name: "Weather", exact: true }) })).toContainText("Private");
  });

  test("searching finds APIs by description or tag, and says so when nothing matches", async ({ catalog }) => {
    await catalog.goto();
    await catalog.search("forecast");
    await expect(catalog.apiLink("Weather")).toBeVisible();
    await expect(catalog.apiLink("Billing")).toHaveCount(0);
    await catalog.search("invoices");
    await expect(catalog.apiLink("Billing")).toBeVisible();
    await expect(catalog.apiLink("Weather")).toHaveCount(0);
    await catalog.search("no-such-api-anywhere");
    await expect(catalog.table).toContainText("No APIs match “no-such-api-anywhere”.");
  });

  test("a tag narrows the catalog to its APIs", async ({ page, catalog }) => {
    await catalog.goto();
    await page.getByRole("navigation", { name: "Tags" }).getByRole("link", { name: /^tools/ }).click();
    await expect(page).toHaveURL(/tag=tools/);
    await expect(catalog.apiLink("Echo")).toBeVisible();
    await expect(catalog.apiLink("Weather")).toHaveCount(0);
    await page.getByRole("navigation", { name: "Tags" }).getByRole("link", { name: "All" }).click();
    await expect(catalog.apiLink("Weather")).toBeVisible();
  });

  test("sorting by organization or name is kept in the address", async ({ page, catalog }) => {
    await catalog.goto();
    const header = catalog.table.getByRole("columnheader", { name: "API", exact: true });
    await expect(header).toHaveAttribute("aria-sort", "ascending");
    await header.getByRole("button").click();
    await expect(page).toHaveURL(/sort=name\.desc/);
    await expect(header).toHaveAttribute("aria-sort", "descending");
    await expect(catalog.table.getByRole("row").nth(1)).toContainText("Weather");
  });

  test("an API page shows the description, the docs, the plans in words and the managed endpoint", async ({ page, catalog, apiPage }) => {
    await catalog.goto();
    await catalog.apiLink("Weather").click();
    await expect(page).toHaveURL(/\/apis\/acme\/weather$/);
    const main = page.getByRole("main");
    await expect(main.getByRole("heading", { level: 1, name: "Weather" })).toBeVisible();
    await expect(main).toContainText("Three-day forecasts for cities around the world.");
    await expect(main.getByRole("heading", { name: "Forecast", exact: true })).toBeVisible();
    await expect(main).toContainText("5 requests per second · 1,000 per day");
    await expect(main).toContainText("50 requests per second · needs approval");
    const endpoint = `localhost:${process.env.E2E_GATEWAY_PORT}/acme/weather/1.0/`;
    await expect(main.getByText(`http://${endpoint}`, { exact: true })).toBeVisible();
    // The developer's Weather Dashboard has a contract: the example carries its key, masked until revealed.
    const example = main.getByLabel("Example request");
    await expect(example).toContainText(`curl -H "X-API-Key: ptk_`);
    await expect(example).toContainText(`http://${endpoint}`);
    await expect(example).not.toContainText("YOUR_API_KEY");
    await expect(apiPage.createContractButton).toBeVisible();
  });

  test("a public API needs no contract: no Create contract button, and the page says why", async ({ apiPage: api }) => {
    await api.goto("acme", "echo");
    await expect(api.main.getByRole("heading", { level: 1, name: "Echo" })).toBeVisible();
    await expect(api.main).toContainText("This API is public: call it without an API key or a contract.");
    await expect(api.createContractButton).toHaveCount(0);
    await expect(api.main.getByLabel("Example request")).not.toContainText("X-API-Key");
  });

  test("an API or version that does not exist is a 404 page, with the top bar to go on from", async ({ page }) => {
    const response = await page.goto("/apis/acme/no-such-api");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My Clients" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeAttached();
    await expect(page.getByRole("main")).toHaveCount(1);
    // An address no route knows gets the same page and frame.
    expect((await page.goto("/no-such-page"))?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My Clients" })).toBeVisible();
    await expect(page.getByRole("main")).toHaveCount(1);
    await page.goto("/apis/acme/weather?version=9.9");
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });
});
