import { apiAs, createWriteToken } from "./api-setup";
import { expect, signUp, test } from "./fixtures";
import { uniqueSuffix } from "./manage-pages";

/**
 * Feedback that tells the truth: a notification takes you to what it is about, a request the
 * provider was told of stops being new once decided, and Delete client says why it cannot yet.
 */
test.describe("Feedback in the portal", () => {
  test.setTimeout(120_000);

  test("a request's notification links to Approvals and, once approved, no longer counts as unread; the developer's answer links to My Clients", async ({ newVisitor, asProvider: provider }) => {
    const client = `Feedback ${uniqueSuffix()}`;
    const developer = await newVisitor();
    await signUp(developer, `Owner of ${client}`);
    const setup = await apiAs(developer);
    // The demo's Weather API offers Gold with approval required.
    const contract = await setup.createContract(await setup.createClient(client), { org: "acme", api: "weather", plan: "Gold" });
    expect(contract.status).toBe("AwaitingApproval");

    const headers = { Authorization: `Bearer ${await createWriteToken(provider, "feedback")}` };
    const unreadAbout = async (words: string) => {
      const response = await provider.request.get(`/api/v1/notifications?unread=true&q=${encodeURIComponent(words)}`, { headers });
      expect(response.status()).toBe(200);
      return ((await response.json()) as { data: unknown[] }).data.length;
    };
    expect(await unreadAbout(client)).toBe(1);

    // The provider's notification is a link to Approvals that says it is unread.
    await provider.goto("/notifications");
    const request = provider.getByRole("main").getByRole("link", { name: new RegExp(`^Unread: .*Gold plan of Weather 1\\.0 for ${client}\\.$`) });
    await expect(request).toBeVisible();
    await request.click();
    await expect(provider).toHaveURL(new RegExp(`/manage/approvals\\?contract=${contract.id}$`));

    const approved = await provider.request.post(`/api/v1/approvals/${contract.id}/approve`, { headers });
    expect(approved.status(), await approved.text()).toBe(200);
    expect(await unreadAbout(client)).toBe(0);
    await provider.goto("/notifications");
    await expect(provider.getByRole("main").getByRole("link", { name: new RegExp(`^Decided: .*for ${client}\\.$`) })).toBeVisible();

    // The developer's answer links to My Clients.
    await developer.goto("/notifications");
    const answer = developer.getByRole("main").getByRole("link", { name: /^Unread: Your contract .* was approved\.$/ });
    await expect(answer).toBeVisible();
    await answer.click();
    await expect(developer).toHaveURL(/\/my-clients$/);
    await expect(developer.getByRole("heading", { level: 1, name: "My Clients" })).toBeVisible();
  });

  test("Delete client is disabled while the client has a live contract, and says what to do first", async ({ page, myClients }) => {
    const client = `Doomed ${uniqueSuffix()}`;
    await signUp(page, `Owner of ${client}`);
    const setup = await apiAs(page);
    expect(await setup.signContract(await setup.createClient(client), { org: "acme", api: "weather", plan: "Bronze" })).toBe("Active");

    await myClients.goto();
    const section = myClients.section(client);
    const remove = section.getByRole("button", { name: "Delete client" });
    await expect(remove).toBeDisabled();
    await expect(remove).toHaveAccessibleDescription("Delete or withdraw its live contract first.");
    await expect(section.getByText("Delete or withdraw its live contract first.")).toBeVisible();

    await myClients.deleteContract(client, "Weather");
    await expect(remove).toBeEnabled();
    await expect(section.getByText("Delete or withdraw its live contract first.")).toHaveCount(0);
  });
});
