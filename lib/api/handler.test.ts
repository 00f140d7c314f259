import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { GET as getMe } from "@/app/api/v1/me/route";
import { DomainError } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { makeOrg, makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { z } from "zod";
import type { AccessTokenScope } from "@/lib/domain/tokens";
import { route } from "./handler";
import { defineOperation } from "./operation";

/** A route serving an operation whose handler is `body`. */
const apiRoute = (options: { scope: AccessTokenScope }, body: () => Promise<unknown>) =>
  route(defineOperation({ method: "GET", path: "/x", id: "x", tag: "Test", summary: "A test operation", scope: options.scope, response: z.unknown(), handler: body }));

let open: OpenDatabase;
let db: Db;
let owner: Actor;
let org: { slug: string; name: string };

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  ({ owner, org } = await makeOrg(db, await makeUser(db, "manager", "Mia Manager")));
});
afterAll(() => open?.close());

const noParams = { params: Promise.resolve({} as Record<string, never>) };
const call = (route: (request: Request, context: typeof noParams) => Promise<Response>, authorization?: string) =>
  route(new Request("http://portico.test/api/v1/x", { headers: authorization ? { authorization } : {} }), noParams);

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = await response.json();
  expect(body).toMatchObject({ type: `urn:portico:problem:${code}`, status, code, title: expect.any(String), detail: expect.any(String) });
  return body;
}

describe("the /api/v1 handler", () => {
  it("GET /api/v1/me answers the token's user and organizations", async () => {
    const { token } = await createAccessToken(db, owner, { name: "me", expiresInDays: 30, scope: "read" });
    const response = await call(getMe, `Bearer ${token}`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ id: owner.userId, email: owner.email, name: "Mia Manager", profile: "manager" });
    expect(body.organizations).toContainEqual({ slug: org.slug, name: org.name, role: "owner" });
    expect(body.organizations.every((o: object) => Object.keys(o).sort().join() === "name,role,slug")).toBe(true);
  });

  it("answers 401 token_invalid with WWW-Authenticate for a missing, malformed or revoked token", async () => {
    const { token, accessToken } = await createAccessToken(db, owner, { name: "gone", expiresInDays: 30, scope: "read" });
    await revokeAccessToken(db, owner, accessToken.id);
    for (const authorization of [undefined, "Bearer", "Basic abc", "Bearer pat_x", `Bearer pat_${"A".repeat(100_000)}`, `Bearer ${token}`]) {
      const response = await call(getMe, authorization);
      await expectProblem(response, 401, "token_invalid");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });

  it("refuses a read token on a write route with 403 before the body runs", async () => {
    const body = vi.fn(async () => ({ done: true }));
    const route = apiRoute({ scope: "write" }, body);
    const read = await createAccessToken(db, owner, { name: "r", expiresInDays: 30, scope: "read" });
    const write = await createAccessToken(db, owner, { name: "w", expiresInDays: 30, scope: "write" });
    await expectProblem(await call(route, `Bearer ${read.token}`), 403, "token_read_only");
    expect(body).not.toHaveBeenCalled();
    const ok = await call(route, `bearer ${write.token}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ done: true });
  });

  it("maps a DomainError to its status and fields, and anything else to a 500 problem", async () => {
    const { token } = await createAccessToken(db, owner, { name: "e", expiresInDays: 30, scope: "read" });
    const failing = apiRoute({ scope: "read" }, async () => {
      throw new DomainError("validation_failed", "name: Required", { name: "Required" });
    });
    const body = await expectProblem(await call(failing, `Bearer ${token}`), 400, "validation_failed");
    expect(body.fields).toEqual({ name: "Required" });

    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = apiRoute({ scope: "read" }, async () => {
      throw new Error("secret internals");
    });
    const problem = await expectProblem(await call(broken, `Bearer ${token}`), 500, "internal_error");
    expect(JSON.stringify(problem)).not.toContain("secret internals");
    error.mockRestore();
  });
});
