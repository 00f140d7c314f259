import { randomBytes } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** Presses Tab until `target` has the focus, as someone on a keyboard gets there; fails past `limit` presses. */
async function tabTo(page: Page, target: Locator, limit = 60) {
  await expect(target).toBeAttached();
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${limit} presses of Tab never reached ${target}`);
}

test.describe("a visitor on the keyboard alone", () => {
  test("chooses Create contract in the signed-out catalog, signs up, and finishes the contract in the form they came back to", async ({ page }) => {
    const email = `keys-${randomBytes(4).toString("hex")}@example.test`;
    await page.goto("/apis");
    await expect(page.getByRole("heading", { level: 1, name: "APIs" })).toBeVisible();

    await tabTo(page, page.getByRole("table", { name: "APIs" }).getByRole("link", { name: "Weather", exact: true }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/apis\/acme\/weather$/);

    await tabTo(page, page.getByRole("main").getByRole("link", { name: "Sign in to create a contract" }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/login\?next=%2Fapis%2Facme%2Fweather%3Fdialog%3Dcreate-contract$/);

    // No account yet: the way to sign up keeps where to come back to.
    await tabTo(page, page.getByRole("link", { name: "Create an account" }));
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/signup\?next=%2Fapis%2Facme%2Fweather%3Fdialog%3Dcreate-contract$/);
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();

    await tabTo(page, page.getByLabel("Name"));
    await page.keyboard.type("Kim Keys");
    await page.keyboard.press("Tab");
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type("a-long-password-1");
    await page.keyboard.press("Enter");

    // Back on Weather, signed in, with the Create contract form open and the focus in it.
    await expect(page).toHaveURL(/\/apis\/acme\/weather\?dialog=create-contract$/);
    const contractForm = page.getByRole("dialog", { name: "Create contract" });
    await expect(contractForm).toBeVisible();
    await expect(contractForm.getByLabel("Client")).toBeFocused();
    await expect(page.getByRole("navigation", { name: "Main" }).getByText("Kim Keys")).toBeAttached();

    // A new account has no client: make one without leaving the form.
    await tabTo(page, contractForm.getByRole("button", { name: "New client" }));
    await page.keyboard.press("Enter");
    const clientForm = page.getByRole("dialog", { name: "New client" });
    await expect(clientForm.getByLabel("Name")).toBeFocused();
    await page.keyboard.type("Keyboard Kiosk");
    await page.keyboard.press("Enter");

    await expect(contractForm).toBeVisible();
    await expect(contractForm.getByLabel("Client")).toHaveValue(/.+/);
    await expect(contractForm.getByLabel("Client").locator("option:checked")).toHaveText(/^Keyboard Kiosk 1\.0/);
    expect(await contractForm.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);

    await tabTo(page, contractForm.getByRole("button", { name: "Create contract" }));
    await page.keyboard.press("Enter");
    await expect(contractForm).toBeHidden();
    await expect(page.getByRole("main").getByRole("status").filter({ hasText: "Contract created" })).toBeVisible();
    // The form opened once; a reload shows the page as it is.
    await expect(page).toHaveURL(/\/apis\/acme\/weather$/);
    await page.reload();
    await expect(page.getByRole("dialog", { name: "Create contract" })).toHaveCount(0);
  });
});

test.describe("the sign-in and sign-up pages", () => {
  for (const path of ["/login", "/signup"]) {
    test(`${path} has Skip to content and the theme switch of the portal`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(path);
      await page.keyboard.press("Tab");
      await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
      const theme = page.getByRole("banner").getByRole("group", { name: "Theme" });
      await theme.getByRole("button", { name: "Dark" }).click();
      await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      await page.reload();
      await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      await theme.getByRole("button", { name: "System" }).click();
      await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
    });
  }

  test("Sign in and Sign up hand the page to come back to from one to the other", async ({ page }) => {
    await page.goto("/login?next=%2Fapis%2Facme%2Fbilling");
    await expect(page.getByRole("link", { name: "Create an account" })).toHaveAttribute("href", "/signup?next=%2Fapis%2Facme%2Fbilling");
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("main").getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login?next=%2Fapis%2Facme%2Fbilling");
    // Only paths of this site: a link elsewhere falls back to the catalog after signing up.
    await page.goto("/signup?next=%2F%2Fevil.example%2F");
    await page.getByLabel("Name").fill("Ola Offsite");
    await page.getByLabel("Email").fill(`offsite-${randomBytes(4).toString("hex")}@example.test`);
    await page.getByLabel("Password").fill("a-long-password-1");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page).toHaveURL(/\/apis$/);
  });
});
