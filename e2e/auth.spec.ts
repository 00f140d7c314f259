import type { BrowserContext } from "@playwright/test";
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
    await page.goto("/my-clients");
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
    await page.goto("/my-clients");
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

  test("after five wrong passwords that place waits before trying the account again, and says how long", async ({ page, browser, nav }) => {
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
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(/^Too many failed attempts\. Wait \d+ seconds?, then try again\.$/);

    // Claiming to be somewhere else in X-Forwarded-For changes nothing: no proxy is trusted here.
    const elsewhere = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.77" } });
    const other = await elsewhere.newPage();
    await other.goto("/login");
    await other.getByLabel("Email").fill(account.email);
    await other.getByLabel("Password").fill(account.password);
    await other.getByRole("button", { name: "Sign in" }).click();
    await expect(other.getByRole("main").getByRole("alert")).toContainText("Too many failed attempts");
    await elsewhere.close();

    // The wait is a few seconds, not a lock: after it, the right password gets in.
    await page.waitForTimeout(5_500);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/apis$/);
  });

  test("someone who mistyped a password for an account they did not have yet can still sign up, and is signed in", async ({ page, nav }) => {
    const email = `late-${Date.now().toString(36)}@example.test`;
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("Password").fill(`guess-number-${i}`);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/login")),
        page.getByRole("button", { name: "Sign in" }).click(),
      ]);
      await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
    }
    await page.goto("/signup");
    await page.getByLabel("Name").fill("Lena Late");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a-long-password-1");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/signup")),
      page.getByRole("button", { name: "Sign up" }).click(),
    ]);
    expect(response.status()).toBeLessThan(500);
    await expect(page).toHaveURL(/\/apis$/);
    await expect(nav.getByText("Lena Late")).toBeVisible();
  });
});

test.describe("sessions end on the server", () => {
  const sessionCookie = async (context: BrowserContext) => {
    const cookie = (await context.cookies()).find((c) => /^(__Host-)?authjs\.session-token$/.test(c.name));
    expect(cookie, "a session cookie").toBeTruthy();
    return cookie!;
  };

  test("the session cookie is HttpOnly and SameSite=Lax, and over plain http on localhost it has no prefix", async ({ page }) => {
    await signUp(page, "Carl Cookie");
    const cookie = await sessionCookie(page.context());
    expect(cookie).toMatchObject({ name: "authjs.session-token", httpOnly: true, sameSite: "Lax", path: "/" });
  });

  test("a copy of the session cookie stops working when its owner signs out, even on a page already open", async ({ page, browser, nav }) => {
    const account = await signUp(page, "Sam Stolen");
    const stolen = await browser.newContext();
    await stolen.addCookies([await sessionCookie(page.context())]);
    const thief = await stolen.newPage();
    await thief.goto("/settings/password");
    await expect(thief.getByRole("heading", { name: "Change password" })).toBeVisible();

    await nav.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);

    // A server action sent with the old cookie is refused: the thief is sent to sign in, nothing changes.
    await thief.getByLabel("Current password").fill(account.password);
    await thief.getByLabel("New password").fill("the-thief-was-here-1");
    await thief.getByRole("button", { name: "Change password" }).click();
    await expect(thief).toHaveURL(/\/login/);
    // Pages are refused too.
    await thief.goto("/my-clients");
    await expect(thief).toHaveURL(/\/login/);
    await expect(thief.getByRole("button", { name: "Sign in" })).toBeVisible();
    await stolen.close();

    // The password was not changed.
    await signIn(page, account);
  });

  test("changing the password keeps this browser signed in and signs out every other one", async ({ page, browser, nav }) => {
    const account = await signUp(page, "Pat Password");
    const otherDevice = await browser.newContext();
    await otherDevice.addCookies([await sessionCookie(page.context())]);
    const other = await otherDevice.newPage();
    await other.goto("/apis");
    await expect(other).toHaveURL(/\/apis$/);

    await nav.getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
    await page.getByLabel("Current password").fill("not-my-password-at-all");
    await page.getByLabel("New password").fill("a-brand-new-password-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("That is not your current password.").first()).toBeVisible();

    await page.getByLabel("Current password").fill(account.password);
    await page.getByLabel("New password").fill("a-brand-new-password-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText("Your password was changed. Every other session was signed out.");
    await page.goto("/my-clients");
    await expect(page).toHaveURL(/\/my-clients$/);

    await other.goto("/my-clients");
    await expect(other).toHaveURL(/\/login/);
    await otherDevice.close();

    await nav.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, { email: account.email, password: "a-brand-new-password-2" });
  });
});
