import path from "node:path";
import { expect, signUp, test } from "./fixtures";

// Makes docs/my-clients.png, the picture of My Clients in the README, when asked:
// UPDATE_SCREENSHOTS=1 npx playwright test e2e/portal-screenshot (keys and dates differ on every run).
test("My Clients, as the README shows it", async ({ page, myClients, apiPage: api }) => {
  test.skip(!process.env.UPDATE_SCREENSHOTS, "set UPDATE_SCREENSHOTS=1 to remake docs/my-clients.png");
  test.slow();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signUp(page, "Dana Developer");
  await myClients.goto();
  await myClients.newClient("Harbour Display");
  await myClients.newClient("Sales Dashboard");
  await api.goto("acme", "weather");
  await api.createContract("Harbour Display", "Bronze");
  await expect(api.success).toContainText("Contract created");
  await api.createContract("Sales Dashboard", "Gold");
  await expect(api.success).toContainText("Awaiting approval");
  await api.goto("acme", "billing");
  await api.createContract("Sales Dashboard", "Bronze");
  await expect(api.success).toContainText("Contract created");

  await myClients.goto();
  await expect(myClients.contractRow("Sales Dashboard", "Weather")).toContainText("Awaiting approval");
  await page.screenshot({ path: path.join(import.meta.dirname, "..", "docs", "my-clients.png"), fullPage: true });
});
