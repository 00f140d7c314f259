import { randomBytes } from "node:crypto";
import path from "node:path";
import { test as base, type Browser, type BrowserContext, expect, type Locator, type Page } from "@playwright/test";
import { ApprovalsPage, ManageHome } from "./manage-pages";
import { ApiPage, CatalogPage, MyClientsPage } from "./portal-pages";

export const accounts = {
  admin: { email: "admin@example.com", password: "portico-admin" },
  provider: { email: "provider@example.com", password: "portico-provider" },
  developer: { email: "developer@example.com", password: "portico-developer" },
} as const;

export type Account = { email: string; password: string };
export type DemoAccount = keyof typeof accounts;

/**
 * Where the setup project keeps each demo account's login: inside this run's data directory,
 * so it lives exactly as long as the database whose session it names.
 */
export function savedLogin(who: DemoAccount): string {
  return path.join(process.env.E2E_DATA_DIR!, "playwright-auth", `${who}.json`);
}

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

type Fixtures = {
  /**
   * The demo account whose saved login `page` starts with (`test.use({ signedInAs: "provider" })`);
   * null, the default, starts signed out. Sessions live on the server: a test that signs out or
   * changes a password must sign in on its own instead, or it ends the saved login for everyone.
   */
  signedInAs: DemoAccount | null;
  /** The main navigation of `page`. */
  nav: Locator;
  /** A page of its own browser context, already signed in with the saved login of that demo account. */
  asAdmin: Page;
  asProvider: Page;
  asDeveloper: Page;
  /**
   * Opens a page in a browser context of its own that nobody is signed in to, whatever
   * `signedInAs` says (a bare `browser.newContext()` takes the test's saved login too).
   * Its context closes with the test.
   */
  newVisitor: () => Promise<Page>;
  /** Page objects on `page`. */
  catalog: CatalogPage;
  apiPage: ApiPage;
  myClients: MyClientsPage;
  manageHome: ManageHome;
  approvals: ApprovalsPage;
};

async function pageSignedInAs(browser: Browser, who: DemoAccount, use: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ storageState: savedLogin(who) });
  await use(await context.newPage());
  await context.close();
}

export const test = base.extend<Fixtures>({
  signedInAs: [null, { option: true }],
  storageState: async ({ signedInAs, storageState }, use) => use(signedInAs ? savedLogin(signedInAs) : storageState),
  nav: async ({ page }, use) => use(page.getByRole("navigation", { name: "Main" })),
  asAdmin: async ({ browser }, use) => pageSignedInAs(browser, "admin", use),
  asProvider: async ({ browser }, use) => pageSignedInAs(browser, "provider", use),
  asDeveloper: async ({ browser }, use) => pageSignedInAs(browser, "developer", use),
  newVisitor: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },
  catalog: async ({ page }, use) => use(new CatalogPage(page)),
  apiPage: async ({ page }, use) => use(new ApiPage(page)),
  myClients: async ({ page }, use) => use(new MyClientsPage(page)),
  manageHome: async ({ page }, use) => use(new ManageHome(page)),
  approvals: async ({ page }, use) => use(new ApprovalsPage(page)),
});

export { expect };
