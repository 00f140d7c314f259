import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";

const gatewayUrl = `http://localhost:${process.env.E2E_GATEWAY_PORT}`;

test.describe("REST API", () => {
  test.use({ signedInAs: "developer" });

  test("a token made in the portal signs a Bronze contract to Weather, opens the gateway, breaks it, and ends when revoked", async ({ page, request }) => {
    const suffix = randomBytes(3).toString("hex");
    const tokenName = `Release pipeline ${suffix}`;

    // The person: Settings → Access tokens, a read-and-write token.
    await page.goto("/settings/tokens");
    const form = page.getByRole("form", { name: "Create token" });
    await form.getByLabel("Name").fill(tokenName);
    await form.getByLabel("Scope").selectOption({ label: "read and write" });
    await form.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByLabel("New access token").textContent())!.trim();
    expect(token).toMatch(/^pat_/);

    // The program, with nothing but that token.
    const headers = { Authorization: `Bearer ${token}` };
    const me = await (await request.get("/api/v1/me", { headers })).json();
    const org = me.organizations[0].slug as string;

    const created = await request.post(`/api/v1/orgs/${org}/clients`, { headers, data: { name: `Pipeline ${suffix}` } });
    expect(created.status()).toBe(201);
    const client = await created.json();
    const versionPath = `/api/v1/orgs/${org}/clients/${client.slug}/versions/1.0`;
    expect(created.headers()["location"]).toBe(versionPath);

    const weather = await (await request.get("/api/v1/apis/acme/weather/1.0", { headers })).json();
    const bronze = weather.plans.find((plan: { name: string }) => plan.name === "Bronze");
    const signed = await request.post(`${versionPath}/contracts`, {
      headers: { ...headers, "Idempotency-Key": `weather-${suffix}` },
      data: { apiVersionId: weather.id, planVersionId: bronze.planVersionId },
    });
    expect(signed.status()).toBe(201);
    const contract = await signed.json();
    expect(contract.status).toBe("Active");

    const { apiKey } = await (await request.get(`${versionPath}/key`, { headers })).json();
    expect(apiKey).toMatch(/^ptk_/);

    const forecast = `${gatewayUrl}/acme/weather/1.0/forecast?city=Oslo`;
    await expect.poll(async () => (await request.get(forecast, { headers: { "X-API-Key": apiKey } })).status(), { timeout: 3_000 }).toBe(200);

    const broken = await request.delete(`/api/v1/contracts/${contract.id}`, { headers });
    expect(broken.status()).toBe(204);
    await expect
      .poll(async () => {
        const response = await request.get(forecast, { headers: { "X-API-Key": apiKey } });
        return [response.status(), (await response.json()).code];
      }, { timeout: 3_000 })
      .toEqual([403, "no_contract"]);

    // The person revokes the token; the program is refused at once.
    await page.reload();
    await page.getByRole("row", { name: new RegExp(tokenName) }).getByRole("button", { name: `Revoke ${tokenName}` }).click();
    await page.getByRole("dialog", { name: `Revoke ${tokenName}` }).getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(page.getByRole("row", { name: new RegExp(tokenName) })).toContainText("Revoked");
    const refused = await request.get(`${versionPath}`, { headers });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "token_invalid" });
  });

  test("addresses that name no operation get a 404 problem, never the portal's page or a 500", async ({ request }) => {
    for (const address of ["/api/v1/nope", "/api/v1/apis/acme/weather/1.0%ZZ", "/api/v1/apis/acme/%2e%2e/1.0", "/api/v1/apis/acme", "/api/v1/contracts/%c0%ae"]) {
      const response = await request.get(address, { maxRedirects: 0 });
      expect(response.status(), address).toBe(404);
      expect(response.headers()["content-type"], address).toContain("application/problem+json");
      expect((await response.json()).code, address).toBe("not_found");
    }
  });

  test("the API reference renders the OpenAPI document, which is public", async ({ page, request }) => {
    const document = await (await request.get("/api/v1/openapi.json")).json();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/api/v1/orgs/{org}/clients/{client}/versions/{version}/contracts");

    await page.goto("/settings/tokens");
    await page.getByRole("link", { name: "API reference" }).click();
    await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
    // Scalar lists the operations by their summaries.
    await expect(page.getByText("The token's user, profile and organizations").first()).toBeVisible({ timeout: 15_000 });
  });
});
