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
