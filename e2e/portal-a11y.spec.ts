import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

test.describe("accessibility of the Developer Portal", () => {
  test.use({ signedInAs: "developer" });

  test("the catalog has no serious or critical axe violations", async ({ page }) => {
    await page.goto("/apis");
    await expect(page.getByRole("table", { name: "APIs" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("an API page, and its Create contract form, have no serious or critical axe violations", async ({ page, apiPage: api }) => {
    await api.goto("acme", "weather");
    await expect(api.createContractButton).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await api.openCreateContract();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("My Clients has no serious or critical axe violations", async ({ page }) => {
    await page.goto("/my-clients");
    await expect(page.getByRole("region", { name: "Weather Dashboard" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

/** Shows `path` in a theme that follows the browser's colour scheme (the toggle's System), and checks it took. */
async function gotoInTheme(page: Page, path: string, theme: "light" | "dark") {
  await page.emulateMedia({ colorScheme: theme });
  await page.goto(path);
  if (theme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
}

for (const theme of ["light", "dark"] as const) {
  test.describe(`accessibility of the catalog in the ${theme} theme`, () => {
    test(`signed out: the catalog and Weather's page have no serious or critical axe violations (${theme})`, async ({ page, apiPage: api }) => {
      await gotoInTheme(page, "/apis", theme);
      await expect(page.getByRole("table", { name: "APIs" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await gotoInTheme(page, "/apis/acme/weather", theme);
      await expect(api.main.getByRole("link", { name: "Sign in to create a contract" })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test.describe("signed in", () => {
      test.use({ signedInAs: "developer" });

      test(`signed in: the catalog, Weather's page and its Create contract form have no serious or critical axe violations (${theme})`, async ({ page, apiPage: api }) => {
        await gotoInTheme(page, "/apis", theme);
        await expect(page.getByRole("table", { name: "APIs" })).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
        await gotoInTheme(page, "/apis/acme/weather", theme);
        await expect(api.createContractButton).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
        await api.openCreateContract();
        expect(await seriousViolations(page)).toEqual([]);
      });
    });

    test.describe("at 390 px", () => {
      test.use({ viewport: { width: 390, height: 844 } });

      test(`signed out and signed in, the catalog with its menu closed and open has no serious or critical axe violations (${theme})`, async ({ page, newVisitor, asDeveloper }) => {
        for (const current of [page, asDeveloper]) {
          await current.setViewportSize({ width: 390, height: 844 });
          await gotoInTheme(current, "/apis", theme);
          await expect(current.getByRole("table", { name: "APIs" })).toBeVisible();
          expect(await seriousViolations(current)).toEqual([]);
          const menu = current.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Menu" });
          await menu.click();
          await expect(menu).toHaveAttribute("aria-expanded", "true");
          expect(await seriousViolations(current)).toEqual([]);
        }
        const visitor = await newVisitor();
        await visitor.setViewportSize({ width: 390, height: 844 });
        await gotoInTheme(visitor, "/apis/acme/weather", theme);
        await expect(visitor.getByRole("main").getByRole("link", { name: "Sign in to create a contract" })).toBeVisible();
        expect(await seriousViolations(visitor)).toEqual([]);
      });
    });
  });
}

