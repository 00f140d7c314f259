import type { APIRequestContext, Page } from "@playwright/test";
import { apiAs } from "./api-setup";
import { expect, signUp, test } from "./fixtures";
import { ApiVersionPage, ApprovalsPage, main, OrganizationPage, uniqueSuffix } from "./manage-pages";
import { MyClientsPage } from "./portal-pages";

/*
 * The provider runs contracts after signing: suspends and resumes one, gives one an end date, and
 * approves a plan change. The developer's program sees each change at the gateway.
 */

const forecast = `http://localhost:${process.env.E2E_GATEWAY_PORT}/acme/weather/1.0/forecast?city=Oslo`;
const weather = { org: "acme", api: "weather", plan: "Bronze" };

/** A new developer with a client on Bronze to Weather: its name, contract id and key. */
async function developerWithBronzeContract(page: Page, who: string) {
  await signUp(page, who);
  const setup = await apiAs(page);
  const clientName = `Forecast Board ${uniqueSuffix()}`;
  const client = await setup.createClient(clientName);
  const contract = await setup.createContract(client, weather);
  expect(contract.status).toBe("Active");
  return { setup, clientName, contractId: contract.id, apiKey: await setup.revealKey(client) };
}

/** What the gateway answers the key right now: its status and, for a refusal, its problem code. */
async function gatewayAnswer(request: APIRequestContext, apiKey: string): Promise<string> {
  const response = await request.get(forecast, { headers: { "X-API-Key": apiKey } });
  if (response.ok()) return String(response.status());
  return `${response.status()} ${((await response.json()) as { code?: string }).code}`;
}

