import { type APIRequestContext } from "@playwright/test";
import { apiAs, createWriteToken } from "./api-setup";
import { expect, signUp, test } from "./fixtures";

const forecast = `http://localhost:${process.env.E2E_GATEWAY_PORT}/acme/weather/1.0/forecast?city=Oslo`;

/**
 * Calls the gateway with `apiKey` until stopped, about three times a second (under Bronze's
 * 5 per second), and keeps every status it got.
 */
function callContinuously(request: APIRequestContext, apiKey: string) {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      statuses.push((await request.get(forecast, { headers: { "X-API-Key": apiKey } })).status());
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await loop;
    },
  };
}

test.describe("The contract lifecycle in My Clients", () => {
  test("a developer moves from Bronze to Gold with the provider's approval, keeping the key, and calls never fail", async ({ page, myClients, asProvider, request }, testInfo) => {
    await signUp(page, "Lena Lifecycle");
    const api = await apiAs(page);
    const client = await api.createClient("Forecast Wall");
    expect(await api.signContract(client, { org: "acme", api: "weather", plan: "Bronze" })).toBe("Active");

    await myClients.goto();
    const apiKey = await myClients.revealKey("Forecast Wall");
    await expect.poll(async () => (await request.get(forecast, { headers: { "X-API-Key": apiKey } })).status(), { timeout: 5_000 }).toBe(200);
    const calls = callContinuously(request, apiKey);

    await test.step("she asks for Gold, which needs approval", async () => {
      const dialog = await myClients.openChangePlan("Forecast Wall", "Weather");
      const gold = dialog.getByRole("radio", { name: /Gold 1\.0/ });
      await expect(gold).toBeFocused();
      await expect(gold).toBeChecked();
      await expect(dialog).toContainText("needs approval");
      await expect(dialog).toContainText("50 requests per second");
      await dialog.getByRole("button", { name: "Ask for this plan" }).click();
      await expect(dialog).toBeHidden();
      await expect(myClients.main.getByRole("status").filter({ hasText: "Plan change to Gold is awaiting approval." })).toBeVisible();
      const row = myClients.contractRow("Forecast Wall", "Weather");
      await expect(row).toContainText("Bronze 1.0");
      await expect(row).toContainText("Plan change to Gold awaiting approval");
      await expect(row.getByRole("button", { name: "Cancel plan change" })).toBeVisible();
      await expect(row.getByRole("button", { name: "Change plan" })).toHaveCount(0);
      await page.screenshot({ path: testInfo.outputPath("my-clients-pending-1280.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: testInfo.outputPath("my-clients-pending-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    const contractId = await myClients.contractId("Forecast Wall", "Weather");

    await test.step("the provider approves it through the REST API", async () => {
      const token = await createWriteToken(asProvider, "approve plan changes");
      const approved = await asProvider.request.post(`/api/v1/approvals/${contractId}/approve`, { headers: { Authorization: `Bearer ${token}` } });
      expect(approved.status(), await approved.text()).toBe(200);
    });

    await test.step("her row shows Gold, the calls all went through, and the key is the same", async () => {
      await myClients.goto();
      const row = myClients.contractRow("Forecast Wall", "Weather");
      await expect(row).toContainText("Gold 1.0");
      await expect(row).not.toContainText("awaiting approval");
      // A few more calls on Gold before stopping.
      await page.waitForTimeout(1_000);
      await calls.stop();
      expect(calls.statuses.length).toBeGreaterThan(3);
      expect(calls.statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(calls.statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
      expect(await myClients.revealKey("Forecast Wall")).toBe(apiKey);
    });

    await test.step("the contract page tells the story, to her and to the provider", async () => {
      await myClients.contractRow("Forecast Wall", "Weather").getByRole("link", { name: /^History of the contract/ }).click();
      await expect(page).toHaveURL(new RegExp(`/contracts/${contractId}$`));
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forecast Wall 1.0 → Weather 1.0");
      const history = page.getByRole("list", { name: "History of the contract" });
      await expect(history.getByRole("listitem")).toHaveText([
        /Lena Lifecycle signed a contract on Bronze 1\.0; it was active at once$/,
        /Lena Lifecycle asked to move from Bronze 1\.0 to Gold 1\.0$/,
        /Paula Provider approved the move to Gold 1\.0$/,
      ]);
      await expect(page.getByRole("main")).toContainText("Gold 1.0");
      await expect(page.getByRole("main")).toContainText("No end date");
      await page.screenshot({ path: testInfo.outputPath("contract-page-1280.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: testInfo.outputPath("contract-page-390.png"), fullPage: true });

      await asProvider.goto(`/contracts/${contractId}`);
      await expect(asProvider.getByRole("list", { name: "History of the contract" }).getByRole("listitem")).toHaveCount(3);
    });
  });

  test("ended contracts come back under Show ended contracts, with their status", async ({ page, myClients }) => {
    await signUp(page, "Eddie Ended");
    const api = await apiAs(page);
    const client = await api.createClient("Old Kiosk");
    expect(await api.signContract(client, { org: "acme", api: "weather", plan: "Bronze" })).toBe("Active");

    await myClients.goto();
    await myClients.deleteContract("Old Kiosk", "Weather");
    await expect(myClients.contractRow("Old Kiosk", "Weather")).toHaveCount(0);

    // A request for Gold, withdrawn before anyone decides.
    expect(await api.signContract(client, { org: "acme", api: "weather", plan: "Gold" })).toBe("AwaitingApproval");
    await myClients.goto();
    await myClients.contractRow("Old Kiosk", "Weather").getByRole("button", { name: "Withdraw" }).click();
    await expect(myClients.main.getByRole("status").filter({ hasText: "Request withdrawn." })).toBeVisible();
    await expect(myClients.contractRow("Old Kiosk", "Weather")).toHaveCount(0);

    await myClients.showEnded.check();
    await expect(page).toHaveURL(/[?&]ended=1/);
    const rows = myClients.contractRow("Old Kiosk", "Weather");
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "Broken" })).toContainText("Bronze 1.0");
    await expect(rows.filter({ hasText: "Withdrawn" })).toContainText("Gold 1.0");
    // Ended contracts are history: they can be read, not changed.
    await expect(rows.getByRole("button")).toHaveCount(0);

    await page.reload();
    await expect(myClients.showEnded).toBeChecked();
    await myClients.showEnded.uncheck();
    await expect(page).not.toHaveURL(/ended=1/);
    await expect(myClients.contractRow("Old Kiosk", "Weather")).toHaveCount(0);
  });

  test("an owner brings their own API key to a new version of a client", async ({ page, myClients }) => {
    await signUp(page, "Kim Keys");
    await myClients.goto();
    await myClients.newClient("Legacy Bridge");
    await myClients.section("Legacy Bridge").getByRole("button", { name: "New version" }).click();
    const dialog = page.getByRole("dialog", { name: "New version of Legacy Bridge" });
    await dialog.getByLabel("Version", { exact: true }).fill("2.0");
    const own = dialog.getByLabel("Bring your own API key (optional)");
    await own.fill("too-short");
    await dialog.getByRole("button", { name: "Create version" }).click();
    await expect(dialog.getByText("At least 32 characters").first()).toBeVisible();
    // What was typed stays, to be corrected.
    await expect(dialog.getByLabel("Version", { exact: true })).toHaveValue("2.0");

    const key = `legacy-${"k".repeat(40)}`;
    await own.fill(key);
    await dialog.getByRole("button", { name: "Create version" }).click();
    await expect(dialog).toBeHidden();
    await expect(myClients.section("Legacy Bridge").getByRole("status").filter({ hasText: "Version 2.0 created" })).toHaveText("Version 2.0 created with your own API key.");
    await myClients.section("Legacy Bridge").getByRole("button", { name: "Reveal API key" }).click();
    await expect(myClients.apiKey("Legacy Bridge")).toHaveText(key);
  });
});
