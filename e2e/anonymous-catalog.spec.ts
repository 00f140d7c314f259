import { accounts, expect, test } from "./fixtures";

test.describe("the public catalog, for a visitor who has not signed in", () => {
  test("a visitor browses the APIs and Weather's page, signs in to create a contract and lands back on Weather", async ({ page, nav, catalog, apiPage: api }) => {
    await catalog.goto();
    await expect(catalog.apiLink("Weather")).toBeVisible();
    await expect(catalog.apiLink("Echo")).toBeVisible();

    // The top bar of a visitor: the APIs, and a way in.
    await expect(nav.getByRole("link", { name: "APIs", exact: true })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Sign up", exact: true })).toHaveAttribute("href", "/signup");
    await expect(nav.getByRole("link", { name: "My Clients" })).toHaveCount(0);
    await expect(nav.getByRole("button", { name: "Sign out" })).toHaveCount(0);

    await catalog.apiLink("Weather").click();
    await expect(page).toHaveURL(/\/apis\/acme\/weather$/);
    await expect(api.main.getByRole("heading", { level: 1, name: "Weather" })).toBeVisible();
    await expect(api.main.getByRole("heading", { name: "Endpoint" })).toBeVisible();
    await expect(api.main.getByRole("heading", { level: 3, name: /^Bronze/ })).toBeVisible();
    await expect(api.main.getByRole("heading", { name: "Documentation" })).toBeVisible();
    await expect(api.createContractButton).toHaveCount(0);

    await api.main.getByRole("link", { name: "Sign in to create a contract" }).click();
    await expect(page).toHaveURL(/\/login\?next=%2Fapis%2Facme%2Fweather%3Fdialog%3Dcreate-contract$/);
    await page.getByLabel("Email").fill(accounts.developer.email);
    await page.getByLabel("Password").fill(accounts.developer.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    // Back on Weather with the Create contract form open, as the visitor asked.
    await expect(page).toHaveURL(/\/apis\/acme\/weather\?dialog=create-contract$/);
    await expect(api.dialog).toBeVisible();
    await api.dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(page).toHaveURL(/\/apis\/acme\/weather$/);
    await expect(api.createContractButton).toBeVisible();
    await expect(api.main.getByRole("link", { name: "Sign in to create a contract" })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).toBeVisible();
  });

  test("the top bar's Sign in brings the visitor back to the page they were reading", async ({ nav, apiPage: api }) => {
    await api.goto("acme", "echo");
    await expect(api.main.getByRole("heading", { level: 1, name: "Echo" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Sign in", exact: true })).toHaveAttribute("href", "/login?next=%2Fapis%2Facme%2Fecho");
    // A public API takes no contract, so there is nothing to sign in for on the page itself.
    await expect(api.main.getByRole("link", { name: "Sign in to create a contract" })).toHaveCount(0);
  });

  test("an API that does not exist is still a 404 page for a visitor", async ({ page }) => {
    await page.goto("/apis/acme/no-such-api");
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("every other portal page still asks the visitor to sign in", async ({ page }) => {
    for (const path of ["/my-clients", "/notifications", "/settings/password", "/manage", "/manage/approvals", "/docs/api"]) {
      await page.goto(path);
      await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(path)}$`));
      await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    }
  });
});
