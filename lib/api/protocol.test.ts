import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { Db, OpenDatabase } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";
import { DomainError } from "@/lib/domain/errors";
import { checkIfMatch, etagOf } from "@/lib/domain/etags";
import { claimIdempotencyKey, IDEMPOTENCY_TTL_MS, requestFingerprint } from "@/lib/domain/idempotency";
import type { Actor } from "@/lib/domain/permissions";
import { makeUser, openTestDb } from "@/lib/domain/test-fixtures";
import { createAccessToken } from "@/lib/domain/tokens";
import { MAX_BODY_BYTES } from "./body";
import { route } from "./handler";
import { defineOperation, type Operation } from "./operation";
import { ApiRateLimiter, apiRateLimiter, installApiRateLimiter } from "./rate-limit";

/** What every /api/v1 operation gets from lib/api/handler.ts: bodies, Idempotency-Key, rate limits, ETags. */

let open: OpenDatabase;
let db: Db;
let alice: Actor;
let bob: Actor;
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  alice = await makeUser(db, "portal");
  bob = await makeUser(db, "portal");
  ({ token: aliceToken } = await createAccessToken(db, alice, { name: "a", expiresInDays: 30, scope: "write" }));
  ({ token: bobToken } = await createAccessToken(db, bob, { name: "b", expiresInDays: 30, scope: "write" }));
});
afterAll(() => open?.close());

const noParams = { params: Promise.resolve({}) };

