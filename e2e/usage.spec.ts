import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page } from "@playwright/test";
import { apiAs } from "./api-setup";
import { expect, signUp, test } from "./fixtures";

const forecast = `http://localhost:${process.env.E2E_GATEWAY_PORT}/acme/weather/1.0/forecast?city=Oslo`;

/** Calls Weather through the gateway `count` times at once; answers the statuses. */
async function callAtOnce(request: APIRequestContext, apiKey: string, count: number): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: count }, () => request.get(forecast, { headers: { "X-API-Key": apiKey } })));
  return responses.map((r) => r.status());
}

/** A stat of the page's Totals, by its term. */
const stat = (page: Page, term: string) => page.locator('dl[aria-label="Totals"]').locator(`dt:text-is("${term}") + dd`);

/** Waits for the start of the next calendar second: the gateway's rate limits count per calendar second. */
const nextSecond = (page: Page) => page.waitForTimeout(1_000 - (Date.now() % 1_000) + 20);

/** Serious and critical axe findings on the page as it is now. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

/** Reloads until the gateway's batched usage has reached the page. */
async function reloadUntil(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 20_000, intervals: [500, 1_000] });
}

test.describe.serial("usage analytics", () => {
  test("a developer sees what their contract sent, what the gateway refused and what today's quota leaves; the provider sees the same traffic", async ({ page, request, asProvider, asDeveloper }, testInfo) => {
    test.slow();
    await signUp(page, "Ulla Usage");
    const api = await apiAs(page);
    const clientName = `Usage Board ${Date.now().toString(36)}`;
    const clientSlug = await api.createClient(clientName);
    const contract = await api.createContract(clientSlug, { org: "acme", api: "weather", plan: "Bronze" });
    expect(contract.status).toBe("Active");
    const apiKey = await api.revealKey(clientSlug);

    // A new contract's page says so before any call.
    await page.goto(`/usage/contracts/${contract.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Usage of ${clientName} 1.0 → Weather 1.0`);
    await expect(page.getByText("No requests in this range.")).toBeVisible();
    await expect(page.getByText("1,000 of 1,000 requests left today, resets 00:00 UTC")).toBeVisible();
    await expect(page.getByText(/Rate limit: at most 5 requests per second/)).toBeVisible();

    // The program: a burst of 10 at once (Bronze allows 5 a second), then 10 more, 5 a second.
    await expect.poll(async () => (await request.get(forecast, { headers: { "X-API-Key": apiKey } })).status(), { timeout: 5_000 }).toBe(200);
    const statuses = [200];
    await page.waitForTimeout(1_000);
    await nextSecond(page);
    statuses.push(...(await callAtOnce(request, apiKey, 10)));
    for (let batch = 0; batch < 2 && statuses.length < 20; batch++) {
      await page.waitForTimeout(1_100);
      statuses.push(...(await callAtOnce(request, apiKey, Math.min(5, 20 - statuses.length))));
    }
    while (statuses.length < 20) {
      await page.waitForTimeout(1_100);
      statuses.push(...(await callAtOnce(request, apiKey, 1)));
    }
    const ok = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(ok + refused).toBe(20);
    expect(refused).toBeGreaterThan(0);

    // The developer's page: counts arrive with the gateway's next flush.
    await reloadUntil(page, async () => expect(stat(page, "Requests")).toHaveText("20"));
    await expect(stat(page, "Refused")).toHaveText(String(refused));
    await expect(stat(page, "Successful")).toHaveText(String(ok));
    // A refused request never reached the quota, which comes after the rate limit.
    await expect(page.getByText(`${new Intl.NumberFormat("en-GB").format(1000 - ok)} of 1,000 requests left today, resets 00:00 UTC`)).toBeVisible();
    await expect(page.getByRole("table", { name: "Requests the gateway refused, by problem code" }).getByRole("row", { name: /rate_limited/ })).toContainText(String(refused));
    await expect(page.getByRole("figure", { name: /Requests by outcome/ })).toHaveAccessibleDescription(/20 requests in this range/);

    // The table view: the chart's numbers, with totals that match.
    const traffic = page.getByRole("region", { name: "Traffic" });
    await traffic.getByRole("button", { name: "Show table" }).click();
    const table = traffic.getByRole("table", { name: /Requests by outcome per hour/ });
    await expect(table).toBeVisible();
    const totalRow = table.getByRole("row", { name: /^Total/ });
    await expect(totalRow.getByRole("cell").nth(0)).toHaveText("20");
    await expect(totalRow.getByRole("cell").nth(5)).toHaveText(String(refused));
    await traffic.getByRole("button", { name: "Show chart" }).click();
    await expect(table).toBeHidden();

    // The CSV download: a header row, and rows that add up to the totals.
    const downloading = page.waitForEvent("download");
    await traffic.getByRole("link", { name: "Download CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^usage-.+-weather-1\.0-24h\.csv$/);
    const lines = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r\n/);
    expect(lines[0]).toBe("time,requests,status_2xx,status_3xx,status_4xx,status_5xx,refused,mean_latency_ms");
    expect(lines).toHaveLength(25);
    const rows = lines.slice(1).map((line) => line.split(","));
    const sum = (column: number) => rows.reduce((total, row) => total + Number(row[column]), 0);
    expect([sum(1), sum(2), sum(6)]).toEqual([20, ok, refused]);

    // A custom range the domain refuses is explained, and the range stays in the URL.
    await page.getByText("Custom range").click();
    await page.getByLabel("From (UTC)").fill("2026-03-02T10:00");
    await page.getByLabel("To (UTC)").fill("2026-03-01T10:00");
    await page.getByRole("button", { name: "Show range" }).click();
    await expect(page).toHaveURL(/from=2026-03-02T10%3A00&to=2026-03-01T10%3A00/);
    await expect(page.locator("#usage-range-error")).toHaveText("The end must come after the start.");
    await page.getByRole("link", { name: "Last hour" }).click();
    await expect(page).toHaveURL(/\?range=1h$/);
    await expect(page.getByRole("link", { name: "Last hour" })).toHaveAttribute("aria-current", "true");
    await expect(stat(page, "Requests")).toHaveText("20");

    // Pictures at a laptop's and a phone's width, light and dark; no sideways scroll on the phone.
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`/usage/contracts/${contract.id}?range=1h`);
        await expect(page.getByRole("figure", { name: /Requests by outcome/ }).locator("svg.recharts-surface").first()).toBeVisible();
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: testInfo.outputPath(`contract-usage-${width}-${colorScheme}.png`), fullPage: true });
        if (width === 390) expect(await seriousViolations(page)).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });

    // The client version's page adds up its contracts.
    await page.goto(`/usage/clients/${api.org}/${clientSlug}/1.0?range=24h`);
    await expect(stat(page, "Requests")).toHaveText("20");

    // Someone else's contract is not there for them.
    await asDeveloper.goto(`/usage/contracts/${contract.id}`);
    await expect(asDeveloper.getByRole("heading", { name: "Page not found" })).toBeVisible();
    expect((await asDeveloper.request.get(`/usage/contracts/${contract.id}/csv`)).status()).toBe(404);

    // The provider sees the same traffic on Weather 1.0, with the developer's client among the top ones.
    await asProvider.goto("/manage/acme/apis/weather/1.0/usage");
    await expect(asProvider.getByRole("heading", { level: 1 })).toHaveText("Usage of Weather 1.0");
    const topClients = asProvider.getByRole("table", { name: /client versions that called Weather 1.0 the most/ });
    await expect(topClients.getByRole("row", { name: new RegExp(`${clientName} 1.0`) }).getByRole("cell").nth(1)).toHaveText("20");
    expect(await seriousViolations(asProvider)).toEqual([]);
    await asProvider.screenshot({ path: testInfo.outputPath("api-version-usage-1280-light.png"), fullPage: true });
    await expect(asProvider.getByRole("link", { name: "Back to Weather 1.0" })).toHaveAttribute("href", "/manage/acme/apis/weather/1.0");
    await asProvider.goto("/manage/acme/usage");
    await expect(asProvider.getByRole("table", { name: /Requests per API version of Acme/ }).getByRole("link", { name: "Weather 1.0" })).toBeVisible();
    // A developer's own client's usage is not the provider's.
    await asProvider.goto(`/usage/contracts/${contract.id}`);
    await expect(asProvider.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });
});
