import { expect, type Locator, type Page } from "@playwright/test";

/** The catalog at /apis. */
export class CatalogPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    await this.page.goto(`/apis${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "APIs" })).toBeVisible();
  }

  get table() {
    return this.page.getByRole("table", { name: "APIs" });
  }

  apiLink(name: string) {
    return this.table.getByRole("link", { name, exact: true });
  }

  async search(text: string) {
    await this.page.getByRole("searchbox", { name: "Search APIs" }).fill(text);
    await expect(this.page).toHaveURL(text ? new RegExp(`[?&]q=${encodeURIComponent(text)}`) : /\/apis(\?(?!.*q=).*)?$/);
  }
}

/** An API's page at /apis/[org]/[api], with its Create contract form. */
export class ApiPage {
  constructor(readonly page: Page) {}

  async goto(org: string, api: string, version?: string) {
    await this.page.goto(`/apis/${org}/${api}${version ? `?version=${version}` : ""}`);
  }

  get main() {
    return this.page.getByRole("main");
  }

  get createContractButton() {
    return this.main.getByRole("button", { name: "Create contract" });
  }

  get dialog() {
    return this.page.getByRole("dialog", { name: "Create contract" });
  }

  /** The id of the API version shown (the page carries it for scripts and tests). */
  async apiVersionId(): Promise<string> {
    return (await this.main.locator("article[data-api-version-id]").getAttribute("data-api-version-id"))!;
  }

  async openCreateContract() {
    await this.createContractButton.click();
    await expect(this.dialog).toBeVisible();
    return this.dialog;
  }

  /** Picks a client option by the start of its label, and a plan by the start of its label. */
  async choose(client: string, plan?: string) {
    const clientSelect = this.dialog.getByLabel("Client");
    const clientValue = await clientSelect.locator("option", { hasText: client }).first().getAttribute("value");
    await clientSelect.selectOption(clientValue!);
    if (plan) {
      const planSelect = this.dialog.getByLabel("Plan");
      const planValue = await planSelect.locator("option", { hasText: plan }).first().getAttribute("value");
      await planSelect.selectOption(planValue!);
    }
  }

  async createContract(client: string, plan: string) {
    await this.openCreateContract();
    await this.choose(client, plan);
    await this.dialog.getByRole("button", { name: "Create contract" }).click();
  }

  /**
   * Past the form's guards: the next submission of the Create contract form carries `value` for
   * `field`, as a hand-made request would. Set on the submitted form data rather than on the
   * element, which React puts back when the page's data refreshes.
   */
  async forgeField(field: string, value: string) {
    await this.dialog.locator("form").evaluate(
      (form: HTMLFormElement, [name, forged]) => form.addEventListener("formdata", (event) => event.formData.set(name, forged)),
      [field, value] as const,
    );
  }

  /** Submits the Create contract form even while its button is disabled, as a script could. */
  async forceSubmit() {
    await this.dialog.locator("form").evaluate((form: HTMLFormElement) => form.requestSubmit());
  }

  /** Creates a client from inside the Create contract form; it is then chosen. */
  async createClientOnTheSpot(name: string) {
    await this.dialog.getByRole("button", { name: "New client" }).click();
    const form = this.page.getByRole("dialog", { name: "New client" });
    await form.getByLabel("Name").fill(name);
    await form.getByRole("button", { name: "Create client" }).click();
    await expect(this.dialog.getByLabel("Client")).toBeVisible();
  }

  get success() {
    return this.main.getByRole("status").filter({ hasText: /Contract created|Awaiting approval/ });
  }

  get error() {
    return this.dialog.getByRole("alert");
  }
}

/** My Clients at /my-clients: one section per client. */
export class MyClientsPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    await this.page.goto(`/my-clients${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "My Clients" })).toBeVisible();
  }

  get main() {
    return this.page.getByRole("main");
  }

  section(clientName: string): Locator {
    return this.main.getByRole("region", { name: clientName, exact: true });
  }

  contracts(clientName: string): Locator {
    return this.section(clientName).getByRole("table");
  }

  contractRow(clientName: string, apiName: string): Locator {
    return this.contracts(clientName)
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: apiName, exact: true }) });
  }

  apiKey(clientName: string): Locator {
    return this.section(clientName).getByTestId("api-key");
  }

  async newClient(name: string, version?: string) {
    await this.main.getByRole("button", { name: "New client" }).click();
    const dialog = this.page.getByRole("dialog", { name: "New client" });
    await dialog.getByLabel("Name").fill(name);
    if (version) await dialog.getByLabel("Version", { exact: true }).fill(version);
    await dialog.getByRole("button", { name: "Create client" }).click();
    await expect(dialog).toBeHidden();
    await expect(this.main.getByRole("status").filter({ hasText: `Client ${name} created` })).toBeVisible();
  }

  async deleteContract(clientName: string, apiName: string) {
    await this.contractRow(clientName, apiName).getByRole("button", { name: "Delete contract" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Delete contract" });
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  /** "Change plan" on a contract row: the dialog listing the other plans of its API version. */
  async openChangePlan(clientName: string, apiName: string): Promise<Locator> {
    await this.contractRow(clientName, apiName).getByRole("button", { name: "Change plan" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Change plan" });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** The "Show ended contracts" filter (`ended=1`). */
  get showEnded(): Locator {
    return this.main.getByRole("checkbox", { name: "Show ended contracts" });
  }

  /** The id of a contract, from its row's History link (`/contracts/{id}`). */
  async contractId(clientName: string, apiName: string): Promise<string> {
    const href = await this.contractRow(clientName, apiName).getByRole("link", { name: /^History of the contract/ }).getAttribute("href");
    return href!.split("/").pop()!;
  }

  async revealKey(clientName: string): Promise<string> {
    await this.section(clientName).getByRole("button", { name: "Reveal API key" }).click();
    await expect(this.apiKey(clientName)).toHaveText(/^ptk_[\w-]{32,}$/);
    return (await this.apiKey(clientName).textContent())!.trim();
  }

  async retireVersion(clientName: string) {
    await this.section(clientName).getByRole("button", { name: "Retire version" }).click();
    await this.page.getByRole("dialog", { name: new RegExp(`^Retire ${clientName}`) }).getByRole("button", { name: "Retire", exact: true }).click();
    await expect(this.section(clientName).getByText("Retired", { exact: true })).toBeVisible();
  }

  async rotateKey(clientName: string, grace: "Now" | "In 1 hour" | "In 1 day" | "In 7 days") {
    await this.section(clientName).getByRole("button", { name: "Rotate API key" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Rotate API key" });
    await dialog.getByLabel(grace).check();
    await dialog.getByRole("button", { name: "Rotate", exact: true }).click();
    await expect(dialog).toBeHidden();
  }
}