function post(operation: Operation, options: { token?: string; body?: string; headers?: Record<string, string>; path?: string } = {}) {
  return route(operation)(
    new Request(`http://portico.test/api/v1${options.path ?? "/things"}`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.token ?? aliceToken}`, "content-type": "application/json", ...options.headers },
      body: options.body ?? JSON.stringify({ name: "Kite" }),
    }),
    noParams,
  );
}

/** A POST operation that counts how often it acted. */
function countingOperation(act: (name: string, n: number) => Promise<unknown> = async (name, n) => ({ name, n })) {
  let calls = 0;
  const operation = defineOperation({
    method: "POST",
    path: "/things",
    id: "createThing",
    tag: "Test",
    summary: "Makes a thing",
    scope: "write",
    status: 201,
    body: z.object({ name: z.string().max(20) }),
    response: z.object({ name: z.string(), n: z.number() }),
    handler: async ({ body }) => act(body.name, ++calls) as Promise<{ name: string; n: number }>,
  });
  return { operation, calls: () => calls };
}

describe("Idempotency-Key", () => {
  it("answers a retry with the first answer and acts once", async () => {
    const { operation, calls } = countingOperation();
    const first = await post(operation, { headers: { "idempotency-key": "order-1" } });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ name: "Kite", n: 1 });
    const retry = await post(operation, { headers: { "idempotency-key": "order-1" } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await retry.json()).toEqual({ name: "Kite", n: 1 });
    expect(calls()).toBe(1);
    // Without a key every request acts.
    await post(operation);
    expect(calls()).toBe(2);
  });

  it("refuses the same key with another body or path (422), and keeps keys per user", async () => {
    const { operation, calls } = countingOperation();
    await post(operation, { headers: { "idempotency-key": "k-2" } });
    const other = await post(operation, { headers: { "idempotency-key": "k-2" }, body: JSON.stringify({ name: "Other" }) });
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe("idempotency_key_reused");
    const otherPath = await post(operation, { headers: { "idempotency-key": "k-2" }, path: "/things?x=1" });
    expect(otherPath.status).toBe(422);
    const bobs = await post(operation, { token: bobToken, headers: { "idempotency-key": "k-2" } });
    expect(bobs.status).toBe(201);
    expect(calls()).toBe(2);
  });

  it("refuses malformed keys with a field error and acts on nothing", async () => {
    const { operation, calls } = countingOperation();
    for (const key of ["has space", "x".repeat(256), "naïve"]) {
      const response = await post(operation, { headers: { "idempotency-key": key } });
      expect(response.status, key).toBe(400);
      expect((await response.json()).fields).toHaveProperty(["Idempotency-Key"]);
    }
    expect(calls()).toBe(0);
  });

  it("tells a retry to wait while the first request is running (409), then replays it", async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const { operation, calls } = countingOperation(async (name, n) => {
      await gate;
      return { name, n };
    });
    const first = post(operation, { headers: { "idempotency-key": "slow" } });
    await vi.waitFor(async () => {
      const [row] = await db.select({ n: count() }).from(idempotencyKeys).where(eq(idempotencyKeys.key, "slow"));
      expect(row.n).toBe(1);
    });
    const early = await post(operation, { headers: { "idempotency-key": "slow" } });
    expect(early.status).toBe(409);
    expect((await early.json()).code).toBe("idempotency_in_progress");
    finish();
    expect((await first).status).toBe(201);
    expect((await post(operation, { headers: { "idempotency-key": "slow" } })).headers.get("idempotent-replayed")).toBe("true");
    expect(calls()).toBe(1);
  });

  it("keeps a refusal as the first answer, but frees the key when the server failed", async () => {
    const refusing = countingOperation(async () => {
      throw new DomainError("slug_taken");
    });
    const refused = await post(refusing.operation, { headers: { "idempotency-key": "refused" } });
    expect(refused.status).toBe(409);
    const again = await post(refusing.operation, { headers: { "idempotency-key": "refused" } });
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(refusing.calls()).toBe(1);

    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    let fail = true;
    const flaky = countingOperation(async (name, n) => {
      if (fail) throw new Error("database went away");
      return { name, n };
    });
    expect((await post(flaky.operation, { headers: { "idempotency-key": "flaky" } })).status).toBe(500);
    fail = false;
    const retried = await post(flaky.operation, { headers: { "idempotency-key": "flaky" } });
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    error.mockRestore();
  });

  it("forgets a key after 24 hours", async () => {
    const fingerprint = requestFingerprint("POST", "/api/v1/things", "{}");
    const start = new Date("2026-01-01T00:00:00Z");
    const first = await claimIdempotencyKey(db, alice.userId, "daily", fingerprint, start);
    expect(first.kind).toBe("claimed");
    await expect(claimIdempotencyKey(db, alice.userId, "daily", fingerprint, new Date(start.getTime() + 60_000))).rejects.toMatchObject({ code: "idempotency_in_progress" });
    const later = await claimIdempotencyKey(db, alice.userId, "daily", fingerprint, new Date(start.getTime() + IDEMPOTENCY_TTL_MS + 1));
    expect(later.kind).toBe("claimed");
  });
});

describe("request bodies", () => {
  it("refuses what is not JSON, is malformed, or is too large, before the handler runs", async () => {
    const { operation, calls } = countingOperation();
    const wrongType = await post(operation, { headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    expect((await wrongType.json()).code).toBe("unsupported_media_type");
    const malformed = await post(operation, { body: "{name:" });
    expect(malformed.status).toBe(400);
    const invalid = await post(operation, { body: JSON.stringify({ name: 42 }) });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).fields).toHaveProperty("name");
    const huge = await post(operation, { body: JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) }) });
    expect(huge.status).toBe(413);
    const lied = await post(operation, { headers: { "content-length": String(MAX_BODY_BYTES + 1) } });
    expect(lied.status).toBe(413);
    const notUtf8 = await route(operation)(
      new Request("http://portico.test/api/v1/things", {
        method: "POST",
        headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
        body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]),
      }),
      noParams,
    );
    expect(notUtf8.status).toBe(400);
    expect(calls()).toBe(0);
  });

  it("keeps next.config.js's form limit and the API's body limit equal", async () => {
    const configFile = path.resolve(import.meta.dirname, "../../next.config.js");
    const { SERVER_ACTION_BODY_LIMIT } = (await import(/* @vite-ignore */ configFile)) as { SERVER_ACTION_BODY_LIMIT: string };
    expect(MAX_BODY_BYTES).toBe(Number.parseInt(SERVER_ACTION_BODY_LIMIT, 10) * 1024 * 1024);
  });
});

describe("the per-token rate limit", () => {
  const previous = apiRateLimiter();
  afterEach(() => installApiRateLimiter(previous));

  it("answers 429 with Retry-After past the limit, per token", async () => {
    installApiRateLimiter(new ApiRateLimiter(3));
    const { operation } = countingOperation();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(operation));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(answers[0].headers.get("ratelimit-limit")).toBe("3");
    expect(answers[2].headers.get("ratelimit-remaining")).toBe("0");
    const limited = answers[3];
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    expect((await limited.json()).code).toBe("rate_limited");
    expect((await post(operation, { token: bobToken })).status).toBe(201);
  });

  it("refills evenly and stays bounded", () => {
    const limiter = new ApiRateLimiter(60);
    for (let i = 0; i < 60; i++) expect(limiter.take("t", 0).allowed).toBe(true);
    const refused = limiter.take("t", 0);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take("t", 1_000).allowed).toBe(true);
    expect(limiter.take("t", 1_000).allowed).toBe(false);
  });
});

describe("ETags", () => {
  it("match the same representation and refuse a stale If-Match", () => {
    const tag = etagOf({ docs: "# Weather" });
    expect(tag).toBe(etagOf({ docs: "# Weather" }));
    expect(tag).not.toBe(etagOf({ docs: "# Weather!" }));
    expect(() => checkIfMatch(undefined, tag)).not.toThrow();
    expect(() => checkIfMatch(tag, tag)).not.toThrow();
    expect(() => checkIfMatch(`W/${tag}`, tag)).not.toThrow();
    expect(() => checkIfMatch(`"old", ${tag}`, tag)).not.toThrow();
    expect(() => checkIfMatch("*", tag)).not.toThrow();
    expect(() => checkIfMatch('"old"', tag)).toThrow(expect.objectContaining({ code: "precondition_failed", status: 412 }));
  });
});
