import { randomBytes } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";

export const accounts = {
  admin: { email: "admin@example.com", password: "portico-admin" },
  provider: { email: "provider@example.com", password: "portico-provider" },
  developer: { email: "developer@example.com", password: "portico-developer" },
} as const;

export type Account = { email: string; password: string };

export async function signIn(page: Page, account: Account) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/apis$/);
}

/** Signs up a brand-new portal user and leaves them signed in. */
export async function signUp(page: Page, name = "Nina Newcomer"): Promise<Account> {
  const account = { email: `user-${randomBytes(4).toString("hex")}@example.test`, password: "a-long-password-1" };
  await page.goto("/signup");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/apis$/);
  return account;
}

export const test = base.extend<{ nav: ReturnType<Page["getByRole"]> }>({
  nav: async ({ page }, use) => use(page.getByRole("navigation", { name: "Main" })),
});

export { expect };
