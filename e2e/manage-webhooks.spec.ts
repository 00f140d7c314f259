import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { expect, test } from "./fixtures";
import { main, OrganizationPage, uniqueSuffix } from "./manage-pages";

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on this machine that takes every delivery. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/portico`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test.describe("webhooks", () => {
  test.setTimeout(120_000);
  test.use({ signedInAs: "provider" });

  test("an owner registers an endpoint, keeps its secret, publishes an API version and sees the signed delivery in the log", async ({ page }) => {
    const receiver = await startReceiver();
    try {
      const run = uniqueSuffix();
      const organization = new OrganizationPage(page, "acme");
      await organization.goto();
      await main(page).getByRole("link", { name: "Webhooks" }).click();
      await expect(page).toHaveURL(/\/manage\/acme\/webhooks$/);

      const form = page.getByRole("form", { name: "New webhook endpoint" });
      await form.getByLabel("URL").fill(receiver.url);
      await form.getByLabel("Description").fill(`Publications ${run}`);
      await form.getByRole("checkbox", { name: /api_version\.published/ }).check();
      await form.getByRole("button", { name: "Add endpoint" }).click();
      const secretText = main(page).getByTestId("webhook-secret");
      await expect(secretText).toHaveText(/^whsec_/);
      const secret = (await secretText.textContent())!.trim();

      // Shown once: the page read again does not hold it.
      await page.reload();
      await expect(main(page).getByTestId("webhook-secret")).toHaveCount(0);
      await expect(page.content()).resolves.not.toContain(secret);

      // An event, through the UI: a public API version published.
      const apiPage = await organization.createApi({ name: `Hooked ${run}`, slug: `hooked-${run}`, endpoint: "http://localhost:9/hooked", isPublic: true });
      await apiPage.publish();

      const mine = () => receiver.received.find((r) => r.body.includes(`hooked-${run}`));
      await expect.poll(() => mine() !== undefined, { timeout: 30_000 }).toBe(true);
      const delivery = mine()!;
      const event = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as { type: string; data: { api: { slug: string } } };
      expect(event.type).toBe("api_version.published");
      expect(event.data.api.slug).toBe(`hooked-${run}`);
      const eventId = delivery.headers["webhook-id"] as string;

      await page.goto("/manage/acme/webhooks");
      await main(page).getByRole("link", { name: receiver.url }).first().click();
      await expect(page.getByRole("heading", { name: `Publications ${run}`, level: 1 })).toBeVisible();
      const row = page.getByRole("table", { name: "Deliveries" }).getByRole("row").filter({ hasText: eventId });
      await expect(row).toContainText("api_version.published");
      await expect(row).toContainText("200");
      await expect(row).toContainText("Delivered");

      // Redeliver: the same event again, with the same webhook-id.
      await row.getByRole("button", { name: /^Redeliver/ }).click();
      await expect.poll(() => receiver.received.filter((r) => r.headers["webhook-id"] === eventId).length, { timeout: 30_000 }).toBe(2);

      // Clean up: the demo organization keeps no endpoint to a receiver that is going away.
      await main(page).getByRole("button", { name: "Delete", exact: true }).click();
      await page.getByRole("dialog", { name: "Delete this endpoint?" }).getByRole("button", { name: "Delete endpoint" }).click();
      await expect(page).toHaveURL(/\/manage\/acme\/webhooks$/);
      await expect(main(page).getByRole("link", { name: receiver.url })).toHaveCount(0);
    } finally {
      await receiver.close();
    }
  });
});
