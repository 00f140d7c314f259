import { request as httpRequest } from "node:http";
import type { LookupFunction } from "node:net";
import { inspect } from "node:util";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiVersions, clientVersions, contractUsage } from "@/db/schema";
import { retireApiVersion } from "@/lib/domain/apis";
import { upstreamRulesFor } from "@/lib/domain/upstream-rules";
import { retireClientVersion, revealApiKey, rotateApiKey } from "@/lib/domain/clients";
import { digestApiKey, sealLegacyApiKeys } from "@/lib/domain/key-vault";
import { keyFingerprint } from "@/lib/domain/keys";
import { windowStart } from "./policies";
import { PROBLEM_TYPE_PREFIX } from "./problems";
import { takeKeyFromQuery } from "./request-url";
import { startGateway } from "./server";
import { DEFAULT_GATEWAY_SETTINGS } from "./settings";
import { UpstreamForbiddenError, Upstreams } from "./proxy";
import { call, capturingLogger, closedPort, eventually, openScene, rawRequest, type Scene, silentLogger, startUpstream } from "./test-support";

let scene: Scene;
let weather: Awaited<ReturnType<Scene["makeApi"]>>;
let client: Awaited<ReturnType<Scene["makeClientWithContract"]>>;

beforeAll(async () => {
  scene = await openScene();
  weather = await scene.makeApi({ policies: [] });
  client = await scene.makeClientWithContract(weather);
});
afterAll(() => scene.close());

/** Checks the RFC 9457 body and the headers every problem carries. */
function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(result.status).toBe(status);
  expect(result.headers.get("content-type")).toBe("application/problem+json");
  const body = result.body as Record<string, unknown>;
  expect(body).toMatchObject({ type: PROBLEM_TYPE_PREFIX + code, status, code });
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  expect(body.requestId).toBe(result.headers.get("x-request-id"));
  expect(String(body.requestId)).not.toBe("");
}

/** Sends `count` requests within one window of `period`, starting over if a window boundary falls in between. */
async function burstInOneWindow(period: "hour" | "day", count: number, send: () => Promise<Awaited<ReturnType<typeof call>>>) {
  for (;;) {
    const before = windowStart(period, Date.now());
    const results = [];
    for (let i = 0; i < count; i++) results.push(await send());
    if (windowStart(period, Date.now()) === before) return results;
  }
}

