import { apiAs } from "./api-setup";
import { expect, signUp, test } from "./fixtures";
import { ApiPage, MyClientsPage } from "./portal-pages";

test.describe("My Clients", () => {
  test("the demo developer's client is a section headed by its name, with version, status, masked key and contracts", async ({ asDeveloper }) => {
    const myClients = new MyClientsPage(asDeveloper);
    await myClients.goto();
    const section = myClients.section("Weather Dashboard");
    await expect(section.getByRole("heading", { name: "Weather Dashboard" })).toBeVisible();
    await expect(section).toContainText("Version 1.0");
    await expect(section).toContainText("Registered");
    await expect(myClients.apiKey("Weather Dashboard")).toHaveText(/^ptk_•+[\w-]{4}$/);
    const table = myClients.contracts("Weather Dashboard");
    for (const name of ["API", "API version", "Plan", "Status", "Created", "Endpoint"]) {
      await expect(table.getByRole("columnheader", { name, exact: true })).toBeVisible();
    }
    const row = myClients.contractRow("Weather Dashboard", "Weather");
    await expect(row).toContainText("Bronze 1.0");
    await expect(row).toContainText("Active");
  });

  test("a new client starts at version 1.0 with its own key, which can be revealed and copied", async ({ page, context, myClients }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signUp(page, "Kim Keys");
    await myClients.goto();
    await expect(myClients.main).toContainText("You have no clients yet");
    await myClients.main.getByRole("button", { name: "New client" }).click();
    const dialog = page.getByRole("dialog", { name: "New client" });
    await expect(dialog.getByLabel("Version", { exact: true })).toHaveValue("1.0");
    await dialog.getByLabel("Name").fill("Key Ring");
    // A version the server refuses: the form says why and keeps what was typed.
    await dialog.getByLabel("Version", { exact: true }).fill("one two");
    await dialog.getByRole("button", { name: "Create client" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Use letters, digits, dots, dashes and underscores");
    await expect(dialog.getByLabel("Name")).toHaveValue("Key Ring");
    await dialog.getByLabel("Version", { exact: true }).fill("1.0");
    await dialog.getByRole("button", { name: "Create client" }).click();

    const section = myClients.section("Key Ring");
    await expect(section).toContainText("Version 1.0");
    await expect(section).toContainText("Created");
    const masked = (await myClients.apiKey("Key Ring").textContent())!;
    expect(masked).toMatch(/^ptk_•+[\w-]{4}$/);

    await section.getByRole("button", { name: "Reveal API key" }).click();
    const key = myClients.apiKey("Key Ring");
    await expect(key).toHaveText(/^ptk_[A-Za-z0-9_-]{32}$/);
    expect((await key.textContent())!.slice(-4)).toBe(masked.slice(-4));
    await section.getByRole("button", { name: "Hide API key" }).click();
    await expect(key).toHaveText(masked);

    await section.getByRole("button", { name: "Copy API key" }).click();
    await expect(section.getByText("Copied", { exact: true })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^ptk_[A-Za-z0-9_-]{32}$/);
    expect(copied.slice(-4)).toBe(masked.slice(-4));
  });

  test("rotating the key with a grace period shows both keys and when the old one dies", async ({ page, myClients }) => {
    await signUp(page, "Rory Rotate");
    await myClients.goto();
    await myClients.newClient("Spinner");
    const before = await myClients.apiKey("Spinner").textContent();

    await myClients.rotateKey("Spinner", "In 1 hour");
    await expect(myClients.apiKey("Spinner")).not.toHaveText(before!);
    const previous = myClients.section("Spinner").getByTestId("previous-api-key");
    await expect(previous).toContainText(`Previous key ${before}`);
    await expect(previous).toContainText("keeps working until");

    await myClients.rotateKey("Spinner", "Now");
    await expect(previous).toHaveCount(0);
  });

  test("a new version gets a new key and, when asked, copies the live contracts; a switch shows each version", async ({ page, myClients, apiPage: api }) => {
    await signUp(page, "Vera Versions");
    await myClients.goto();
    await myClients.newClient("Tide Tables");
    await api.goto("acme", "weather");
    await api.createContract("Tide Tables", "Bronze");
    await expect(api.success).toContainText("Contract created");

    await myClients.goto();
    const firstKey = await myClients.apiKey("Tide Tables").textContent();
    await myClients.section("Tide Tables").getByRole("button", { name: "New version" }).click();
    const dialog = page.getByRole("dialog", { name: "New version of Tide Tables" });
    await dialog.getByLabel("Version", { exact: true }).fill("2.0");
    await expect(dialog.getByLabel(/Copy the 1 live contract/)).toBeChecked();
    await dialog.getByRole("button", { name: "Create version" }).click();
    await expect(dialog).toBeHidden();

    const versions = myClients.section("Tide Tables").getByRole("navigation", { name: "Versions of Tide Tables" });
    await expect(versions.getByRole("link", { name: "2.0" })).toHaveAttribute("aria-current", "true");
    await expect(myClients.apiKey("Tide Tables")).not.toHaveText(firstKey!);
    await expect(myClients.contractRow("Tide Tables", "Weather")).toContainText("Active");

    await versions.getByRole("link", { name: "1.0" }).click();
    await expect(versions.getByRole("link", { name: "1.0" })).toHaveAttribute("aria-current", "true");
    await expect(myClients.apiKey("Tide Tables")).toHaveText(firstKey!);
  });

  test("deleting a contract asks first, then ends it; a client without live contracts can be deleted", async ({ page, myClients, apiPage: api }) => {
    await signUp(page, "Dale Delete");
    await myClients.goto();
    await myClients.newClient("Short Lived");
    await api.goto("acme", "billing");
    await api.createContract("Short Lived", "Bronze");
    await expect(api.success).toContainText("Contract created");
    await myClients.goto();

    // With a live contract the client stays: Delete client says what to do first.
    const deleteButton = myClients.section("Short Lived").getByRole("button", { name: "Delete client" });
    await expect(deleteButton).toBeDisabled();
    await expect(deleteButton).toHaveAccessibleDescription("Delete or withdraw its live contract first.");

    const row = myClients.contractRow("Short Lived", "Billing");
    await row.getByRole("button", { name: "Delete contract" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete contract" });
    await expect(confirm).toContainText("will stop reaching Billing 1.0 at once");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(row).toContainText("Active");
    await myClients.deleteContract("Short Lived", "Billing");
    await expect(row).toHaveCount(0);
    await expect(myClients.section("Short Lived")).toContainText("Created");

    await myClients.section("Short Lived").getByRole("button", { name: "Delete client" }).click();
    await page.getByRole("dialog", { name: "Delete Short Lived" }).getByRole("button", { name: "Delete client" }).click();
    await expect(myClients.section("Short Lived")).toHaveCount(0);
  });

  test("one filter searches every client's contracts, and the contract columns sort", async ({ page, myClients }) => {
    await signUp(page, "Fern Filter");
    const setup = await apiAs(page);
    const alpha = await setup.createClient("Alpha App");
    const beta = await setup.createClient("Beta Board");
    expect(await setup.signContract(alpha, { org: "acme", api: "weather", plan: "Bronze" })).toBe("Active");
    expect(await setup.signContract(alpha, { org: "acme", api: "billing", plan: "Bronze" })).toBe("Active");
    expect(await setup.signContract(beta, { org: "acme", api: "billing", plan: "Bronze" })).toBe("Active");

    await myClients.goto();
    await myClients.main.getByRole("searchbox", { name: "Filter clients and contracts" }).fill("weather");
    await expect(page).toHaveURL(/q=weather/);
    await expect(myClients.section("Beta Board")).toHaveCount(0);
    await expect(myClients.contractRow("Alpha App", "Weather")).toBeVisible();
    await expect(myClients.contractRow("Alpha App", "Billing")).toHaveCount(0);

    await myClients.main.getByRole("searchbox", { name: "Filter clients and contracts" }).fill("nothing like it");
    await expect(myClients.main).toContainText("No clients or contracts match “nothing like it”.");
    await myClients.main.getByRole("searchbox", { name: "Filter clients and contracts" }).fill("");
    await expect(myClients.section("Beta Board")).toBeVisible();

    const table = myClients.contracts("Alpha App");
    const apiHeader = table.getByRole("columnheader", { name: "API", exact: true });
    await apiHeader.getByRole("button").click();
    await expect(apiHeader).toHaveAttribute("aria-sort", "ascending");
    await expect(table.getByRole("row").nth(1)).toContainText("Billing");
    await apiHeader.getByRole("button").click();
    await expect(apiHeader).toHaveAttribute("aria-sort", "descending");
    await expect(table.getByRole("row").nth(1)).toContainText("Weather");
    await expect(page).toHaveURL(/contracts-sort=api\.desc/);
  });

  test("many clients are paged", async ({ page, myClients }) => {
    await signUp(page, "Paige Pager");
    const setup = await apiAs(page);
    for (let i = 1; i <= 11; i++) await setup.createClient(`Client ${String(i).padStart(2, "0")}`);
    await myClients.goto();
    const pages = myClients.main.getByRole("navigation", { name: "Clients pages" });
    await expect(pages).toContainText("1–10 of 11");
    await expect(myClients.section("Client 11")).toHaveCount(0);
    await pages.getByRole("button", { name: "Next page" }).click();
    await expect(myClients.section("Client 11")).toBeVisible();
    await expect(myClients.section("Client 01")).toHaveCount(0);
    await expect(pages).toContainText("Page 2 of 2");
  });
});

test.describe("nobody reaches another user's client", () => {
  test("by its address: another user's client page is a 404", async ({ page, newVisitor, myClients }) => {
    await signUp(page, "Owen Owner");
    await myClients.goto();
    await myClients.newClient("Private Eye");
    await myClients.section("Private Eye").getByRole("link", { name: "Private Eye" }).click();
    await expect(page).toHaveURL(/\/my-clients\/[\w-]+\/private-eye$/);
    await expect(page.getByRole("region", { name: "Private Eye" })).toBeVisible();
    const address = new URL(page.url()).pathname;

    const other = await newVisitor();
    await signUp(other, "Ivy Intruder");
    await other.goto(address);
    await expect(other.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(other.getByText("Private Eye")).toHaveCount(0);
  });

  test("by a forged action argument: deleting someone else's contract is refused and it stays active", async ({ page, newVisitor, myClients: victim, apiPage: api }) => {
    await signUp(page, "Vic Victim");
    await victim.goto();
    await victim.newClient("Safe Client");
    await api.goto("acme", "weather");
    await api.createContract("Safe Client", "Bronze");
    await expect(api.success).toContainText("Contract created");
    await victim.goto();
    await victim.contractRow("Safe Client", "Weather").getByRole("button", { name: "Delete contract" }).click();
    const victimConfirm = page.getByRole("dialog", { name: "Delete contract" });
    const victimContractId = await victimConfirm.locator('input[name="contractId"]').inputValue();
    await victimConfirm.getByRole("button", { name: "Cancel" }).click();

    const other = await newVisitor();
    await signUp(other, "Max Mallory");
    const attacker = new MyClientsPage(other);
    await attacker.goto();
    await attacker.newClient("Crowbar");
    const attackerApi = new ApiPage(other);
    await attackerApi.goto("acme", "weather");
    await attackerApi.createContract("Crowbar", "Bronze");
    await expect(attackerApi.success).toContainText("Contract created");
    await attacker.goto();
    await attacker.contractRow("Crowbar", "Weather").getByRole("button", { name: "Delete contract" }).click();
    const confirm = other.getByRole("dialog", { name: "Delete contract" });
    await confirm.locator('input[name="contractId"]').evaluate((el: HTMLInputElement, id) => (el.value = id), victimContractId);
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(confirm.getByRole("alert")).toHaveText("That contract does not exist.");

    await victim.goto();
    await expect(victim.contractRow("Safe Client", "Weather")).toContainText("Active");
  });

  test("by a forged action argument: rotating someone else's key is refused", async ({ page, newVisitor, myClients: keeper }) => {
    await signUp(page, "Kay Keeper");
    await keeper.goto();
    await keeper.newClient("Vault");
    await keeper.section("Vault").getByRole("button", { name: "Rotate API key" }).click();
    const vaultVersionId = await page.getByRole("dialog", { name: "Rotate API key" }).locator('input[name="clientVersionId"]').inputValue();
    await page.getByRole("dialog", { name: "Rotate API key" }).getByRole("button", { name: "Cancel" }).click();

    const other = await newVisitor();
    await signUp(other, "Nosy Parker");
    const nosy = new MyClientsPage(other);
    await nosy.goto();
    await nosy.newClient("Peephole");
    await nosy.section("Peephole").getByRole("button", { name: "Rotate API key" }).click();
    const rotate = other.getByRole("dialog", { name: "Rotate API key" });
    await rotate.locator('input[name="clientVersionId"]').evaluate((el: HTMLInputElement, id) => (el.value = id), vaultVersionId);
    await rotate.getByRole("button", { name: "Rotate", exact: true }).click();
    await expect(rotate.getByRole("alert")).toHaveText("That client version does not exist.");
  });
});
