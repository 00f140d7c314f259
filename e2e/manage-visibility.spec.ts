import { expect, signUp, test } from "./fixtures";
import { expectNotFound, main, ManageHome, uniqueSuffix } from "./manage-pages";

/** API Management URLs of the demo organization `acme` and of the demo developer's client. */
const ACME_URLS = [
  "/manage",
  "/manage/approvals",
  "/manage/acme",
  "/manage/acme?tab=members",
  "/manage/acme/apis/weather/1.0",
  "/manage/acme/apis/weather/1.0?tab=contracts",
  "/manage/acme/apis/weather/1.0?tab=activity",
  "/manage/acme/plans/gold/1.0",
  "/manage/developer/clients/weather-dashboard/1.0",
  "/manage/developer/clients/weather-dashboard/1.0?tab=contracts",
  "/manage/developer/clients/weather-dashboard/1.0?tab=api-key",
];

test.describe("API Management is hidden from those who may not manage", () => {
  test.setTimeout(90_000);

  test("a portal-only user gets the 404 page on each management URL, even for their own client", async ({ asDeveloper }) => {
    await asDeveloper.goto("/apis");
    await expect(asDeveloper.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API Management" })).toHaveCount(0);
    for (const url of ACME_URLS) await expectNotFound(asDeveloper, url);
  });

  test("a newcomer who signed up a minute ago gets the 404 page too", async ({ page }) => {
    await signUp(page, "Nosy Newcomer");
    for (const url of ["/manage", "/manage/approvals", "/manage/acme/apis/weather/1.0?tab=contracts"]) await expectNotFound(page, url);
  });

  test("a manager of another organization gets the 404 page on that organization's URLs", async ({ asAdmin: admin, asProvider: provider }) => {
    // The admin sets up an organization the provider does not belong to.
    const run = uniqueSuffix();
    const slug = `hidden-${run}`;
    const home = new ManageHome(admin);
    await home.goto();
    const organization = await home.createOrganization(`Hidden ${run}`, slug);
    await organization.createPlan(`Secret plan ${run}`, `secret-${run}`);
    await organization.createApi({ name: `Secret API ${run}`, slug: `secret-api-${run}`, endpoint: "http://localhost:9/secret" });
    await organization.createClient(`Secret client ${run}`, `secret-client-${run}`);

    await provider.goto("/manage");
    await expect(main(provider).getByRole("link", { name: "Acme" })).toBeVisible();
    await expect(main(provider).getByRole("link", { name: `Hidden ${run}` })).toHaveCount(0);
    for (const url of [
      `/manage/${slug}`,
      `/manage/${slug}?tab=members`,
      `/manage/${slug}/plans/secret-${run}/1.0`,
      `/manage/${slug}/apis/secret-api-${run}/1.0`,
      `/manage/${slug}/apis/secret-api-${run}/1.0?tab=contracts`,
      `/manage/${slug}/clients/secret-client-${run}/1.0?tab=api-key`,
      // The demo developer's personal organization is another organization as well.
      "/manage/developer/clients/weather-dashboard/1.0?tab=contracts",
    ]) {
      await expectNotFound(provider, url);
    }
    // The admin sees every organization.
    await admin.goto("/manage/acme/apis/weather/1.0?tab=contracts");
    await expect(main(admin).getByRole("table", { name: "Contracts" })).toBeVisible();
  });
});
