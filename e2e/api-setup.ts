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
      return (await this.createContract(clientSlug, to)).status;
    },
    /** Signs a contract for version 1.0 of the client; answers the contract (its id and status). */
    async createContract(clientSlug: string, to: ContractRequest): Promise<{ id: string; status: string }> {
      const plan = await planOf(to, to.plan);
      return json<{ id: string; status: string }>(
        await request.post(`/api/v1/orgs/${org}/clients/${clientSlug}/versions/1.0/contracts`, { headers, data: { apiVersionId: plan.apiVersionId, planVersionId: plan.planVersionId } }),
        201,
      );
    },
    /** The API key of version 1.0 of the client, as a program would read it. */
    async revealKey(clientSlug: string): Promise<string> {
      return (await json<{ apiKey: string }>(await request.get(`/api/v1/orgs/${org}/clients/${clientSlug}/versions/1.0/key`, { headers }), 200)).apiKey;
    },
    /** Asks to move a contract to another plan of the same API version; answers the contract's pending plan version (null when changed at once). */
    async requestPlanChange(contractId: string, to: ContractRequest): Promise<string | null> {
      const plan = await planOf(to, to.plan);
      const response = await request.post(`/api/v1/contracts/${contractId}/plan-change`, { headers, data: { planVersionId: plan.planVersionId } });
      expect(response.ok(), await response.text()).toBe(true);
      const contract = await json<{ pendingPlanVersionId: string | null }>(await request.get(`/api/v1/contracts/${contractId}`, { headers }), 200);
      return contract.pendingPlanVersionId;
    },
    /** Takes back the plan change awaiting approval. */
    async cancelPlanChange(contractId: string): Promise<void> {
      const response = await request.delete(`/api/v1/contracts/${contractId}/plan-change`, { headers });
      expect(response.ok(), await response.text()).toBe(true);
    },
  };

  /** The API version and the offered plan version named `planName`. */
  async function planOf(to: ContractRequest, planName: string): Promise<{ apiVersionId: string; planVersionId: string }> {
    const version = await json<{ id: string; plans: { name: string; planVersionId: string }[] }>(await request.get(`/api/v1/apis/${to.org}/${to.api}/${to.version ?? "1.0"}`, { headers }), 200);
    const plan = version.plans.find((p) => p.name === planName);
    expect(plan, `${to.api} offers ${planName}`).toBeDefined();
    return { apiVersionId: version.id, planVersionId: plan!.planVersionId };
  }
}
