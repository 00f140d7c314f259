import { expect, type Page } from "@playwright/test";

/**
 * Setting the stage through the REST API, for tests whose subject is what happens next: a
 * read-and-write token made in the signed-in page's Settings, then clients and contracts made
 * with it, each checked for the status a user would see.
 */

export async function createWriteToken(page: Page, name = "e2e setup"): Promise<string> {
  await page.goto("/settings/tokens");
  const form = page.getByRole("form", { name: "Create token" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Scope").selectOption({ label: "read and write" });
  await form.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByLabel("New access token").textContent())!.trim();
  expect(token).toMatch(/^pat_/);
  return token;
}

export interface ContractRequest {
  org: string;
  api: string;
  version?: string;
  plan: string;
}

/** The API as the signed-in user of `page`, working in their personal organization. */
export async function apiAs(page: Page) {
  const headers = { Authorization: `Bearer ${await createWriteToken(page)}` };
  const request = page.request;
  const me = (await (await request.get("/api/v1/me", { headers })).json()) as { organizations: { slug: string }[] };
  const org = me.organizations[0].slug;

  async function json<T>(response: Awaited<ReturnType<typeof request.get>>, status: number): Promise<T> {
    expect(response.status(), await response.text()).toBe(status);
    return (await response.json()) as T;
  }

  return {
    org,
    /** A client and its version 1.0; answers the client's identifier. */
    async createClient(name: string): Promise<string> {
      return (await json<{ slug: string }>(await request.post(`/api/v1/orgs/${org}/clients`, { headers, data: { name } }), 201)).slug;
    },
    /** Signs a contract for version 1.0 of the client; answers its status. */
    async signContract(clientSlug: string, to: ContractRequest): Promise<string> {
      const version = await json<{ id: string; plans: { name: string; planVersionId: string }[] }>(await request.get(`/api/v1/apis/${to.org}/${to.api}/${to.version ?? "1.0"}`, { headers }), 200);
      const plan = version.plans.find((p) => p.name === to.plan);
      expect(plan, `${to.api} offers ${to.plan}`).toBeDefined();
      const contract = await json<{ status: string }>(
        await request.post(`/api/v1/orgs/${org}/clients/${clientSlug}/versions/1.0/contracts`, { headers, data: { apiVersionId: version.id, planVersionId: plan!.planVersionId } }),
        201,
      );
      return contract.status;
    },
  };
}
