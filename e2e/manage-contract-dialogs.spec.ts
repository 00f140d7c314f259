import type { Locator, Page } from "@playwright/test";
import { apiAs } from "./api-setup";
import { expect, signUp, test } from "./fixtures";
import { ApiVersionPage, ClientVersionPage, main, uniqueSuffix } from "./manage-pages";

/*
 * The Contracts tabs keep a button per row but one dialog for the whole table: a button opens it
 * with its own row's form. The dialog must name that row, start afresh each time, and give the
 * focus back to the button that opened it.
 */

const weather = { org: "acme", api: "weather" };

/** The dialogs inside the Contracts section of a version page, open or closed. */
function contractsSectionDialogs(page: Page): Locator {
  return main(page).locator('section[aria-labelledby="contracts-heading"] dialog');
}

test.describe("the row dialogs of the Contracts tabs", () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test("on an API version, one dialog serves every row: it names the row, starts afresh and gives the focus back", async ({ page, asProvider: provider }) => {
    await signUp(page, "Dina Dialog");
    const setup = await apiAs(page);
    const run = uniqueSuffix();
    const [north, south] = [`Dial North ${run}`, `Dial South ${run}`];
    for (const name of [north, south]) expect(await setup.signContract(await setup.createClient(name), { ...weather, plan: "Bronze" })).toBe("Active");

    const weatherPage = new ApiVersionPage(provider, "acme", "weather", "1.0");
    await weatherPage.goto("contracts");
    await expect(weatherPage.contractRow(south)).toBeVisible();
    // However many rows, the table carries one (closed) dialog, not a hidden form per button.
    await expect(contractsSectionDialogs(provider)).toHaveCount(1);

    const suspendNorth = weatherPage.contractRow(north).getByRole("button", { name: `Suspend contract of ${north} 1.0` });
    await suspendNorth.click();
    const dialog = provider.getByRole("dialog", { name: "Suspend contract" });
    await expect(dialog).toContainText(`${north} 1.0`);
    await expect(dialog.getByLabel("Reason")).toBeFocused();
    // The server refuses an empty reason: the dialog stays open with the sentence.
    await dialog.getByLabel("Reason").evaluate((el) => el.removeAttribute("required"));
    await dialog.getByRole("button", { name: "Suspend contract" }).click();
    await expect(dialog.getByRole("alert")).toHaveText("Reason: a reason is required.");
    await provider.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(suspendNorth).toBeFocused();

    // Another row: its own words, and none of the last form's text or refusal.
    await weatherPage.contractRow(south).getByRole("button", { name: `Suspend contract of ${south} 1.0` }).click();
    await expect(dialog).toContainText(`${south} 1.0`);
    await expect(dialog).not.toContainText(north);
    await expect(dialog.getByRole("alert")).toHaveCount(0);
    await expect(dialog.getByLabel("Reason")).toHaveValue("");
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toBeHidden();

    const endDate = weatherPage.contractRow(south).getByRole("button", { name: `Set end date of ${south} 1.0` });
    await endDate.click();
    const endDialog = provider.getByRole("dialog", { name: `End date of ${south} 1.0` });
    await expect(endDialog.getByLabel("Ends at (UTC)")).toBeFocused();
    await expect(endDialog.getByRole("button", { name: "Remove end date" })).toHaveCount(0);
    await provider.keyboard.press("Escape");
    await expect(endDialog).toBeHidden();
    await expect(endDate).toBeFocused();

    // The shared dialog still runs the action of the row it was opened for.
    await weatherPage.suspend(south, "Paused for the dialog test.");
    await expect(weatherPage.contractRow(south)).toContainText("Reason: Paused for the dialog test.");
    await expect(weatherPage.contractRow(north)).toContainText("Active");
  });

  test("on a client version, a request is withdrawn and a contract broken through the table's dialog", async ({ page, asAdmin: admin }) => {
    await signUp(page, "Cleo Client");
    const setup = await apiAs(page);
    const run = uniqueSuffix();
    const waiting = await setup.createClient(`Dial Waiting ${run}`);
    const running = await setup.createClient(`Dial Running ${run}`);
    // Gold requires approval on Weather: the request waits.
    expect(await setup.signContract(waiting, { ...weather, plan: "Gold" })).toBe("AwaitingApproval");
    expect(await setup.signContract(running, { ...weather, plan: "Bronze" })).toBe("Active");

    // The clients belong to the developer's personal organization: an admin manages them.
    const waitingPage = new ClientVersionPage(admin, setup.org, waiting, "1.0");
    await waitingPage.goto("contracts");
    const request = waitingPage.contracts().getByRole("row").filter({ hasText: "Gold" });
    await expect(contractsSectionDialogs(admin)).toHaveCount(1);
    await request.getByRole("button", { name: /^Withdraw request for Weather/ }).click();
    const withdraw = admin.getByRole("dialog", { name: "Withdraw request" });
    await expect(withdraw).toContainText("on the Gold plan is taken back");
    await withdraw.getByRole("button", { name: "Withdraw request" }).click();
    await expect(withdraw).toBeHidden();
    await expect(request).toContainText("Withdrawn");
    await expect(request.getByRole("button")).toHaveCount(0);

    const runningPage = new ClientVersionPage(admin, setup.org, running, "1.0");
    await runningPage.goto("contracts");
    const contract = runningPage.contracts().getByRole("row").filter({ hasText: "Bronze" });
    await contract.getByRole("button", { name: /^Break contract with Weather/ }).click();
    const breaking = admin.getByRole("dialog", { name: "Break contract" });
    await expect(breaking).toContainText("with this client's key are refused from now on");
    await breaking.getByRole("button", { name: "Break contract" }).click();
    await expect(breaking).toBeHidden();
    await expect(contract).toContainText("Broken");
  });
});
