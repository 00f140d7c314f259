import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { type DemoAccount, expect, test } from "./fixtures";

/*
 * Every page of the portal under axe: signed out, as the developer, as a manager (the provider) and
 * as the administrator (for what only they reach), in the light and dark themes, at desktop width
 * and at 390 px. Each role gets one browser context per width and walks its pages in both themes;
 * the test collects every violation before failing, so one run names them all. Each page must also
 * fit a 360 px screen without scrolling sideways.
 */

const WIDTHS = [
  { name: "desktop", viewport: { width: 1280, height: 900 } },
  { name: "390 px", viewport: { width: 390, height: 844 } },
] as const;

type Role = DemoAccount | "visitor";

/**
 * Each rule runs where its answer can change. Colours depend on the theme, not the width: the
 * rules about them (THEME_RULES) run in both themes at desktop width. Everything else depends on
 * the markup and the width, not the theme: it runs in the light theme at desktop width and in the
 * dark one at phone width. Half the suite's time, with nothing left unchecked.
 */
const THEMES = ["light", "dark"] as const;
const PHONE_THEMES = ["dark"] as const;
const THEME_RULES = ["color-contrast", "link-in-text-block"];

/** Finds the first link in the main content whose href starts with `prefix`, and returns that href. */
async function linkFrom(page: Page, path: string, prefix: string): Promise<string> {
  await page.goto(path);
  const link = page.locator(`main a[href^="${prefix}"]`).first();
  await expect(link, `a link to ${prefix}… on ${path}`).toBeAttached();
  return (await link.getAttribute("href"))!;
}

/** The pages each role walks; some are found by following links, since their ids differ on every run. */
const ROUTES: Record<Role, (page: Page) => Promise<string[]>> = {
  visitor: async () => ["/apis", "/apis/acme/weather", "/apis/acme/echo", "/login", "/signup", "/forgot-password", "/reset-password?token=not-a-real-token", "/no-such-page"],
  developer: async (page) => {
    const client = await linkFrom(page, "/my-clients", "/my-clients/");
    const contract = await linkFrom(page, "/my-clients", "/contracts/");
    const contractUsage = await linkFrom(page, contract, "/usage/contracts/");
    const clientUsage = await linkFrom(page, "/my-clients", "/usage/clients/");
    return [
      "/apis",
      "/apis?q=weather",
      "/apis/acme/weather",
      "/apis/acme/echo",
      "/my-clients",
      client,
      contract,
      contractUsage,
      clientUsage,
      "/notifications",
      "/settings/password",
      "/settings/notifications",
      "/settings/tokens",
      "/docs/api",
    ];
  },
  provider: async (page) => {
    const apiVersion = (await linkFrom(page, "/manage/acme?tab=apis", "/manage/acme/apis/")).split("?")[0];
    const planVersion = (await linkFrom(page, "/manage/acme?tab=plans", "/manage/acme/plans/")).split("?")[0];
    return [
      "/manage",
      ...["apis", "plans", "clients", "members", "activity"].map((tab) => `/manage/acme?tab=${tab}`),
      ...["overview", "plans", "contracts", "activity"].map((tab) => `${apiVersion}?tab=${tab}`),
      `${apiVersion}/usage`,
      planVersion,
      "/manage/acme/usage",
      "/manage/acme/webhooks",
      "/manage/approvals",
    ];
  },
  // The administrator reaches every organization, the developer's personal one ("developer") among them.
  admin: async (page) => {
    const clientVersion = (await linkFrom(page, "/manage/developer?tab=clients", "/manage/developer/clients/")).split("?")[0];
    return ["/manage", "/manage/developer?tab=clients", ...["overview", "contracts", "api-key", "activity"].map((tab) => `${clientVersion}?tab=${tab}`)];
  },
};

type Finding = { path: string; theme: string; width: string; id: string; impact: string | null | undefined; help: string; targets: string[] };

/** Runs axe on the page as it is now, in `theme` (the browser's colour scheme, which the portal follows live). */
async function audit(page: Page, path: string, theme: "light" | "dark", width: string): Promise<Finding[]> {
  await page.emulateMedia({ colorScheme: theme });
  if (theme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  const axe = new AxeBuilder({ page });
  if (width === "desktop" && theme === "dark") axe.withRules(THEME_RULES);
  else {
    // The API reference's renderer (Scalar) always draws its own <main>, inside the portal's: the one
    // landmark finding no change of ours can remove. Everything else on that page is checked.
    const skipped = path === "/docs/api" ? ["landmark-main-is-top-level", "landmark-no-duplicate-main"] : [];
    if (width !== "desktop") skipped.push(...THEME_RULES);
    if (skipped.length > 0) axe.disableRules(skipped);
  }
  const results = await axe.analyze();
  return results.violations.map((v) => ({ path, theme, width, id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

for (const role of Object.keys(ROUTES) as Role[]) {
  for (const { name: width, viewport } of WIDTHS) {
    test.describe(`every page ${role === "visitor" ? "signed out" : `as the ${role}`}, at ${width}`, () => {
      test.use({ signedInAs: role === "visitor" ? null : role, viewport });

      test(`has no axe violations, and none scrolls sideways at 360 px`, async ({ page }) => {
        test.setTimeout(300_000);
        const paths = await ROUTES[role](page);
        const findings: Finding[] = [];
        const sideways: string[] = [];
        for (const path of paths) {
          // Each page loads once, in the light theme, then switches to dark as the system would.
          await page.emulateMedia({ colorScheme: "light" });
          await page.goto(path);
          await page.waitForLoadState("networkidle");
          for (const theme of width === "390 px" ? PHONE_THEMES : THEMES) findings.push(...(await audit(page, path, theme, width)));
          if (width === "390 px") {
            await page.setViewportSize({ width: 360, height: 740 });
            const fits = await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth);
            if (!fits) sideways.push(path);
            await page.setViewportSize(viewport);
          }
        }
        expect({ findings, sideways }, "axe violations, and pages that scroll sideways at 360 px").toEqual({ findings: [], sideways: [] });
      });
    });
  }
}
