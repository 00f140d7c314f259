import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";

test.describe("Access tokens", () => {
  test.use({ signedInAs: "developer" });

  test("a developer creates a token, sees it once, reads /api/v1/me with it, and revokes it", async ({ page, context, request }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const name = `CI pipeline ${randomBytes(3).toString("hex")}`;

    await page.goto("/settings/password");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Access tokens" }).click();
    await expect(page.getByRole("heading", { name: "Access tokens", level: 1 })).toBeVisible();

    const form = page.getByRole("form", { name: "Create token" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Expires").selectOption({ label: "in 30 days" });
    await form.getByLabel("Scope").selectOption({ label: "read and write" });
    await form.getByRole("button", { name: "Create token" }).click();

    // Shown once, with a Copy button and a sentence saying so.
    const shown = page.getByLabel("New access token");
    await expect(shown).toHaveText(/^pat_[A-Za-z0-9_-]{43}$/);
    await expect(page.getByText("it will not be shown again")).toBeVisible();
    const token = (await shown.textContent())!;
    // The form starts again empty for the next token.
    await expect(form.getByLabel("Name")).toHaveValue("");
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect(row).toContainText("read and write");
    await expect(row).toContainText("Never");
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

    // A program reads who it is with that token.
    const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    const body = await me.json();
    expect(body).toMatchObject({ email: "developer@example.com", profile: expect.any(String) });
    expect(body.organizations.length).toBeGreaterThan(0);
    expect(body.organizations[0]).toEqual({ slug: expect.any(String), name: expect.any(String), role: expect.any(String) });

    // Never shown again: after a reload the list has the token, the page does not.
    await page.reload();
    await expect(row).toBeVisible();
    await expect(page.getByLabel("New access token")).toHaveCount(0);
    await expect(page.locator("body")).not.toContainText(token);

    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke ${name}` });
    await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText("Revoked");

    const refused = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);
    expect(refused.headers()["content-type"]).toContain("application/problem+json");
    expect(refused.headers()["www-authenticate"]).toMatch(/^Bearer/);
    expect(await refused.json()).toMatchObject({ status: 401, code: "token_invalid", type: "urn:portico:problem:token_invalid" });
  });

  test("a token can expire on a chosen date, and the list says which", async ({ page }) => {
    const name = `Dated ${randomBytes(3).toString("hex")}`;
    const day = new Date(Date.now() + 60 * 86_400_000);
    const iso = day.toISOString().slice(0, 10);
    await page.goto("/settings/tokens");
    const form = page.getByRole("form", { name: "Create token" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Expires").selectOption({ label: "on a date…" });
    await form.getByLabel("Expiry date").fill(iso);
    await form.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByLabel("New access token")).toHaveText(/^pat_/);
    const shown = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(day);
    await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText(shown);
  });

  test("the API answers a missing or malformed token with a 401 problem, never a redirect or a 500", async ({ request }) => {
    for (const authorization of [undefined, "Bearer", `Bearer pat_${"A".repeat(5000)}`, "Basic dXNlcjpwYXNz", "Bearer ptk_abc"]) {
      const response = await request.get("/api/v1/me", { headers: authorization ? { Authorization: authorization } : {}, maxRedirects: 0 });
      expect(response.status(), authorization).toBe(401);
      expect((await response.json()).code).toBe("token_invalid");
    }
  });
});
