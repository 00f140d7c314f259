import type { Page } from "@playwright/test";
import { type Account, expect, signIn, signUp, test } from "./fixtures";
import { ApiVersionPage, ApprovalsPage, ClientVersionPage, createClientInMyClients, main, requestContract, uniqueSuffix } from "./manage-pages";

const run = uniqueSuffix();
const org = { name: `Parcel Co ${run}`, slug: `parcel-co-${run}` };
const plan = { name: `Silver ${run}`, slug: `silver-${run}` };
const api = { name: `Parcels ${run}`, slug: `parcels-${run}` };
/** The developer whose contract is approved, for the later steps of the story. */
let approvedDeveloper: Account | undefined;

/** A brand-new portal user with one client; its management URL is known from the email and name. */
async function newDeveloper(newVisitor: () => Promise<Page>, name: string, clientName: string) {
  const page = await newVisitor();
  const account = await signUp(page, name);
  await createClientInMyClients(page, clientName);
  const personalOrg = account.email.split("@")[0];
  const clientSlug = clientName.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return { page, account, personalOrg, clientSlug };
}

test.describe.serial("a provider offers a plan that needs approval, and answers the requests", () => {
  test.setTimeout(120_000);
  test.use({ signedInAs: "provider" });

  test("the provider creates a plan with a rate limit, locks it, creates an API, offers the plan with approval required and publishes", async ({ page, manageHome: home }) => {
    await home.goto();
    const organization = await home.createOrganization(org.name, org.slug);
    await expect(page.getByRole("heading", { name: org.name, level: 1 })).toBeVisible();

    const planPage = await organization.createPlan(plan.name, plan.slug);
    await expect(planPage.policies().getByText("No policies: calls on this plan are unlimited.")).toBeVisible();
    await planPage.addRateLimit(10, "minute");
    await planPage.savePolicies();
    await planPage.lock();
    await expect(main(page).getByText("Rate limit: 10 requests per minute")).toBeVisible();
    // Locked: the editor is gone, and the policies never change again.
    await expect(planPage.policies()).toHaveCount(0);

    const apiPage = await organization.createApi({ name: api.name, slug: api.slug, endpoint: "http://localhost:9/parcels" });
    await expect(apiPage.status()).toHaveText("Created");
    await expect(main(page).getByRole("button", { name: "Publish" })).toHaveCount(0);

    await apiPage.offerPlan(new RegExp(`^${plan.name} 1\\.0`), { requiresApproval: true });
    const offered = page.getByRole("table", { name: "Offered plans" }).getByRole("row").filter({ hasText: plan.name });
    await expect(offered).toContainText("10 requests per minute");
    await expect(offered.getByRole("cell", { name: "Yes", exact: true })).toBeVisible();
    await expect(apiPage.status()).toHaveText("Ready");

    await apiPage.publish();
    // Published: the offered plans are frozen, approval can still change.
    await expect(page.getByRole("form", { name: "Offer a plan" })).toHaveCount(0);
    await expect(offered.getByRole("button", { name: /^Withdraw/ })).toHaveCount(0);
    await expect(offered.getByRole("button", { name: /^Stop requiring approval/ })).toBeVisible();
    await expect(main(page).getByRole("button", { name: "Retire" })).toBeVisible();

    await page.goto("/apis");
    await expect(main(page).getByRole("link", { name: api.name })).toBeVisible();
  });

  test("a new developer requests a contract; the provider sees it in Approvals and in the Contracts tab, approves it, and the client's Contracts tab shows it active", async ({ newVisitor, asProvider: provider, asAdmin: admin }) => {
    const developer = await newDeveloper(newVisitor, `Dora ${run}`, `Tracker ${run}`);
    approvedDeveloper = developer.account;
    await requestContract(developer.page, { org: org.slug, api: api.slug, client: new RegExp(`Tracker ${run}`), plan: new RegExp(plan.name) });
    await expect(main(developer.page).getByText("Awaiting approval").first()).toBeVisible();

    await provider.goto("/apis");
    const nav = provider.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: /^Approvals, \d+ waiting$/ })).toBeVisible();

    const approvals = new ApprovalsPage(provider);
    await approvals.goto();
    const request = approvals.row(`Tracker ${run}`);
    await expect(request).toContainText(`Dora ${run}`);
    await expect(request).toContainText(developer.account.email);
    await expect(request).toContainText(`${api.name} 1.0`);
    await expect(request).toContainText(`${plan.name} 1.0`);

    const apiPage = new ApiVersionPage(provider, org.slug, api.slug, "1.0");
    await apiPage.goto("contracts");
    await expect(apiPage.tab("Contracts")).toHaveAttribute("aria-selected", "true");
    const row = apiPage.contractRow(`Tracker ${run}`);
    await expect(row).toContainText("Awaiting approval");
    await expect(row).toContainText(`Dora ${run}`); // the client's organization and the requester
    await expect(row).toContainText(`${plan.name} 1.0`);

    await approvals.goto();
    await approvals.approve(`Tracker ${run}`);

    await apiPage.goto("contracts");
    await expect(apiPage.contractRow(`Tracker ${run}`)).toContainText("Active");
    // Filtering by status keeps the row; another status hides it.
    await main(provider).getByLabel("Status").selectOption({ label: "Rejected" });
    await expect(provider).toHaveURL(/contracts-status=Rejected/);
    await expect(apiPage.contractRow(`Tracker ${run}`)).toHaveCount(0);
    await main(provider).getByLabel("Status").selectOption({ label: "Active" });
    await expect(apiPage.contractRow(`Tracker ${run}`)).toContainText("Active");
    await main(provider).getByLabel("Plan").selectOption({ label: `${plan.name} 1.0` });
    await expect(provider).toHaveURL(/contracts-plan=/);
    await expect(apiPage.contractRow(`Tracker ${run}`)).toBeVisible();
    // Sorting is kept in the URL too, next to the filters.
    await apiPage.contracts().getByRole("button", { name: "Created", exact: true }).click();
    await expect(provider).toHaveURL(/contracts-sort=created\.asc/);
    await expect(apiPage.contracts().getByRole("columnheader", { name: "Created", exact: true })).toHaveAttribute("aria-sort", "ascending");
    await expect(apiPage.contractRow(`Tracker ${run}`)).toBeVisible();

    // The client belongs to the developer's personal organization: an admin opens its Contracts tab.
    const clientPage = new ClientVersionPage(admin, developer.personalOrg, developer.clientSlug, "1.0");
    await clientPage.goto("contracts");
    await expect(admin.getByRole("tab", { name: "Contracts", exact: true })).toHaveAttribute("aria-selected", "true");
    const contract = clientPage.contracts().getByRole("row").filter({ hasText: api.name });
    await expect(contract).toContainText("Active");
    await expect(contract).toContainText(`${plan.name} 1.0`);
    await expect(main(admin).locator("h1 + *")).toHaveText("Registered");

    await developer.page.goto("/my-clients");
    const section = main(developer.page).getByRole("region", { name: `Tracker ${run}` });
    await expect(section.getByRole("row").filter({ hasText: api.name })).toContainText("Active");
  });

  test("a rejection carries its reason to the developer, in My Clients and in the notifications", async ({ newVisitor, asProvider: provider }) => {
    const developer = await newDeveloper(newVisitor, `Rex ${run}`, `Scanner ${run}`);
    await requestContract(developer.page, { org: org.slug, api: api.slug, client: new RegExp(`Scanner ${run}`), plan: new RegExp(plan.name) });

    const approvals = new ApprovalsPage(provider);
    await approvals.goto();
    // The reason is required.
    await approvals.row(`Scanner ${run}`).getByRole("button", { name: "Reject", exact: true }).click();
    const dialog = provider.getByRole("dialog", { name: "Reject request" });
    await dialog.getByLabel("Reason").evaluate((el) => el.removeAttribute("required"));
    await dialog.getByRole("button", { name: "Reject", exact: true }).click();
    await expect(dialog.getByRole("alert")).toHaveText("Reason: a reason is required.");
    await dialog.getByRole("button", { name: "Close" }).click();

    await approvals.reject(`Scanner ${run}`, "Only for registered shipping partners.");

    await developer.page.goto("/my-clients");
    const section = main(developer.page).getByRole("region", { name: `Scanner ${run}` });
    const contract = section.getByRole("row").filter({ hasText: api.name });
    await expect(contract).toContainText("Rejected");
    await expect(contract).toContainText("Only for registered shipping partners.");

    await developer.page.goto("/notifications");
    await expect(main(developer.page).getByText(/was rejected: Only for registered shipping partners\./)).toBeVisible();

    const apiPage = new ApiVersionPage(provider, org.slug, api.slug, "1.0");
    await apiPage.goto("contracts");
    const row = apiPage.contractRow(`Scanner ${run}`);
    await expect(row).toContainText("Rejected");
    await expect(row).toContainText("Only for registered shipping partners.");
  });

  test("the API's Activity tab tells who did what", async ({ page }) => {
    const apiPage = new ApiVersionPage(page, org.slug, api.slug, "1.0");
    await apiPage.goto();
    await apiPage.tab("Activity").click();
    await expect(page).toHaveURL(/\?tab=activity$/);
    const activity = main(page).getByRole("table", { name: "Activity" });
    for (const what of ["Created the API", "Offered a plan", "Published the API version", "Requested a contract", "Approved a contract", "Rejected a contract"]) {
      await expect(activity.getByRole("row").filter({ hasText: what }).first()).toBeVisible();
    }
    await expect(activity.getByRole("row").filter({ hasText: "Rejected a contract" })).toContainText("Only for registered shipping partners.");
  });

  test("the provider breaks the active contract with a reason, and the developer is told why", async ({ page, newVisitor }) => {
    const apiPage = new ApiVersionPage(page, org.slug, api.slug, "1.0");
    await apiPage.goto("contracts");
    await apiPage.contractRow(`Tracker ${run}`).getByRole("button", { name: /^Break contract/ }).click();
    const dialog = page.getByRole("dialog", { name: "Break contract" });
    await dialog.getByLabel("Reason").fill("Traffic pattern looks like scraping.");
    await dialog.getByRole("button", { name: "Break contract" }).click();
    const row = apiPage.contractRow(`Tracker ${run}`);
    await expect(row).toContainText("Broken");
    await expect(row).toContainText("Traffic pattern looks like scraping.");
    await expect(row.getByRole("button", { name: /^Break contract/ })).toHaveCount(0);

    // A developer made in this run has no saved login: they sign in.
    const developer = await newVisitor();
    await signIn(developer, approvedDeveloper!);
    await developer.goto("/notifications");
    await expect(main(developer).getByText(/ended your contract .*: Traffic pattern looks like scraping\./)).toBeVisible();
  });
});