describe("the SPEC §7 table", () => {
  it("401 key_missing with WWW-Authenticate when a private API gets no key", async () => {
    const forwardedBefore = scene.upstream.requests.length;
    const result = await call(`${scene.base}${weather.path}/forecast`);
    expectProblem(result, 401, "key_missing");
    expect(result.headers.get("www-authenticate")).toMatch(/^ApiKey /);
    expect(scene.upstream.requests.length).toBe(forwardedBefore);
  });

  it("401 key_invalid for an unknown key", async () => {
    expectProblem(await call(`${scene.base}${weather.path}/forecast`, { headers: { "x-api-key": "ptk_not-a-real-key" } }), 401, "key_invalid");
  });

  it("401 key_invalid for a key replaced without grace, and for a retired client version's key", async () => {
    const rotated = await scene.makeClientWithContract(weather);
    await rotateApiKey(scene.db, scene.consumer, { clientVersionId: rotated.clientVersionId, graceSeconds: 0 });
    await scene.gateway.registry.settled();
    expectProblem(await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": rotated.apiKey } }), 401, "key_invalid");

    const retired = await scene.makeClientWithContract(weather);
    await retireClientVersion(scene.db, scene.consumer, retired.clientVersionId);
    await scene.gateway.registry.settled();
    expectProblem(await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": retired.apiKey } }), 401, "key_invalid");
  });

  it("401 key_invalid for an old key once its grace period has expired", async () => {
    const rotated = await scene.makeClientWithContract(weather);
    await rotateApiKey(scene.db, scene.consumer, { clientVersionId: rotated.clientVersionId, graceSeconds: 1 });
    await scene.gateway.registry.settled();
    const first = await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": rotated.apiKey } });
    expect(first.status).toBe(200);
    // The grace period ends without any event: the gateway must notice by itself.
    const deadline = Date.now() + 3_000;
    let last = first;
    while (last.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      last = await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": rotated.apiKey } });
    }
    expectProblem(last, 401, "key_invalid");
  });

  it("404 api_not_found for an unknown API version, an unpublished one, and a path that names none", async () => {
    const headers = { "x-api-key": client.apiKey };
    expectProblem(await call(`${scene.base}/${scene.orgSlug}/no-such-api/1.0/x`, { headers }), 404, "api_not_found");
    expectProblem(await call(`${scene.base}${weather.path.replace("/1.0", "/9.9")}/x`, { headers }), 404, "api_not_found");
    const draft = await scene.makeApi({ publish: false });
    expectProblem(await call(`${scene.base}${draft.path}/x`, { headers }), 404, "api_not_found");
    expectProblem(await call(`${scene.base}/${scene.orgSlug}`, { headers }), 404, "api_not_found");
    expectProblem(await call(`${scene.base}/`), 404, "api_not_found");
  });

  it("410 api_retired for a retired API version, whatever the key", async () => {
    const old = await scene.makeApi();
    const c = await scene.makeClientWithContract(old);
    await retireApiVersion(scene.db, scene.provider, old.apiVersionId);
    await scene.gateway.registry.settled();
    expectProblem(await call(`${scene.base}${old.path}/x`, { headers: { "x-api-key": c.apiKey } }), 410, "api_retired");
    expectProblem(await call(`${scene.base}${old.path}/x`), 410, "api_retired");
  });

  it("403 no_contract when the key is valid but has no active contract with this API", async () => {
    const other = await scene.makeClient();
    expectProblem(await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": other.apiKey } }), 403, "no_contract");
  });

  it("403 contract_pending while the contract awaits approval", async () => {
    const gated = await scene.makeApi({ requiresApproval: true });
    const c = await scene.makeClientWithContract(gated);
    expectProblem(await call(`${scene.base}${gated.path}/x`, { headers: { "x-api-key": c.apiKey } }), 403, "contract_pending");
  });

  it("429 rate_limited with Retry-After and RateLimit headers once the plan's rate is used up", async () => {
    const limited = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 3, period: "hour" }] });
    const c = await scene.makeClientWithContract(limited);
    const results = await burstInOneWindow("hour", 4, () => call(`${scene.base}${limited.path}/x`, { headers: { "x-api-key": c.apiKey } }));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[0].headers.get("ratelimit-policy")).toBe('"rate-hour";q=3;w=3600');
    expect(results[0].headers.get("ratelimit")).toMatch(/^"rate-hour";r=2;t=\d+$/);
    expect(results[2].headers.get("ratelimit")).toMatch(/^"rate-hour";r=0;t=\d+$/);
    const refused = results[3];
    expectProblem(refused, 429, "rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("ratelimit")).toBe(`"rate-hour";r=0;t=${retryAfter}`);
    expect(refused.headers.get("ratelimit-policy")).toBe('"rate-hour";q=3;w=3600');
  });

  it("429 quota_exceeded with Retry-After once the plan's quota is used up", async () => {
    const limited = await scene.makeApi({
      policies: [
        { type: "rate-limit", limit: 100, period: "hour" },
        { type: "quota", limit: 2, period: "day" },
      ],
    });
    const c = await scene.makeClientWithContract(limited);
    const results = await burstInOneWindow("day", 3, () => call(`${scene.base}${limited.path}/x`, { headers: { "x-api-key": c.apiKey } }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(results[0].headers.get("ratelimit-policy")).toBe('"rate-hour";q=100;w=3600, "quota-day";q=2;w=86400');
    expect(results[0].headers.get("ratelimit")).toMatch(/^"rate-hour";r=99;t=\d+, "quota-day";r=1;t=\d+$/);
    expectProblem(results[2], 429, "quota_exceeded");
    const retryAfter = Number(results[2].headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it("502 upstream_unavailable when the backend cannot be reached", async () => {
    const port = await closedPort();
    const down = await scene.makeApi({ endpoint: `http://127.0.0.1:${port}/api` });
    const c = await scene.makeClientWithContract(down);
    expectProblem(await call(`${scene.base}${down.path}/x`, { headers: { "x-api-key": c.apiKey } }), 502, "upstream_unavailable");
  });

  it("504 upstream_timeout when the backend does not answer in time", async () => {
    const slow = await scene.makeApi();
    const c = await scene.makeClientWithContract(slow);
    const impatient = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger: silentLogger(), settings: { headersTimeoutMs: 200 } });
    scene.upstream.handle((req, res) => {
      // Never answers; the gateway gives up first.
      req.resume();
      res.on("close", () => undefined);
    });
    try {
      expectProblem(await call(`http://127.0.0.1:${impatient.port}${slow.path}/x`, { headers: { "x-api-key": c.apiKey } }), 504, "upstream_timeout");
    } finally {
      scene.upstream.handle(undefined);
      await impatient.close();
    }
  });
});

describe("forwarding", () => {
  it("forwards to the endpoint's path with the rest of the path and the query, and returns the backend's answer", async () => {
    const result = await call(`${scene.base}${weather.path}/forecast?city=Oslo&days=3`, { headers: { "x-api-key": client.apiKey } });
    expect(result.status).toBe(200);
    expect((result.body as { url: string }).url).toBe("/backend/forecast?city=Oslo&days=3");
    expect((result.body as { url: string; method: string }).method).toBe("GET");
  });

  it("takes the key from the apikey query parameter and removes it, leaving the other parameters as sent", async () => {
    const result = await call(`${scene.base}${weather.path}/forecast?city=S%C3%A3o+Paulo&apikey=${encodeURIComponent(client.apiKey)}&x=1`);
    expect(result.status).toBe(200);
    const seen = result.body as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/backend/forecast?city=S%C3%A3o+Paulo&x=1");
    expect(JSON.stringify(seen)).not.toContain(client.apiKey);
  });

  it("removes the key header before forwarding", async () => {
    const result = await call(`${scene.base}${weather.path}/forecast`, { headers: { "x-api-key": client.apiKey } });
    const seen = result.body as { headers: Record<string, string> };
    expect(seen.headers["x-api-key"]).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(client.apiKey);
  });

  it("sets X-Forwarded-For/-Proto/-Host and X-Request-Id, and keeps a sane X-Request-Id from the caller", async () => {
    const result = await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": client.apiKey, "x-forwarded-for": "203.0.113.7" } });
    const seen = result.body as { headers: Record<string, string> };
    expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.7, 127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe(`127.0.0.1:${scene.gateway.port}`);
    expect(seen.headers.host).toBe(`127.0.0.1:${scene.upstream.port}`);
    expect(seen.headers["x-request-id"]).toBe(result.headers.get("x-request-id"));
    expect(seen.headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const traced = await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": client.apiKey, "x-request-id": "trace-42" } });
    expect((traced.body as { headers: Record<string, string> }).headers["x-request-id"]).toBe("trace-42");
    expect(traced.headers.get("x-request-id")).toBe("trace-42");
  });

  it("strips hop-by-hop headers both ways, including those named in Connection", async () => {
    scene.upstream.handle((req, res) => {
      req.resume();
      res.writeHead(200, { connection: "x-internal", "x-internal": "secret", "keep-alive": "timeout=5", "x-public": "yes", "content-type": "application/json" });
      res.end(JSON.stringify(req.headers));
    });
    try {
      const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest(`${scene.base}${weather.path}/x`, {
          headers: { "x-api-key": client.apiKey, connection: "keep-alive, x-hop", "x-hop": "1", "keep-alive": "timeout=5", te: "trailers", "proxy-authorization": "Basic eA==", "x-end": "kept" },
        });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
      const upstreamSaw = JSON.parse(body) as Record<string, string>;
      for (const name of ["x-hop", "keep-alive", "te", "proxy-authorization", "x-api-key"]) expect(upstreamSaw[name], name).toBeUndefined();
      expect(upstreamSaw["x-end"]).toBe("kept");
      expect(headers["x-internal"]).toBeUndefined();
      expect(headers["x-public"]).toBe("yes");
    } finally {
      scene.upstream.handle(undefined);
    }
  });

  it("refuses with 400 path_invalid any path that could climb above the endpoint's path, forwarding nothing", async () => {
    const echo = await scene.makeApi({ isPublic: true });
    const forwardedBefore = scene.upstream.requests.length;
    const escapes = ["/%2e%2e/billing/invoices", "/%2e%2e/%2e%2e/api/auth/providers", "/..%2fbilling", "/%2e%2e%2fbilling", "/a/../../admin", "/%252e%252e/x", "/%c0%ae%c0%ae/x", "/..;/x", "/a\\..\\x"];
    for (const rest of escapes) {
      const result = await rawRequest(scene.gateway.port, `${echo.path}${rest}`);
      expect(result.status, rest).toBe(400);
      expect(result.headers["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(result.body)).toMatchObject({ type: `${PROBLEM_TYPE_PREFIX}path_invalid`, status: 400, code: "path_invalid", requestId: result.headers["x-request-id"] });
    }
    expect(scene.upstream.requests.length).toBe(forwardedBefore);
    const plain = await rawRequest(scene.gateway.port, `${echo.path}/.well-known/a..b/file.json`);
    expect(JSON.parse(plain.body).url).toBe("/backend/.well-known/a..b/file.json");
  });

  it("refuses an ambiguous path before looking at the key, and logs the refusal", async () => {
    const { logger, lines } = capturingLogger();
    const logged = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger });
    try {
      const noKey = await rawRequest(logged.port, `${weather.path}/%2e%2e/x`);
      const wrongKey = await rawRequest(logged.port, `${weather.path}/%2e%2e/x`, [["X-API-Key", "ptk_wrong"]]);
      const goodKey = await rawRequest(logged.port, `${weather.path}/%2e%2e/x`, [["X-API-Key", client.apiKey]]);
      for (const result of [noKey, wrongKey, goodKey]) {
        expect(result.status).toBe(400);
        expect(JSON.parse(result.body).code).toBe("path_invalid");
        expect(result.headers["www-authenticate"]).toBeUndefined();
      }
      await logged.close();
      const requests = lines.filter((l) => l.msg === "request");
      expect(requests.map((l) => l.status)).toEqual([400, 400, 400]);
      expect(requests[0]).toMatchObject({ path: `${weather.path}/%2e%2e/x` });
      // No key was looked up, so none is fingerprinted.
      expect(requests.every((l) => l.key === undefined)).toBe(true);
    } finally {
      await logged.close();
    }
  });

  it("streams POST bodies and keeps the method", async () => {
    const result = await call(`${scene.base}${weather.path}/orders`, { method: "POST", body: '{"n":1}', headers: { "x-api-key": client.apiKey, "content-type": "application/json" } });
    expect(result.body).toMatchObject({ method: "POST", url: "/backend/orders", body: '{"n":1}' });
  });

  it("serves public APIs without a key and without RateLimit headers, and strips a key sent anyway", async () => {
    const open = await scene.makeApi({ isPublic: true });
    const anonymous = await call(`${scene.base}${open.path}/echo?a=1`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("ratelimit")).toBeNull();
    const keyed = await call(`${scene.base}${open.path}/echo?apikey=whatever&a=1`, { headers: { "x-api-key": "whatever" } });
    expect((keyed.body as { url: string }).url).toBe("/backend/echo?a=1");
    expect((keyed.body as { headers: Record<string, string> }).headers["x-api-key"]).toBeUndefined();
  });

  it("sends no RateLimit headers under a plan without policies", async () => {
    const result = await call(`${scene.base}${weather.path}/x`, { headers: { "x-api-key": client.apiKey } });
    expect(result.headers.get("ratelimit-policy")).toBeNull();
  });

  it("answers a health check at /_health, which no organization slug can shadow", async () => {
    const result = await call(`${scene.base}/_health`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: "ok" });
  });

  it("refuses an unauthenticated upload without reading it, closing the connection", async () => {
    const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(`${scene.base}${weather.path}/upload`, { method: "PUT", headers: { "content-length": String(10 * 1024 * 1024) } });
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode!, connection: res.headers.connection });
      });
      req.on("error", reject);
      // Only the first chunk of the announced 10 MB is ever sent.
      req.write(Buffer.alloc(64 * 1024));
    });
    expect(status).toBe(401);
    expect(connection).toBe("close");
  });

  it("parses the apikey parameter wherever it is and however its name is encoded", () => {
    expect(takeKeyFromQuery("a=1&apikey=k1&b=2")).toEqual({ key: "k1", rest: "a=1&b=2" });
    expect(takeKeyFromQuery("api%6Bey=k2")).toEqual({ key: "k2", rest: "" });
    expect(takeKeyFromQuery("apikeys=1&apikey=")).toEqual({ key: undefined, rest: "apikeys=1" });
  });
});

