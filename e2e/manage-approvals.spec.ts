import { expect, signUp, test } from "./fixtures";
import { apiAs } from "./api-setup";
import { main, uniqueSuffix } from "./manage-pages";

test.describe("Approvals in bulk", () => {
  test.setTimeout(120_000);
  test.use({ signedInAs: "provider" });

  test("the provider selects several requests and decides them together, with one shared reason to reject", async ({ page, newVisitor, approvals }) => {
    const run = uniqueSuffix();
    const clients = [`Kiosk ${run}`, `Signage ${run}`, `Ticker ${run}`];
    const developer = await newVisitor();
    await signUp(developer, `Owner of ${run}`);
    const setup = await apiAs(developer);
    for (const client of clients) {
      // The demo's Weather API offers Gold with approval required.
      expect(await setup.signContract(await setup.createClient(client), { org: "acme", api: "weather", plan: "Gold" })).toBe("AwaitingApproval");
    }
    await developer.context().close();

    await approvals.goto();
    await main(page).getByRole("searchbox", { name: "Filter requests" }).fill(run);
    await expect(approvals.table().getByRole("row")).toHaveCount(1 + clients.length);
    for (const client of clients) await expect(approvals.row(client)).toContainText("Weather 1.0");

    // Rejecting needs the shared reason.
    await approvals.select(clients[0]);
    // Ticking a row keeps the focus on its checkbox, for those who go on with the keyboard.
    await expect(approvals.row(clients[0]).getByRole("checkbox")).toBeFocused();
    await approvals.select(clients[1]);
    await expect(approvals.bulk().getByText("2 selected.")).toBeVisible();
    await approvals.bulk().getByRole("button", { name: "Reject selected" }).click();
    await expect(approvals.bulk().getByRole("alert")).toHaveText("Reason: a reason is required.");

    await approvals.bulk().getByLabel("Shared reason").fill("Gold is for paying customers.");
    await approvals.bulk().getByRole("button", { name: "Reject selected" }).click();
    await expect(main(page).getByRole("status").filter({ hasText: "Rejected 2 requests." })).toBeVisible();
    await expect(approvals.row(clients[0])).toHaveCount(0);
    await expect(approvals.row(clients[1])).toHaveCount(0);

    await approvals.select(clients[2]);
    await approvals.bulk().getByRole("button", { name: "Approve selected" }).click();
    await expect(main(page).getByRole("status").filter({ hasText: "Approved 1 request." })).toBeVisible();
    await expect(main(page).getByText("No requests await your decision.")).toBeVisible();
    await expect(approvals.row(clients[2])).toHaveCount(0);
  });
});
