import { accounts, expect, signIn, signUp, test } from "./fixtures";

test.describe("signing in and out", () => {
  test("a signed-out visitor is sent to the sign-in page", async ({ page }) => {
    await page.goto("/my-clients");
    await expect(page).toHaveURL(/\/login\?next=%2Fmy-clients$/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("the developer signs in and sees the portal navigation only", async ({ page, nav }) => {
    await signIn(page, accounts.developer);
    await expect(nav.getByRole("link", { name: "APIs" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "My Clients" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "API Management" })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "Approvals" })).toHaveCount(0);
    await expect(nav.getByRole("button", { name: "Sign out" })).toBeVisible();
  });

  for (const who of ["provider", "admin"] as const) {
    test(`the ${who} signs in and also sees API Management and Approvals`, async ({ page, nav }) => {
      await signIn(page, accounts[who]);
      for (const name of ["APIs", "My Clients", "API Management", "Approvals"]) {
        await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
      }
    });
  }

  test("a wrong password gets one generic message and no session", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(accounts.developer.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
    await page.getByLabel("Email").fill("nobody-here@example.com");
    await page.getByLabel("Password").fill("whatever-it-is");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
    await page.goto("/apis");
    await expect(page).toHaveURL(/\/login/);
  });

  test("the sign-in returns to the page that was asked for", async ({ page }) => {
    await page.goto("/my-clients");
    await page.getByLabel("Email").fill(accounts.developer.email);
    await page.getByLabel("Password").fill(accounts.developer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/my-clients$/);
  });

  test("signing out ends the session", async ({ page, nav }) => {
    await signIn(page, accounts.developer);
    await nav.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/apis");
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe("signing up", () => {
  test("a newcomer signs up, lands in the catalog with the portal navigation, and can sign in again", async ({ page, nav }) => {
    const account = await signUp(page, "Nina Newcomer");
    await expect(nav.getByText("Nina Newcomer")).toBeVisible();
    await expect(nav.getByRole("link", { name: "API Management" })).toHaveCount(0);
    await nav.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, account);
  });

  test("an email that already has an account is refused, and the form says why", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Name").fill("Copy Cat");
    await page.getByLabel("Email").fill(accounts.developer.email);
    await page.getByLabel("Password").fill("a-long-password-1");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("An account with that email already exists.");
    // What was typed stays, so only the email needs changing.
    await expect(page.getByLabel("Name")).toHaveValue("Copy Cat");
    await expect(page.getByLabel("Email")).toHaveValue(accounts.developer.email);
  });

  test("a short password is refused with the rule", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Name").fill("Shorty");
    await page.getByLabel("Email").fill("shorty@example.test");
    // The browser's own minlength check is bypassed so the server's rule is what answers.
    await page.getByLabel("Password").evaluate((el) => el.removeAttribute("minlength"));
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("At least 10 characters");
  });

  test("after five wrong passwords the account is throttled, even for the right one", async ({ page, nav }) => {
    const account = await signUp(page, "Tess Throttle");
    await nav.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").fill(account.email);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("Password").fill(`wrong-password-${i}`);
      // Each attempt must reach the server before the next one counts.
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/login")),
        page.getByRole("button", { name: "Sign in" }).click(),
      ]);
      await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
      // The email stays after a wrong password: only the password is typed again.
      await expect(page.getByLabel("Email")).toHaveValue(account.email);
    }
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed attempts");
  });
});