describe("portal cookies", () => {
  it("never forwards the portal's session cookies, keeping the others in order", async () => {
    const echo = await scene.makeApi({ isPublic: true });
    await rawRequest(scene.gateway.port, `${echo.path}/img.png`, [
      ["Cookie", "theme=dark; authjs.session-token=SECRET1; lang=en"],
      ["Cookie", "  __Secure-authjs.session-token=SECRET2 ;a=1;;"],
      ["cookie", "AUTHJS.CSRF-TOKEN=SECRET3"],
      ["COOKIE", "__Host-authjs.csrf-token=SECRET4; __secure-AuthJS.callback-url=SECRET5"],
      ["Cookie", "authjs.session-token"],
    ]);
    const seen = scene.upstream.requests.at(-1)!;
    const cookieHeaders: string[] = [];
    for (let i = 0; i < seen.rawHeaders.length; i += 2) if (seen.rawHeaders[i].toLowerCase() === "cookie") cookieHeaders.push(seen.rawHeaders[i + 1]);
    expect(cookieHeaders).toEqual(["theme=dark; lang=en", "a=1"]);
    expect(seen.headers.cookie).toBe("theme=dark; lang=en; a=1");
    expect(JSON.stringify(seen)).not.toMatch(/SECRET|authjs/i);
  });

  it("drops the header when only portal cookies were in it, and leaves other cookies byte for byte", async () => {
    const echo = await scene.makeApi({ isPublic: true });
    await rawRequest(scene.gateway.port, `${echo.path}/x`, [["Cookie", "authjs.session-token=SECRET"]]);
    expect(scene.upstream.requests.at(-1)!.headers.cookie).toBeUndefined();
    await rawRequest(scene.gateway.port, `${echo.path}/x`, [["Cookie", "a=1;b=2 ;  c=authjs.session-token"]]);
    expect(scene.upstream.requests.at(-1)!.headers.cookie).toBe("a=1;b=2 ;  c=authjs.session-token");
  });
});

