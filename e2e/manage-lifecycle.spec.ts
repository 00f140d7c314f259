import { expect, test } from "./fixtures";
import { ClientVersionPage, main, uniqueSuffix } from "./manage-pages";

test.describe("versions and their lifecycles", () => {
  test.setTimeout(90_000);
  test.use({ signedInAs: "provider" });

  test("a public API is ready with an endpoint alone; a new version starts as a copy; publishing and retiring are offered in turn", async ({ page, manageHome: home }) => {
    const run = uniqueSuffix();
    await home.goto();
    const organization = await home.createOrganization(`Open ${run}`, `open-${run}`);
    const apiPage = await organization.createApi({ name: `Clock ${run}`, slug: `clock-${run}`, endpoint: "http://localhost:9/clock", isPublic: true });
    await expect(apiPage.status()).toHaveText("Ready");
    await apiPage.tab("Plans").click();
    await expect(main(page).getByText("A public API offers no plans")).toBeVisible();

    await main(page).getByRole("button", { name: "New version" }).click();
    const dialog = page.getByRole("dialog", { name: "New version" });
    await expect(dialog.getByLabel("Version")).toHaveValue("1.1");
    await dialog.getByRole("button", { name: "Create version" }).click();
    await expect(page).toHaveURL(new RegExp(`/manage/open-${run}/apis/clock-${run}/1\\.1$`));
    await expect(apiPage.status()).toHaveText("Ready");
    await expect(main(page).getByText("http://localhost:9/clock", { exact: true })).toBeVisible();
    await expect(main(page).getByRole("navigation", { name: "Versions" }).getByRole("link", { name: /^1\.0/ })).toBeVisible();

    await main(page).getByRole("button", { name: "Publish", exact: true }).click();
    await expect(apiPage.status()).toHaveText("Published");
    await expect(main(page).getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
    // The endpoint of a published version is frozen: the edit form keeps only the documentation.
    await expect(main(page).getByRole("form", { name: "Edit API version" }).getByLabel("Endpoint")).toHaveCount(0);

    await main(page).getByRole("button", { name: "Retire", exact: true }).click();
    await page.getByRole("dialog", { name: /^Retire/ }).getByRole("button", { name: "Retire version" }).click();
    await expect(apiPage.status()).toHaveText("Retired");
    await expect(main(page).getByRole("button", { name: "Retire", exact: true })).toHaveCount(0);
    await expect(main(page).getByRole("form", { name: "Edit API version" })).toHaveCount(0);
  });

  test("a client version's API key is revealed, copied and rotated with a grace period; retiring it kills the key", async ({ page, context, manageHome: home }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const run = uniqueSuffix();
    await home.goto();
    const organization = await home.createOrganization(`Keys ${run}`, `keys-${run}`);
    await organization.createClient(`Dashboard ${run}`, `dashboard-${run}`);
    const client = new ClientVersionPage(page, organization.slug, `dashboard-${run}`, "1.0");
    await expect(main(page).locator("h1 + *")).toHaveText("Created");

    await page.getByRole("tab", { name: "API key", exact: true }).click();
    await expect(page).toHaveURL(/\?tab=api-key$/);
    const key = main(page).getByTestId("api-key");
    await expect(key).toHaveText(/^ptk_•+.{4}$/);
    await main(page).getByRole("button", { name: "Reveal API key" }).click();
    await expect(key).toHaveText(/^ptk_[A-Za-z0-9_-]{32}$/);
    const first = await key.textContent();

    await main(page).getByRole("button", { name: "Copy API key" }).click();
    await expect(main(page).getByRole("status")).toHaveText("The API key was copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);

    await main(page).getByRole("button", { name: "Rotate API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate API key" });
    await dialog.getByLabel("Grace period for the old key").selectOption({ label: "1 day" });
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await expect(main(page).getByText(/^Previous key, still accepted until/)).toBeVisible();
    await main(page).getByRole("button", { name: "Reveal API key" }).click();
    await expect(key).toHaveText(/^ptk_/);
    expect(await key.textContent()).not.toBe(first);

    await main(page).getByRole("button", { name: "Retire", exact: true }).click();
    await page.getByRole("dialog", { name: /^Retire/ }).getByRole("button", { name: "Retire version" }).click();
    await expect(main(page).locator("h1 + *")).toHaveText("Retired");
    await client.goto("api-key");
    await expect(main(page).getByText("This client version is retired: its API key no longer works at the gateway.")).toBeVisible();
    await expect(main(page).getByRole("button", { name: "Rotate API key" })).toHaveCount(0);

    await client.goto("activity");
    const activity = main(page).getByRole("table", { name: "Activity" });
    for (const what of ["Created the client", "Rotated the API key", "Retired the client version"]) {
      await expect(activity.getByRole("row").filter({ hasText: what })).toBeVisible();
    }
    await expect(activity.getByRole("row").filter({ hasText: "Rotated the API key" })).toContainText("grace period: 1 day");
  });
});
