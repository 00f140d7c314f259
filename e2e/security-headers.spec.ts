import http from "node:http";
import type { AddressInfo } from "node:net";
import type { APIResponse, Page, Response } from "@playwright/test";
import { expect, test } from "./fixtures";
import { main, ManageHome, uniqueSuffix } from "./manage-pages";
import { MyClientsPage } from "./portal-pages";

/** A page on another origin, and a count of what was asked of it. */
async function startOtherOrigin(portalUrl: string) {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? "");
    if (request.url === "/frame") {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><title>Framer</title><iframe id="portal" src="${portalUrl}/login" width="800" height="600"></iframe>`);
      return;
    }
    response.writeHead(200, { "content-type": "image/png" });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function expectSecurityHeaders(response: Response | APIResponse | null, what: string) {
  expect(response, what).not.toBeNull();
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "img-src 'self' data:"]) {
    expect(csp, `${what}: ${directive}`).toContain(directive);
  }
  expect(headers["x-frame-options"], what).toBe("DENY");
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], what).toContain("camera=()");
}

/** Server action posts the page sends; a form that refuses input before sending adds none. */
function countActionPosts(page: Page) {
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.headers()["next-action"]) posts.push(request.url());
  });
  return posts;
}

test.describe("security headers and hostile input", () => {
  test.setTimeout(120_000);

  test("every kind of page, the 404 page and the demo backend carry the security headers", async ({ asProvider: provider, request }) => {
    expectSecurityHeaders(await request.get("/login"), "login");
    expectSecurityHeaders(await request.get("/demo-backend/hello"), "demo backend");

    for (const url of ["/apis", "/apis/acme/weather", "/my-clients", "/manage/acme"]) {
      const response = await provider.goto(url);
      expect(response?.status(), url).toBe(200);
      expectSecurityHeaders(response, url);
    }
    const missing = await provider.goto("/no-such-page");
    expect(missing?.status()).toBe(404);
    expectSecurityHeaders(missing, "404");
  });

  test("a page on another origin cannot frame the portal", async ({ page, baseURL }) => {
    const other = await startOtherOrigin(baseURL!);
    try {
      await page.goto(`${other.origin}/frame`);
      const frame = page.frameLocator("#portal");
      // Give the portal time to answer; a framed page would show its sign-in form by now.
      await page.waitForTimeout(2000);
      await expect(frame.getByLabel("Email")).toHaveCount(0);
      await expect(frame.getByRole("button", { name: "Sign in" })).toHaveCount(0);
    } finally {
      await other.close();
    }
  });

  test("a remote image in API docs shows as a link, and nothing is fetched from its host", async ({ asProvider: provider }) => {
    const tracker = await startOtherOrigin("http://unused.invalid");
    try {
      const run = uniqueSuffix();
      const home = new ManageHome(provider);
      await home.goto();
      const organization = await home.createOrganization(`Pixels ${run}`, `pixels-${run}`);
      const apiPage = await organization.createApi({ name: `Pixel ${run}`, slug: `pixel-${run}`, endpoint: "http://localhost:9/pixel", isPublic: true });
      const form = main(provider).getByRole("form", { name: "Edit API version" });
      await form.getByLabel("Documentation").fill(`# Pixel\n\nRead on. ![tracking pixel](${tracker.origin}/p.png)\n\n<img src="${tracker.origin}/raw.png" alt="raw">`);
      await form.getByRole("button", { name: "Save changes" }).click();
      await expect(form.getByText("The changes were saved.")).toBeVisible();
      await apiPage.publish();

      const toTracker: string[] = [];
      provider.on("request", (r) => {
        if (r.url().startsWith(tracker.origin)) toTracker.push(r.url());
      });
      await provider.goto(`/apis/pixels-${run}/pixel-${run}`);
      const link = main(provider).getByRole("link", { name: "Image: tracking pixel (link)" });
      await expect(link).toHaveAttribute("href", `${tracker.origin}/p.png`);
      await expect(main(provider).getByRole("link", { name: "Image: raw (link)" })).toBeVisible();
      await expect(main(provider).locator("img")).toHaveCount(0);
      await provider.waitForLoadState("networkidle");
      expect(toTracker).toEqual([]);
      expect(tracker.hits).toEqual([]);
    } finally {
      await tracker.close();
    }
  });

  test("a NUL byte in a new client's name is a sentence next to the field, and the name is kept", async ({ asDeveloper: developer }) => {
    const myClients = new MyClientsPage(developer);
    await myClients.goto();
    await myClients.main.getByRole("button", { name: "New client" }).click();
    const dialog = developer.getByRole("dialog", { name: "New client" });
    const name = dialog.getByLabel("Name");
    await name.fill("Bad\u0000name");
    await dialog.getByRole("button", { name: "Create client" }).click();
    await expect(name).toHaveAccessibleDescription(/control characters/);
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(name).toHaveValue("Bad\u0000name");
  });

  test("an OpenAPI document over the limit is refused in the form with a sentence, keeping the text; one under it is saved", async ({ asProvider: provider }) => {
    const run = uniqueSuffix();
    const home = new ManageHome(provider);
    await home.goto();
    const organization = await home.createOrganization(`Specs ${run}`, `specs-${run}`);
    await organization.createApi({ name: `Spec ${run}`, slug: `spec-${run}` });
    const form = main(provider).getByRole("form", { name: "Edit API version" });
    const openapi = form.getByLabel("OpenAPI document");

    // Between 1 and 2 MB: once a 500 ("Body exceeded 1 MB limit"), now saved.
    const large = JSON.stringify({ openapi: "3.1.0", info: { title: "Large", version: "1" }, paths: {}, "x-padding": "x".repeat(1_500_000) });
    await openapi.fill(large);
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(form.getByText("The changes were saved.")).toBeVisible({ timeout: 30_000 });

    const posts = countActionPosts(provider);
    const tooLarge = JSON.stringify({ openapi: "3.1.0", "x-padding": "x".repeat(2_100_000) });
    await openapi.fill(tooLarge);
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(openapi).toHaveAccessibleDescription(/^At most 2,000,000 characters; this has 2,100,0\d\d\. Nothing was sent\.$/);
    await expect(openapi).toHaveAttribute("aria-invalid", "true");
    expect(await openapi.inputValue()).toHaveLength(tooLarge.length);
    expect(posts).toEqual([]);
  });
});