describe("portal cookies set by a backend", () => {
  it("drops a backend's Set-Cookie that names a portal cookie, keeping the others", async () => {
    const echo = await scene.makeApi({ isPublic: true });
    scene.upstream.handle((req, res) => {
      req.resume();
      res.setHeader("set-cookie", ["theme=dark; Path=/", "authjs.session-token=PLANTED; Path=/; HttpOnly", " __Host-AuthJS.csrf-token=PLANTED; Path=/", "lang=en"]);
      res.end("ok");
    });
    try {
      // node:http keeps every Set-Cookie field apart; fetch would fold them.
      const { status, cookies } = await new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
        const req = httpRequest(`${scene.base}${echo.path}/x`, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, cookies: res.headers["set-cookie"] ?? [] });
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(cookies).toEqual(["theme=dark; Path=/", "lang=en"]);
    } finally {
      scene.upstream.handle(undefined);
    }
  });
});

describe("upstream rules", () => {
  it("answers 502 for an endpoint that the rules refuse, even one stored before them", async () => {
    const api = await scene.makeApi({ isPublic: true });
    await scene.db.update(apiVersions).set({ endpoint: "http://169.254.169.254/latest/meta-data" }).where(eq(apiVersions.id, api.apiVersionId));
    scene.gateway.registry.enqueue([{ kind: "apiVersion", id: api.apiVersionId }]);
    await scene.gateway.registry.settled();
    const result = await call(`${scene.base}${api.path}/iam/security-credentials/`);
    expectProblem(result, 502, "upstream_unavailable");
    expect((result.body as { detail: string }).detail).toMatch(/no usable backend endpoint/);
  });

  it("judges the address a host name resolves to when connecting: 502 upstream_forbidden, and the log says why", async () => {
    const other = await startUpstream();
    const { logger, lines } = capturingLogger();
    // Fake names: the rules see what they resolve to, never the name alone.
    const addresses: Record<string, string> = { "metadata.test": "169.254.169.254", "db.test": "127.0.0.1", "fine.test": "127.0.0.1" };
    const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      const address = addresses[hostname];
      if (!address) return callback(Object.assign(new Error("not found"), { code: "ENOTFOUND" }));
      if (options.all) callback(null, [{ address, family: 4 }]);
      else callback(null, address, 4);
    }) as unknown as LookupFunction;
    // The scene's backend stands in for Portico's database.
    const upstreamRules = upstreamRulesFor({ port: 3000, gatewayPort: 8080, databasePort: scene.upstream.port, redisPort: 6379, upstreamAllow: [] }, []);
    const guarded = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger, settings: { lookup, upstreamRules } });
    try {
      const metadata = await scene.makeApi({ isPublic: true, endpoint: `http://metadata.test:${other.port}/latest` });
      const database = await scene.makeApi({ isPublic: true, endpoint: `http://db.test:${scene.upstream.port}/` });
      const fine = await scene.makeApi({ isPublic: true, endpoint: `http://fine.test:${other.port}/base` });
      await guarded.registry.settled();
      const base = `http://127.0.0.1:${guarded.port}`;
      const forwardedBefore = scene.upstream.requests.length + other.requests.length;
      const refusedMetadata = await call(`${base}${metadata.path}/x`);
      expectProblem(refusedMetadata, 502, "upstream_forbidden");
      expect((refusedMetadata.body as { detail: string }).detail).toMatch(/address the gateway may not forward to/);
      expectProblem(await call(`${base}${database.path}/x`), 502, "upstream_forbidden");
      expect(scene.upstream.requests.length + other.requests.length).toBe(forwardedBefore);
      const forwarded = await call(`${base}${fine.path}/x`);
      expect(forwarded.status).toBe(200);
      expect((forwarded.body as { url: string }).url).toBe("/base/x");

      const refusals = lines.filter((l) => l.msg === "Backend connection refused by the upstream rules");
      expect(refusals.map((l) => l.address)).toEqual(["169.254.169.254", "127.0.0.1"]);
      expect(refusals[0].reason).toMatch(/metadata/);
      expect(refusals[1].reason).toMatch(new RegExp(`Port ${scene.upstream.port} .* is Portico's database`));
    } finally {
      await guarded.close();
      await other.close();
    }
  });

  it("judges an address written in the URL when connecting too, should one get past the registry", async () => {
    const upstreams = new Upstreams(DEFAULT_GATEWAY_SETTINGS);
    try {
      for (const origin of ["http://169.254.169.254", "http://[fd00:ec2::254]", "http://127.0.0.1:5432"]) {
        await expect(upstreams.pool(origin).request({ path: "/", method: "GET" }), origin).rejects.toBeInstanceOf(UpstreamForbiddenError);
      }
    } finally {
      await upstreams.close();
    }
  });
});

