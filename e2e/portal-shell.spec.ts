import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** Whether anything on the page scrolls sideways. */
async function noHorizontalScroll(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test.describe("the portal's shell", () => {
  test.use({ signedInAs: "developer" });

  test("the main navigation marks the section of the page shown", async ({ page, nav }) => {
    await page.goto("/my-clients");
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "APIs", exact: true })).not.toHaveAttribute("aria-current");

    await page.goto("/apis/acme/weather");
    await expect(nav.getByRole("link", { name: "APIs", exact: true })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).not.toHaveAttribute("aria-current");

    await page.goto("/settings/tokens");
    await expect(nav.getByRole("link", { name: "Settings", exact: true })).toHaveAttribute("aria-current", "page");
  });

  test("Skip to content is the first thing Tab reaches, shows itself, and moves to the main content", async ({ page }) => {
    await page.goto("/apis");
    await expect(page.getByRole("heading", { level: 1, name: "APIs" })).toBeVisible();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    const box = await skip.boundingBox();
    expect(box && box.width > 40 && box.height > 10).toBe(true);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
    await expect(page.locator("main#main")).toBeFocused();
    // The next Tab goes on inside the main content, past the navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.querySelector("main")!.contains(document.activeElement))).toBe(true);
  });

  test("dark mode: the toggle switches the theme, is remembered, and System follows the browser", async ({ page, nav }, testInfo) => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/apis");
    const html = page.locator("html");
    const theme = nav.getByRole("group", { name: "Theme" });
    await expect(html).not.toHaveClass(/\bdark\b/);
    await expect(theme.getByRole("button", { name: "System" })).toHaveAttribute("aria-pressed", "true");
    await page.screenshot({ path: testInfo.outputPath("catalog-light.png"), fullPage: true });

    await theme.getByRole("button", { name: "Dark" }).click();
    await expect(html).toHaveClass(/\bdark\b/);
    await expect(theme.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(11, 17, 32)");
    await page.screenshot({ path: testInfo.outputPath("catalog-dark.png"), fullPage: true });

    // Remembered, and applied before the page paints: the class is there as soon as the document is.
    await page.reload({ waitUntil: "domcontentloaded" });
    await expect(html).toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem("portico-theme"))).toBe("dark");

    await page.goto("/apis/acme/weather");
    await expect(html).toHaveClass(/\bdark\b/);
    await page.screenshot({ path: testInfo.outputPath("weather-dark.png"), fullPage: true });

    await theme.getByRole("button", { name: "Light" }).click();
    await expect(html).not.toHaveClass(/\bdark\b/);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(html).not.toHaveClass(/\bdark\b/);

    await theme.getByRole("button", { name: "System" }).click();
    await expect(html).toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem("portico-theme"))).toBeNull();
    await page.emulateMedia({ colorScheme: "light" });
    await expect(html).not.toHaveClass(/\bdark\b/);
  });
});

test.describe("the portal's shell on a phone (390 px)", () => {
  test.use({ signedInAs: "developer", viewport: { width: 390, height: 844 } });

  test("the navigation collapses into a Menu button that opens with the keyboard, and nothing scrolls sideways", async ({ page, nav }) => {
    await page.goto("/apis");
    await expect(page.getByRole("heading", { level: 1, name: "APIs" })).toBeVisible();
    const menu = nav.getByRole("button", { name: "Menu" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).toBeHidden();
    expect(await noHorizontalScroll(page)).toBe(true);

    await menu.focus();
    await page.keyboard.press("Enter");
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "APIs", exact: true })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).toBeFocused();
    await expect(nav.getByRole("link", { name: /^Notifications/ })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Settings", exact: true })).toBeVisible();
    await expect(nav.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(nav.getByRole("group", { name: "Theme" })).toBeVisible();
    expect(await noHorizontalScroll(page)).toBe(true);

    // Escape closes the menu and gives the focus back to its button.
    await page.keyboard.press("Escape");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(menu).toBeFocused();
    await expect(nav.getByRole("link", { name: "My Clients", exact: true })).toBeHidden();

    // A link of the menu leads on, and the menu closes on the new page.
    await page.keyboard.press("Space");
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/my-clients$/);
    await expect(page.getByRole("heading", { level: 1, name: "My Clients" })).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    expect(await noHorizontalScroll(page)).toBe(true);
  });

  for (const path of ["/apis", "/apis/acme/weather", "/my-clients", "/notifications", "/settings/password"]) {
    test(`${path} does not scroll sideways at 390 px, nor at 360 px`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await noHorizontalScroll(page)).toBe(true);
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await noHorizontalScroll(page)).toBe(true);
    });
  }

  test("a visitor's collapsed menu holds the APIs, Sign in and Sign up", async ({ newVisitor }) => {
    const page = await newVisitor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/apis/acme/weather");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("button", { name: "Menu" }).click();
    for (const name of ["APIs", "Sign in", "Sign up"]) await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
    expect(await noHorizontalScroll(page)).toBe(true);
  });
});
