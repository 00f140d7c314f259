import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenDatabase } from "@/db/client";
import { openTestDb } from "@/lib/domain/test-fixtures";
import { buildOpenApiDocument } from "./openapi";
import { OPERATIONS } from "./registry";
import { apiClient, type ApiServer, loadRouteFiles, startApiServer } from "./test-server";

let open: OpenDatabase;
let server: ApiServer;

beforeAll(async () => {
  open = await openTestDb();
  server = await startApiServer();
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(buildOpenApiDocument()) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes exactly the routes the app serves under /api/v1, method by method", async () => {
    const served = (await loadRouteFiles()).flatMap((route) => Object.keys(route.methods).map((method) => `${method} ${route.template}`));
    const documented = Object.entries(buildOpenApiDocument().paths ?? {}).flatMap(([template, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${template}`),
    );
    expect(served.sort()).toEqual(documented.sort());
  });

  it("names every operation once", () => {
    const ids = OPERATIONS.map((operation) => operation.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is served without a token at /api/v1/openapi.json, as built", async () => {
    const answer = await apiClient(server).get("/api/v1/openapi.json");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });
});