describe("usage and logs", () => {
  it("writes per-contract counts per minute and the key's last use in one batch", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    for (let i = 0; i < 3; i++) await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } });
    const before = await scene.db.select().from(contractUsage).where(eq(contractUsage.contractId, c.contractId));
    expect(before).toEqual([]);
    // A request is counted when its exchange closes, a moment after the caller has the answer.
    const usageRows = async () => {
      await scene.gateway.flushUsage();
      return scene.db.select().from(contractUsage).where(eq(contractUsage.contractId, c.contractId));
    };
    await eventually(async () => (await usageRows()).reduce((n, r) => n + r.requests, 0) >= 3, 2_000, "usage");
    const rows = await usageRows();
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(3);
    expect(rows.reduce((n, r) => n + r.status2xx, 0)).toBe(3);
    expect(rows.reduce((n, r) => n + r.latencyMsSum, 0)).toBeGreaterThanOrEqual(0);
    const [version] = await scene.db.select().from(clientVersions).where(eq(clientVersions.id, c.clientVersionId));
    expect(version.apiKeyLastUsedAt).toBeInstanceOf(Date);
    expect(Date.now() - version.apiKeyLastUsedAt!.getTime()).toBeLessThan(60_000);
  });

  it("records a use of the previous key during its grace period in its own column", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    await rotateApiKey(scene.db, scene.consumer, { clientVersionId: c.clientVersionId, graceSeconds: 3600 });
    await scene.gateway.registry.settled();
    expect((await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } })).status).toBe(200);
    await scene.gateway.flushUsage();
    const [version] = await scene.db.select().from(clientVersions).where(eq(clientVersions.id, c.clientVersionId));
    expect(version.previousApiKeyLastUsedAt).toBeInstanceOf(Date);
    expect(version.apiKeyLastUsedAt).toBeNull();
  });

  it("logs one line per request with method, path, status, latency, contract and key fingerprint, never the key", async () => {
    const { logger, lines } = capturingLogger();
    const logged = await startGateway({ port: 0, host: "127.0.0.1", open: scene.open, logger });
    try {
      const base = `http://127.0.0.1:${logged.port}`;
      await call(`${base}${weather.path}/forecast?apikey=${client.apiKey}&city=Oslo`);
      await call(`${base}${weather.path}/forecast`, { headers: { "x-api-key": "ptk_wrong" } });
      await logged.close();
      const requests = lines.filter((l) => l.msg === "request");
      expect(requests).toHaveLength(2);
      expect(requests[0]).toMatchObject({ method: "GET", path: `${weather.path}/forecast`, status: 200, contractId: client.contractId, key: keyFingerprint(client.apiKey) });
      expect(typeof requests[0].latencyMs).toBe("number");
      expect(requests[1]).toMatchObject({ status: 401, key: keyFingerprint("ptk_wrong") });
      expect(JSON.stringify(lines)).not.toContain(client.apiKey);
      expect(JSON.stringify(lines)).not.toContain("ptk_wrong");
    } finally {
      await logged.close();
    }
  });
});