test.describe("the provider runs a contract", () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test("a suspension with a reason stops the developer's calls until the provider resumes it", async ({ page, asProvider: provider, request }) => {
    const developer = await developerWithBronzeContract(page, "Sue Summers");
    await expect.poll(() => gatewayAnswer(request, developer.apiKey), { timeout: 2_000 }).toBe("200");

    const weatherPage = new ApiVersionPage(provider, "acme", "weather", "1.0");
    await weatherPage.goto("contracts");
    const row = weatherPage.contractRow(developer.clientName);
    await expect(row.getByRole("link", { name: new RegExp(`^Open the contract of ${developer.clientName}`) })).toHaveAttribute("href", `/contracts/${developer.contractId}`);
    await weatherPage.suspend(developer.clientName, "Unpaid invoice for November.");
    await expect(weatherPage.contractNotice()).toHaveText("The contract is suspended; the gateway refuses its calls until it is resumed.");
    await expect(row).toContainText("Reason: Unpaid invoice for November.");
    await expect(row.getByRole("button", { name: /^Resume contract of/ })).toBeVisible();
    await row.scrollIntoViewIfNeeded();
    await provider.screenshot({ path: test.info().outputPath("contracts-tab-suspended.png"), fullPage: true });

    await expect.poll(() => gatewayAnswer(request, developer.apiKey), { timeout: 2_000 }).toBe("403 contract_suspended");

    const myClients = new MyClientsPage(page);
    await myClients.goto();
    const contract = myClients.contractRow(developer.clientName, "Weather");
    await expect(contract).toContainText("Suspended");
    await expect(contract).toContainText("Unpaid invoice for November.");

    // The status filter knows the new status.
    await weatherPage.goto("contracts");
    const statusFilter = main(provider).getByLabel("Status");
    await statusFilter.selectOption({ label: "Suspended" });
    await expect(provider).toHaveURL(/contracts-status=Suspended/);
    await expect(weatherPage.contractRow(developer.clientName)).toBeVisible();
    await statusFilter.selectOption({ label: "All statuses" });
    await weatherPage.resume(developer.clientName);
    await expect(weatherPage.contractNotice()).toHaveText("The contract is resumed; its calls go through again.");
    await expect.poll(() => gatewayAnswer(request, developer.apiKey), { timeout: 2_000 }).toBe("200");
  });

  test("a trial the provider ends: the gateway refuses once the end date passes, and the contract expires", async ({ page, asProvider: provider, request }) => {
    const developer = await developerWithBronzeContract(page, "Tim Trial");
    await expect.poll(() => gatewayAnswer(request, developer.apiKey), { timeout: 2_000 }).toBe("200");

    const weatherPage = new ApiVersionPage(provider, "acme", "weather", "1.0");
    await weatherPage.goto("contracts");
    // A few seconds ahead, written as the dialog reads it: UTC, to the second.
    const end = new Date(Date.now() + 6_000);
    await weatherPage.setEndDate(developer.clientName, end.toISOString().slice(0, 19));
    await expect(weatherPage.contractNotice()).toHaveText("The end date is set; the consumer is told.");
    await expect(weatherPage.contractRow(developer.clientName)).toContainText("Ends");
    await expect(weatherPage.contractRow(developer.clientName).getByRole("button", { name: /^Change end date of/ })).toBeVisible();

    await expect.poll(() => gatewayAnswer(request, developer.apiKey), { timeout: 15_000 }).toBe("403 contract_expired");

    // The expiry job (every second in these tests) records what the gateway already enforces.
    await expect
      .poll(
        async () => {
          await weatherPage.goto("contracts");
          return weatherPage.contractRow(developer.clientName).getByText("Expired", { exact: true }).isVisible();
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await expect(weatherPage.contractRow(developer.clientName).getByRole("button")).toHaveCount(0);
  });

  test("a plan change the developer asked for waits in Approvals, and approving it moves the contract to Gold", async ({ page, asProvider: provider }) => {
    const developer = await developerWithBronzeContract(page, "Gil Gold");
    // Gold requires approval on Weather: the change waits.
    expect(await developer.setup.requestPlanChange(developer.contractId, { ...weather, plan: "Gold" })).not.toBeNull();

    const weatherPage = new ApiVersionPage(provider, "acme", "weather", "1.0");
    await weatherPage.goto("contracts");
    await expect(weatherPage.contractRow(developer.clientName)).toContainText("Plan change to Gold 1.0 awaiting approval");

    const approvals = new ApprovalsPage(provider);
    await approvals.goto();
    const row = approvals.row(developer.clientName);
    await expect(row).toContainText("Plan change: Bronze 1.0 → Gold 1.0");
    await provider.screenshot({ path: test.info().outputPath("approvals-plan-change.png"), fullPage: true });
    await approvals.approvePlanChange(developer.clientName);

    await weatherPage.goto("contracts");
    const contract = weatherPage.contractRow(developer.clientName);
    await expect(contract).toContainText("Gold 1.0");
    await expect(contract).not.toContainText("awaiting approval");
  });

  test("a plan change cancelled meanwhile leaves no live buttons in Approvals", async ({ page, asProvider: provider }) => {
    const developer = await developerWithBronzeContract(page, "Cal Cancelled");
    expect(await developer.setup.requestPlanChange(developer.contractId, { ...weather, plan: "Gold" })).not.toBeNull();

    const approvals = new ApprovalsPage(provider);
    await approvals.goto();
    await expect(approvals.row(developer.clientName)).toContainText("Plan change: Bronze 1.0 → Gold 1.0");

    // The developer takes the request back while the provider's page still shows it.
    await developer.setup.cancelPlanChange(developer.contractId);

    await approvals.row(developer.clientName).getByRole("button", { name: /^Approve plan change of/ }).click();
    await expect(main(provider).getByRole("status").filter({ hasText: "That plan change no longer awaits approval" })).toBeVisible();
    await expect(approvals.row(developer.clientName)).toHaveCount(0);
  });
});

test.describe("a plan's duration and terms of use", () => {
  test.use({ signedInAs: "provider" });

  test("are edited with a preview while the plan version is open, and frozen once it is locked", async ({ page }) => {
    const acme = new OrganizationPage(page, "acme");
    const run = uniqueSuffix();
    const plan = await acme.createPlan(`Trial ${run}`, `trial-${run}`);
    const form = page.getByRole("form", { name: "Duration and terms" });
    await form.getByLabel("Duration (days)").fill("14");
    await form.getByLabel("Terms of use").fill("## Fair use\n\nNo **resale** of forecasts.");
    await form.getByRole("button", { name: "Preview terms" }).click();
    const preview = form.getByRole("region", { name: "Preview of the terms of use" });
    await expect(preview.getByRole("heading", { name: "Fair use" })).toBeVisible();
    await expect(preview.locator("strong")).toHaveText("resale");
    await form.getByRole("button", { name: "Save duration and terms" }).click();
    await expect(form.getByRole("status")).toHaveText("The duration and terms were saved.");

    await plan.lock();
    await expect(page.getByRole("form", { name: "Duration and terms" })).toHaveCount(0);
    const section = main(page).getByRole("region", { name: "Duration and terms of use" });
    await expect(section).toContainText("Duration: 14 days");
    await expect(section.getByRole("heading", { name: "Fair use" })).toBeVisible();
  });

  test("the Contracts tab fits a 390 px screen", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await new ApiVersionPage(page, "acme", "weather", "1.0").goto("contracts");
    await expect(main(page).getByRole("table", { name: "Contracts" })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
