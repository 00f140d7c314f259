import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

/** A suffix that keeps identifiers of one run apart from those of other runs and tests. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString("hex");
}

/** The content of the page, without the navigation (and without Next's route announcer). */
export function main(page: Page): Locator {
  return page.getByRole("main");
}

/** Page errors are announced inside <main>; Next's route announcer also has role alert, outside it. */
export function mainAlert(page: Page): Locator {
  return main(page).getByRole("alert");
}

/** Opens a URL and checks that the 404 page answers, with status 404. */
export async function expectNotFound(page: Page, url: string) {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
}

export class ManageHome {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/manage");
    await expect(this.page.getByRole("heading", { name: "API Management", level: 1 })).toBeVisible();
  }

  async createOrganization(name: string, slug: string) {
    const form = this.page.getByRole("form", { name: "New organization" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Identifier").fill(slug);
    await form.getByRole("button", { name: "Create organization" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/manage/${slug}$`));
    return new OrganizationPage(this.page, slug);
  }
}

export class OrganizationPage {
  constructor(
    readonly page: Page,
    readonly slug: string,
  ) {}

  async goto(tab?: "apis" | "plans" | "clients" | "members" | "activity") {
    await this.page.goto(`/manage/${this.slug}${tab ? `?tab=${tab}` : ""}`);
  }

  tab(name: string): Locator {
    return this.page.getByRole("tab", { name, exact: true });
  }

  async createPlan(name: string, slug: string) {
    await this.goto("plans");
    const form = this.page.getByRole("form", { name: "New plan" });
    await form.getByLabel("Plan name").fill(name);
    await form.getByLabel("Plan identifier").fill(slug);
    await form.getByRole("button", { name: "Create plan" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/manage/${this.slug}/plans/${slug}/1\\.0$`));
    return new PlanVersionPage(this.page, this.slug, slug, "1.0");
  }

  async createApi(options: { name: string; slug: string; endpoint?: string; isPublic?: boolean }) {
    await this.goto("apis");
    const form = this.page.getByRole("form", { name: "New API" });
    await form.getByLabel("API name").fill(options.name);
    await form.getByLabel("API identifier").fill(options.slug);
    if (options.endpoint) await form.getByLabel("Endpoint").fill(options.endpoint);
    if (options.isPublic) await form.getByLabel("Public").check();
    await form.getByRole("button", { name: "Create API" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/manage/${this.slug}/apis/${options.slug}/1\\.0$`));
    return new ApiVersionPage(this.page, this.slug, options.slug, "1.0");
  }

  async createClient(name: string, slug: string) {
    await this.goto("clients");
    const form = this.page.getByRole("form", { name: "New client" });
    await form.getByLabel("Client name").fill(name);
    await form.getByLabel("Client identifier").fill(slug);
    await form.getByRole("button", { name: "Create client" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/manage/${this.slug}/clients/${slug}/1\\.0$`));
    return new ClientVersionPage(this.page, this.slug, slug, "1.0");
  }

  membersTable(): Locator {
    return this.page.getByRole("table", { name: "Members" });
  }

  async addMember(email: string, role: "Owner" | "API developer" | "Client developer" | "Viewer") {
    await this.goto("members");
    const form = this.page.getByRole("form", { name: "Add a member" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Role").selectOption({ label: role });
    await form.getByRole("button", { name: "Add member" }).click();
  }
}

export class PlanVersionPage {
  constructor(
    readonly page: Page,
    readonly org: string,
    readonly plan: string,
    readonly version: string,
  ) {}

  async goto() {
    await this.page.goto(`/manage/${this.org}/plans/${this.plan}/${this.version}`);
  }

  policies(): Locator {
    return this.page.getByRole("form", { name: "Policies" });
  }

  async addRateLimit(limit: number, period: "second" | "minute" | "hour") {
    await this.policies().getByRole("button", { name: "Add rate limit" }).click();
    const row = this.policies().getByRole("group", { name: "Rate limit" }).last();
    await row.getByLabel("Requests").fill(String(limit));
    await row.getByLabel("Per").selectOption(period);
  }

  async addQuota(limit: number, period: "day" | "month") {
    await this.policies().getByRole("button", { name: "Add quota" }).click();
    const row = this.policies().getByRole("group", { name: "Quota" }).last();
    await row.getByLabel("Requests").fill(String(limit));
    await row.getByLabel("Per").selectOption(period);
  }

  async savePolicies() {
    await this.policies().getByRole("button", { name: "Save policies" }).click();
    await expect(this.policies().getByRole("status")).toHaveText("The policies were saved.");
  }

  async lock() {
    await main(this.page).getByRole("button", { name: "Lock", exact: true }).click();
    const dialog = this.page.getByRole("dialog", { name: /^Lock / });
    await dialog.getByRole("button", { name: "Lock version" }).click();
    await expect(main(this.page).locator("h1 + *")).toHaveText("Locked");
  }
}

export class ApiVersionPage {
  constructor(
    readonly page: Page,
    readonly org: string,
    readonly api: string,
    readonly version: string,
  ) {}

  url(tab?: string) {
    return `/manage/${this.org}/apis/${this.api}/${this.version}${tab ? `?tab=${tab}` : ""}`;
  }

  async goto(tab?: "overview" | "plans" | "contracts" | "activity") {
    await this.page.goto(this.url(tab));
  }

  tab(name: "Overview" | "Plans" | "Contracts" | "Activity"): Locator {
    return this.page.getByRole("tab", { name, exact: true });
  }

  /** The status badge next to the heading. */
  status(): Locator {
    return main(this.page).locator("h1 + *");
  }

  async offerPlan(planLabel: RegExp | string, options: { requiresApproval: boolean }) {
    await this.tab("Plans").click();
    const form = this.page.getByRole("form", { name: "Offer a plan" });
    if (typeof planLabel === "string") await form.getByLabel("Plan").selectOption({ label: planLabel });
    else await selectOptionMatching(form.getByLabel("Plan"), planLabel);
    if (options.requiresApproval) await form.getByLabel("Requires approval").check();
    await form.getByRole("button", { name: "Offer plan" }).click();
    await expect(this.page.getByRole("table", { name: "Offered plans" })).toBeVisible();
  }

  async publish() {
    await main(this.page).getByRole("button", { name: "Publish", exact: true }).click();
    await expect(this.status()).toHaveText("Published");
  }

  contracts(): Locator {
    return main(this.page).getByRole("table", { name: "Contracts" });
  }

  contractRow(clientName: string): Locator {
    return this.contracts().getByRole("row").filter({ hasText: clientName });
  }

  /** The outcome of the last action on a contract, said above the table. */
  contractNotice(): Locator {
    return main(this.page).getByRole("status").filter({ hasText: /contract|end date/i });
  }

  async suspend(clientName: string, reason: string) {
    await this.contractRow(clientName).getByRole("button", { name: /^Suspend contract of/ }).click();
    const dialog = this.page.getByRole("dialog", { name: "Suspend contract" });
    await expect(dialog.getByLabel("Reason")).toBeFocused();
    await dialog.getByLabel("Reason").fill(reason);
    await dialog.getByRole("button", { name: "Suspend contract" }).click();
    await expect(dialog).toBeHidden();
    await expect(this.contractRow(clientName)).toContainText("Suspended");
  }

  async resume(clientName: string) {
    await this.contractRow(clientName).getByRole("button", { name: /^Resume contract of/ }).click();
    await expect(this.contractRow(clientName)).toContainText("Active");
  }

  /** Sets the end of the client's contract to a moment in UTC ("2026-12-31T18:00:05"). */
  async setEndDate(clientName: string, utc: string) {
    await this.contractRow(clientName).getByRole("button", { name: /^(Set|Change) end date of/ }).click();
    const dialog = this.page.getByRole("dialog", { name: /^End date of/ });
    await dialog.getByLabel("Ends at (UTC)").fill(utc);
    await dialog.getByRole("button", { name: "Set end date" }).click();
    await expect(dialog).toBeHidden();
  }
}

export class ClientVersionPage {
  constructor(
    readonly page: Page,
    readonly org: string,
    readonly client: string,
    readonly version: string,
  ) {}

  url(tab?: string) {
    return `/manage/${this.org}/clients/${this.client}/${this.version}${tab ? `?tab=${tab}` : ""}`;
  }

  async goto(tab?: "overview" | "contracts" | "api-key" | "activity") {
    await this.page.goto(this.url(tab));
  }

  contracts(): Locator {
    return main(this.page).getByRole("table", { name: "Contracts" });
  }
}

export class ApprovalsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/manage/approvals");
    await expect(this.page.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
  }

  table(): Locator {
    return main(this.page).getByRole("table", { name: "Requests awaiting approval" });
  }

  row(text: string): Locator {
    return this.table().getByRole("row").filter({ hasText: text });
  }

  async approve(text: string) {
    await this.row(text).getByRole("button", { name: "Approve", exact: true }).click();
    await expect(main(this.page).getByRole("status").filter({ hasText: "The request was approved; the contract is active." })).toBeVisible();
    await expect(this.row(text)).toHaveCount(0);
  }

  async reject(text: string, reason: string) {
    await this.row(text).getByRole("button", { name: "Reject", exact: true }).click();
    const dialog = this.page.getByRole("dialog", { name: "Reject request" });
    await dialog.getByLabel("Reason").fill(reason);
    await dialog.getByRole("button", { name: "Reject", exact: true }).click();
    await expect(main(this.page).getByRole("status").filter({ hasText: "The request was rejected; the requester sees the reason." })).toBeVisible();
    await expect(this.row(text)).toHaveCount(0);
  }

  /** Approves the plan change of the row naming `text`. */
  async approvePlanChange(text: string) {
    await this.row(text).getByRole("button", { name: /^Approve plan change of/ }).click();
    await expect(main(this.page).getByRole("status").filter({ hasText: "The plan change was approved" })).toBeVisible();
    await expect(this.row(text)).toHaveCount(0);
  }

  async select(text: string) {
    await this.row(text).getByRole("checkbox").check();
  }

  bulk(): Locator {
    return this.page.getByRole("form", { name: "Decide the selected requests" });
  }
}

/** The consumer's side (Developer Portal): a new client in My Clients. */
export async function createClientInMyClients(page: Page, name: string) {
  await page.goto("/my-clients");
  await main(page).getByRole("button", { name: "New client" }).click();
  const dialog = page.getByRole("dialog", { name: "New client" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create client" }).click();
  await expect(main(page).getByRole("heading", { name, level: 2 })).toBeVisible();
}

/** The consumer's side: `Create contract` on the API page, with a client and a plan. */
export async function requestContract(page: Page, options: { org: string; api: string; client: RegExp; plan: RegExp }) {
  await page.goto(`/apis/${options.org}/${options.api}`);
  await main(page).getByRole("button", { name: "Create contract" }).click();
  const dialog = page.getByRole("dialog", { name: "Create contract" });
  await selectOptionMatching(dialog.getByLabel("Client"), options.client);
  await selectOptionMatching(dialog.getByLabel("Plan"), options.plan);
  await dialog.getByRole("button", { name: "Create contract" }).click();
  await expect(dialog).toBeHidden();
}

/** Picks the option whose text matches, once the select shows one. */
async function selectOptionMatching(select: Locator, pattern: RegExp) {
  await expect(select.locator("option").filter({ hasText: pattern }).first()).toBeAttached();
  const labels = await select.locator("option").allTextContents();
  const label = labels.find((l) => pattern.test(l));
  if (!label) throw new Error(`No option matches ${pattern}: ${labels.join(", ")}`);
  await select.selectOption({ label });
}