describe("keys known by their digests", () => {
  /** Everything the registry's index holds (a private field, read here only), strings in full. */
  const registryText = () =>
    inspect((scene.gateway.registry as unknown as { index: unknown }).index, { depth: 8, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity });

  it("accepts the key, and the previous key during its grace period, through their digests; the registry holds neither key", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    const rotated = await rotateApiKey(scene.db, scene.consumer, { clientVersionId: c.clientVersionId, graceSeconds: 3600 });
    await scene.gateway.registry.settled();
    expect((await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": rotated.apiKey } })).status).toBe(200);
    expect((await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } })).status).toBe(200);
    expect(scene.gateway.registry.findKey(digestApiKey(rotated.apiKey), Date.now())).toMatchObject({ previous: false, client: { id: c.clientVersionId } });
    expect(scene.gateway.registry.findKey(digestApiKey(c.apiKey), Date.now())).toMatchObject({ previous: true, client: { id: c.clientVersionId } });
    expect(scene.gateway.registry.findKey(rotated.apiKey, Date.now())).toBeUndefined();
    const text = registryText();
    expect(text).toContain(digestApiKey(rotated.apiKey));
    for (const key of [rotated.apiKey, c.apiKey, client.apiKey]) expect(text).not.toContain(key.slice(4));
  });

  it("serves a key left in plain text by an older version, before and after start-up seals it", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    // The state the migration leaves: the plain-text column, and the digest it computed in SQL.
    await scene.db.execute(sql`
      update client_versions set api_key = ${c.apiKey}, api_key_sealed = null,
        api_key_digest = encode(sha256(convert_to(${c.apiKey}::text, 'UTF8')), 'hex')
      where id = ${c.clientVersionId}::uuid`);
    scene.gateway.registry.requestReload();
    await scene.gateway.registry.settled();
    expect((await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } })).status).toBe(200);

    expect(await sealLegacyApiKeys(scene.db)).toBeGreaterThanOrEqual(1);
    const [row] = await scene.db.select().from(clientVersions).where(eq(clientVersions.id, c.clientVersionId));
    expect(row.legacyApiKey).toBeNull();
    expect(row.apiKeySealed).toMatch(/^v1\./);
    scene.gateway.registry.requestReload();
    await scene.gateway.registry.settled();
    expect((await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } })).status).toBe(200);
    expect((await revealApiKey(scene.db, scene.consumer, c.clientVersionId)).apiKey).toBe(c.apiKey);
  });
});
