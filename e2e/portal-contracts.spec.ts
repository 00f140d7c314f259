import { expect, signUp, test } from "./fixtures";

test.describe("signing contracts from an API page", () => {
  test("a newcomer makes a client on the spot, signs the Bronze plan, and finds the contract in My Clients", async ({ page, apiPage: api, myClients }) => {
    await signUp(page, "Olive Onthespot");
    await api.goto("acme", "weather");
    await api.openCreateContract();
    await expect(api.dialog.getByLabel("Client")).toContainText("No client can sign");
    await expect(api.dialog.getByRole("button", { name: "Create contract" })).toBeDisabled();
    await api.createClientOnTheSpot("Forecast Widget");
    await expect(api.dialog.getByLabel("Client").locator("option:checked")).toHaveText("Forecast Widget 1.0");
    await api.dialog.getByLabel("Plan").selectOption({ label: "Bronze 1.0 — 5 requests per second · 1,000 per day" });
    await api.dialog.getByRole("button", { name: "Create contract" }).click();
    await expect(api.success).toContainText("Contract created");
    await expect(api.dialog).toBeHidden();

    await api.success.getByRole("link", { name: "See it in My Clients" }).click();
    const row = myClients.contractRow("Forecast Widget", "Weather");
    await expect(row).toContainText("Bronze 1.0");
    await expect(row).toContainText("Active");
    await expect(row).toContainText(`/acme/weather/1.0/`);
    await expect(myClients.section("Forecast Widget")).toContainText("Registered");
  });

  test("a plan that needs approval leaves the request awaiting approval, and the consumer can withdraw it", async ({ page, myClients, apiPage: api }) => {
    await signUp(page, "Gail Goldseeker");
    await myClients.goto();
    await myClients.newClient("Gold Rush");
    await api.goto("acme", "weather");
    await api.createContract("Gold Rush", "Gold");
    await expect(api.success).toContainText("Awaiting approval");

    await myClients.goto();
    const row = myClients.contractRow("Gold Rush", "Weather");
    await expect(row).toContainText("Awaiting approval");
    await expect(myClients.section("Gold Rush")).toContainText("Awaiting approval");
    await row.getByRole("button", { name: "Withdraw" }).click();
    await expect(row).toHaveCount(0);
    await expect(myClients.section("Gold Rush")).toContainText("No contracts yet");
  });

  test("a second contract with the same API is refused: the client is shown disabled, a forced request gets the rule, and the plan chosen stays", async ({ page, apiPage: api }) => {
    await signUp(page, "Dora Duplicate");
    await api.goto("acme", "weather");
    await api.openCreateContract();
    await api.createClientOnTheSpot("Ledger");
    await api.dialog.getByRole("button", { name: "Create contract" }).click();
    await expect(api.success).toContainText("Contract created");

    await api.openCreateContract();
    const option = api.dialog.getByLabel("Client").locator("option", { hasText: "Ledger 1.0" });
    await expect(option).toBeDisabled();
    await expect(option).toContainText("already has a contract with this API version");
    const plan = api.dialog.getByLabel("Plan");
    const second = (await plan.locator("option").nth(1).textContent())!;
    await plan.selectOption({ label: second });
    // Past the form's guard: the server's rule answers, and the form keeps what was chosen.
    await api.forgeField("clientVersionId", (await option.getAttribute("value"))!);
    await api.dialog.getByRole("button", { name: "Create contract" }).click();
    await expect(api.error).toHaveText("This client version already has a contract with this API version.");
    await expect(plan.locator("option:checked")).toHaveText(second);
  });

  test("a retired client version cannot sign, even when the form is forced", async ({ page, myClients, apiPage: api }) => {
    await signUp(page, "Rita Retiree");
    await myClients.goto();
    await myClients.newClient("Old Kiosk");
    await myClients.retireVersion("Old Kiosk");

    await api.goto("acme", "weather");
    await api.openCreateContract();
    const option = api.dialog.getByLabel("Client").locator("option", { hasText: "Old Kiosk 1.0" });
    await expect(option).toBeDisabled();
    await expect(option).toContainText("retired");
    await expect(api.dialog.getByRole("button", { name: "Create contract" })).toBeDisabled();
    await api.forgeField("clientVersionId", (await option.getAttribute("value"))!);
    await api.forceSubmit();
    await expect(api.error).toHaveText("That client version is retired and cannot sign contracts.");
  });

  test("a contract with a public API is refused by the server, whatever the form says", async ({ page, apiPage: api }) => {
    await signUp(page, "Paco Public");
    await api.goto("acme", "echo");
    const echoVersionId = await api.apiVersionId();
    await api.goto("acme", "weather");
    await api.openCreateContract();
    await api.createClientOnTheSpot("Echo Chamber");
    await api.forgeField("apiVersionId", echoVersionId);
    await api.dialog.getByRole("button", { name: "Create contract" }).click();
    await expect(api.error).toHaveText("That API is public: it needs no contract and no API key.");
  });

  test("a rejected request shows the provider's reason, and the answer arrives as a notification", async ({ page, asProvider, nav, apiPage: api, myClients }) => {
    await signUp(page, "Rhea Rejected");
    await api.goto("acme", "weather");
    await api.openCreateContract();
    await api.createClientOnTheSpot("Rejected Radar");
    await api.choose("Rejected Radar", "Gold");
    await api.dialog.getByRole("button", { name: "Create contract" }).click();
    await expect(api.success).toContainText("Awaiting approval");

    await asProvider.goto("/manage/approvals");
    const request = asProvider.getByRole("row").filter({ hasText: "Rejected Radar" });
    await request.getByRole("button", { name: "Reject" }).click();
    await asProvider.getByRole("dialog").getByLabel("Reason").fill("Gold is for production apps; start with Bronze.");
    await asProvider.getByRole("dialog").getByRole("button", { name: "Reject" }).click();
    await expect(request).toHaveCount(0);

    await myClients.goto();
    const row = myClients.contractRow("Rejected Radar", "Weather");
    await expect(row).toContainText("Rejected");
    await expect(row).toContainText("Reason: Gold is for production apps; start with Bronze.");

    await expect(nav.getByRole("link", { name: "Notifications, 1 unread" })).toBeVisible();
    await nav.getByRole("link", { name: /^Notifications/ }).click();
    const notification = page.getByRole("table", { name: "Notifications" }).getByRole("row").filter({ hasText: "was rejected" });
    await expect(notification).toContainText("Gold is for production apps");
    await notification.getByRole("button", { name: "Mark as read" }).click();
    await expect(nav.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();
  });
});

test.describe("what the portal does takes effect at the gateway", () => {
  test("a client's key reaches a private API once its contract is active, and no longer once it is deleted", async ({ page, myClients, apiPage: api }) => {
    await signUp(page, "Gus Gateway");
    await myClients.goto();
    await myClients.newClient("Live Wire");
    await myClients.section("Live Wire").getByRole("button", { name: "Reveal API key" }).click();
    await expect(myClients.apiKey("Live Wire")).toHaveText(/^ptk_[A-Za-z0-9_-]{32}$/);
    const key = (await myClients.apiKey("Live Wire").textContent())!;
    const gateway = `http://localhost:${process.env.E2E_GATEWAY_PORT}/acme/weather/1.0/forecast?city=Oslo`;
    const call = () => page.request.get(gateway, { headers: { "X-API-Key": key }, failOnStatusCode: false });

    expect((await call()).status()).toBe(403);

    await api.goto("acme", "weather");
    await api.createContract("Live Wire", "Bronze");
    await expect(api.success).toContainText("Contract created");
    await expect.poll(async () => (await call()).status(), { timeout: 5_000 }).toBe(200);

    await myClients.goto();
    await myClients.deleteContract("Live Wire", "Weather");
    await expect.poll(async () => (await call()).status(), { timeout: 5_000 }).toBe(403);
  });
});
