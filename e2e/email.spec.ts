import { startTestSmtpServer, type TestSmtpServer } from "../lib/outbox/test-smtp-server";
import { expect, signIn, signUp, test } from "./fixtures";

// One SMTP server on the port the portal under test sends to (playwright.config.ts): these tests run in one worker.
test.describe.configure({ mode: "serial" });

let smtp: TestSmtpServer;
test.beforeAll(async () => {
  smtp = await startTestSmtpServer(Number(process.env.E2E_SMTP_PORT));
});
test.afterAll(async () => {
  await smtp?.stop();
});

const SAME_ANSWER = "If an account exists for that address, we sent a link.";

test.describe("email", () => {
  test("a forgotten password is reset through the emailed link, which then no longer works", async ({ page, newVisitor }) => {
    const account = await signUp(page, "Rita Reset");
    const visitor = await newVisitor();
    await visitor.goto("/login");
    await visitor.getByRole("link", { name: "Forgot your password?" }).click();
    // The sign-in form has an Email field too: wait for the new page before filling one.
    await expect(visitor.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await visitor.getByLabel("Email").fill(account.email);
    await visitor.getByRole("button", { name: "Send me a link" }).click();
    await expect(visitor.getByRole("main").getByRole("status")).toHaveText(SAME_ANSWER);

    await expect.poll(() => smtp.to(account.email).length, { timeout: 15_000 }).toBe(1);
    const [mail] = smtp.to(account.email);
    expect(mail.subject).toBe("Reset your Portico password");
    const link = /http:\/\/localhost:\d+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? "")![0];

    await visitor.goto(link);
    await visitor.getByLabel("New password", { exact: true }).fill("a-new-long-password");
    await visitor.getByRole("button", { name: "Set the new password" }).click();
    await expect(visitor.getByRole("main").getByRole("status")).toContainText("Your password was changed");
    // The session of the other browser ended with the reset.
    await page.goto("/my-clients");
    await expect(page).toHaveURL(/\/login/);
    await signIn(visitor, { email: account.email, password: "a-new-long-password" });

    await visitor.goto(link);
    await expect(visitor.getByRole("main").getByRole("alert")).toHaveText("That password reset link was already used. Ask for a new one if you need to.");
  });

  test("an unknown address gets the same answer, and no email", async ({ page }) => {
    await page.goto("/forgot-password");
    await page.getByLabel("Email").fill("nobody-at-all@example.test");
    await page.getByRole("button", { name: "Send me a link" }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText(SAME_ANSWER);
    expect(smtp.to("nobody-at-all@example.test")).toHaveLength(0);
  });

  test("Settings → Notifications keeps the kinds of email a person turned off", async ({ page }) => {
    await signUp(page, "Nora Notified");
    await page.goto("/settings/notifications");
    await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
    const decisions = page.getByRole("checkbox", { name: /Decisions on my requests/ });
    await expect(decisions).toBeChecked();
    await decisions.uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("form", { name: "Email notifications" }).getByRole("status")).toHaveText("Your email preferences were saved.");
    await page.reload();
    await expect(page.getByRole("checkbox", { name: /Decisions on my requests/ })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: /Requests waiting for my approval/ })).toBeChecked();
  });
});
