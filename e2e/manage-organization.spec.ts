import { accounts, expect, signUp, test } from "./fixtures";
import { ApiVersionPage, main, mainAlert, OrganizationPage, PlanVersionPage, uniqueSuffix } from "./manage-pages";

test.describe("a provider runs an organization", () => {
  test.setTimeout(90_000);
  test.use({ signedInAs: "provider" });

  test("members are added by email with a role, change role and leave; the last owner stays", async ({ page, newVisitor, asProvider, manageHome: home }) => {
    const newcomer = await signUp(await newVisitor(), "Mia Member");

    const run = uniqueSuffix();
    await home.goto();
    const organization = await home.createOrganization(`Team ${run}`, `team-${run}`);

    await organization.addMember("nobody-at-all@example.test", "Viewer");
    await expect(mainAlert(page)).toHaveText("No registered user has the email nobody-at-all@example.test.");

    await organization.addMember(newcomer.email, "Viewer");
    await expect(main(page).getByRole("status")).toHaveText(`${newcomer.email} was added.`);
    const row = organization.membersTable().getByRole("row").filter({ hasText: newcomer.email });
    await expect(row).toContainText("Mia Member");

    await row.getByLabel("Role of Mia Member").selectOption({ label: "API developer" });
    await row.getByRole("button", { name: "Change role" }).click();
    await expect(row.getByRole("status")).toHaveText("The role was changed.");
    await page.reload();
    await expect(row.getByLabel("Role of Mia Member")).toHaveValue("api-developer");

    // The only owner is offered neither a role change nor removal.
    const me = organization.membersTable().getByRole("row").filter({ hasText: accounts.provider.email });
    await expect(me).toContainText("The only owner");
    await expect(me.getByRole("button")).toHaveCount(0);

    // With two owners, each may step down; a page that is no longer current is answered by the server.
    await row.getByLabel("Role of Mia Member").selectOption({ label: "Owner" });
    await row.getByRole("button", { name: "Change role" }).click();
    await expect(me.getByRole("button", { name: "Change role" })).toBeVisible();
    const otherView = new OrganizationPage(asProvider, organization.slug);
    await otherView.goto("members");
    const miaThere = otherView.membersTable().getByRole("row").filter({ hasText: newcomer.email });
    await miaThere.getByLabel("Role of Mia Member").selectOption({ label: "Viewer" });
    await miaThere.getByRole("button", { name: "Change role" }).click();
    await expect(miaThere.getByRole("status")).toHaveText("The role was changed.");
    await me.getByLabel("Role of Paula Provider").selectOption({ label: "Viewer" });
    await me.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("An organization must keep at least one owner.");

    await row.getByRole("button", { name: "Remove Mia Member" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove Mia Member?" });
    await dialog.getByRole("button", { name: "Remove member" }).click();
    await expect(organization.membersTable().getByRole("row").filter({ hasText: newcomer.email })).toHaveCount(0);

    await organization.goto("activity");
    const activity = main(page).getByRole("table", { name: "Activity" });
    for (const what of ["Created the organization", "Added a member", "Changed a member's role", "Removed a member"]) {
      await expect(activity.getByRole("row").filter({ hasText: what }).first()).toBeVisible();
    }
    await expect(activity.getByRole("row").filter({ hasText: "Added a member" })).toContainText(newcomer.email);
  });

  test("tabs are a tablist: each has its URL, and arrow keys move between them", async ({ page }) => {
    const acme = new OrganizationPage(page, "acme");
    await acme.goto();
    await expect(page.getByRole("tablist")).toBeVisible();
    await expect(acme.tab("APIs")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("tabpanel", { name: "APIs" })).toBeVisible();
    await acme.tab("APIs").focus();
    await page.keyboard.press("ArrowRight");
    await expect(page).toHaveURL(/\/manage\/acme\?tab=plans$/);
    await expect(acme.tab("Plans")).toHaveAttribute("aria-selected", "true");
    await expect(acme.tab("Plans")).toBeFocused();
    await expect(page.getByRole("tabpanel", { name: "Plans" }).getByRole("link", { name: "Gold 1.0" })).toBeVisible();

    const weather = new ApiVersionPage(page, "acme", "weather", "1.0");
    await weather.goto("plans");
    await expect(weather.tab("Plans")).toHaveAttribute("aria-selected", "true");
    const gold = page.getByRole("table", { name: "Offered plans" }).getByRole("row").filter({ hasText: "Gold" });
    await expect(gold).toContainText("50 requests per second");
    await expect(gold.getByRole("cell", { name: "Yes", exact: true })).toBeVisible();
    await weather.tab("Overview").click();
    await expect(page).toHaveURL(/\?tab=overview$/);
    await expect(main(page).getByText("Private: calls need an API key with an active contract")).toBeVisible();
  });

  test("actions the lifecycle no longer allows are refused with a sentence, even from a page that still offers them", async ({ page, asProvider, manageHome: home }) => {
    const run = uniqueSuffix();
    await home.goto();
    const organization = await home.createOrganization(`Stale ${run}`, `stale-${run}`);
    const plan = await organization.createPlan(`Basic ${run}`, `basic-${run}`);

    // A second tab locks the plan while the first still offers Lock and the editor.
    const second = new PlanVersionPage(asProvider, organization.slug, plan.plan, "1.0");
    await second.goto();
    await second.lock();

    await plan.addQuota(100, "day");
    await plan.policies().getByRole("button", { name: "Save policies" }).click();
    await expect(mainAlert(page)).toHaveText("The policies of a locked plan version never change.");
    await main(page).getByRole("button", { name: "Lock", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Lock version" }).click();
    await expect(page.getByRole("dialog").getByRole("alert")).toHaveText("That plan version is already locked.");
  });

  test("the server checks what the browser does not: an endpoint must be http or https", async ({ page }) => {
    const run = uniqueSuffix();
    const acme = new OrganizationPage(page, "acme");
    await acme.goto("apis");
    const form = page.getByRole("form", { name: "New API" });
    await form.getByLabel("API name").fill(`Files ${run}`);
    await form.getByLabel("API identifier").fill(`files-${run}`);
    await form.getByLabel("Endpoint").fill("ftp://files.example.com/");
    await form.getByRole("button", { name: "Create API" }).click();
    await expect(mainAlert(page)).toHaveText("Endpoint: enter an http:// or https:// URL.");
    // What was typed is kept.
    await expect(form.getByLabel("API name")).toHaveValue(`Files ${run}`);
    await expect(form.getByLabel("Endpoint")).toHaveAttribute("aria-invalid", "true");
  });
});
