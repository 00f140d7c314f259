import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LATENCY_BUCKETS_MS } from "@/db/schema";
import { GatewayMetrics } from "./metrics";
import { createMetricsServer } from "./metrics-server";
import { gatewaySettingsFromEnv } from "./settings";
import { call, openScene, type Scene, silentLogger } from "./test-support";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small reader of the Prometheus text format: one sample per line, comments skipped. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      types.set(name, type);
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

let scene: Scene;
let metricsBase: string;

beforeAll(async () => {
  scene = await openScene({ settings: { metricsPort: 0, usageFlushIntervalMs: 60_000 } });
  metricsBase = `http://127.0.0.1:${scene.gateway.metricsPort}`;
});
afterAll(() => scene.close());

async function scrape() {
  const response = await fetch(`${metricsBase}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

describe("the metrics port", () => {
  it("serves /metrics in the Prometheus text format, with requests by API version, status class and refusal code", async () => {
    const api = await scene.makeApi({ policies: [{ type: "rate-limit", limit: 2, period: "hour" }] });
    const c = await scene.makeClientWithContract(api);
    const [org, slug, version] = api.path.slice(1).split("/");
    const labels = { org, api: slug, version };

    const before = await scrape();
    expect(before.types.get("portico_gateway_requests_total")).toBe("counter");
    expect(value(before.samples, "portico_gateway_requests_total", { ...labels, status_class: "2xx" })).toBeUndefined();

    for (let i = 0; i < 3; i++) await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } });
    await call(`${scene.base}${api.path}/x`);
    // A request is counted when its exchange closes, a moment after the caller has the answer.
    await new Promise((r) => setTimeout(r, 50));

    const { samples, types } = await scrape();
    expect(value(samples, "portico_gateway_requests_total", { ...labels, status_class: "2xx", refusal: "none" })).toBe(2);
    expect(value(samples, "portico_gateway_requests_total", { ...labels, status_class: "4xx", refusal: "rate_limited" })).toBe(1);
    expect(value(samples, "portico_gateway_requests_total", { ...labels, status_class: "4xx", refusal: "key_missing" })).toBe(1);

    expect(types.get("portico_gateway_request_duration_seconds")).toBe("histogram");
    const buckets = samples.filter((s) => s.name === "portico_gateway_request_duration_seconds_bucket" && s.labels.api === slug);
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS_MS.map((ms) => String(ms / 1000)), "+Inf"]);
    expect(buckets.at(-1)!.value).toBe(4);
    expect(value(samples, "portico_gateway_request_duration_seconds_count", labels)).toBe(4);
    expect(value(samples, "portico_gateway_request_duration_seconds_sum", labels)).toBeGreaterThan(0);

    expect(value(samples, "portico_gateway_registry_entries", { kind: "api_versions" })).toBeGreaterThanOrEqual(1);
    expect(value(samples, "portico_gateway_registry_entries", { kind: "contracts" })).toBeGreaterThanOrEqual(1);
    expect(value(samples, "portico_gateway_registry_loads_total")).toBe(1);
    // Counted, not yet written: the flush interval is a minute here.
    expect(value(samples, "portico_gateway_usage_write_lag_seconds")).toBeGreaterThan(0);
    // The process's own metrics come too.
    expect(value(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
  });

  it("counts unknown paths without a label of their own, and upstream errors per API version", async () => {
    await call(`${scene.base}/nobody/nothing/9.9/x`);
    const broken = await scene.makeApi({ isPublic: true, endpoint: "http://127.0.0.1:1/backend" });
    expect((await call(`${scene.base}${broken.path}/x`)).status).toBe(502);
    await new Promise((r) => setTimeout(r, 50));
    const { samples } = await scrape();
    expect(value(samples, "portico_gateway_requests_total", { org: "", api: "", version: "", refusal: "api_not_found" })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.labels.api === "nothing")).toBe(false);
    const [, slug] = broken.path.slice(1).split("/");
    expect(value(samples, "portico_gateway_upstream_errors_total", { api: slug })).toBe(1);
  });

  it("shows usage rows written, and no lag once they are", async () => {
    const api = await scene.makeApi();
    const c = await scene.makeClientWithContract(api);
    await call(`${scene.base}${api.path}/x`, { headers: { "x-api-key": c.apiKey } });
    await new Promise((r) => setTimeout(r, 50));
    await scene.gateway.flushUsage();
    const { samples } = await scrape();
    expect(value(samples, "portico_gateway_usage_rows_written_total")).toBeGreaterThanOrEqual(1);
    expect(value(samples, "portico_gateway_usage_rows_failed_total")).toBe(0);
    expect(value(samples, "portico_gateway_usage_write_lag_seconds")).toBe(0);
  });

  it("answers /healthz and /readyz once the registry is loaded", async () => {
    expect(await call(`${metricsBase}/healthz`)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await call(`${metricsBase}/readyz`)).toMatchObject({ status: 200, body: { status: "ready" } });
    expect((await call(`${metricsBase}/elsewhere`)).status).toBe(404);
  });

  it("is not the public port: /metrics there is an unknown path like any other", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      const answer = await call(`${scene.base}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.body).toMatchObject({ code: "api_not_found" });
    }
  });

  it("is off unless asked for", () => {
    const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;
    expect(gatewaySettingsFromEnv(env({})).metricsPort).toBeUndefined();
    expect(gatewaySettingsFromEnv(env({ GATEWAY_METRICS_PORT: "9464" })).metricsPort).toBe(9464);
    expect(() => gatewaySettingsFromEnv(env({ GATEWAY_METRICS_PORT: "metrics" }))).toThrow(/GATEWAY_METRICS_PORT/);
  });
});

describe("/readyz", () => {
  it("answers 503 until the gateway is ready, while /healthz answers 200", async () => {
    let ready = false;
    const server = createMetricsServer({ metrics: new GatewayMetrics(), ready: () => ready, logger: silentLogger() });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await call(`${base}/readyz`)).toMatchObject({ status: 503, body: { status: "not_ready" } });
      expect((await call(`${base}/healthz`)).status).toBe(200);
      // Before the registry joins, the registry's gauges are simply absent.
      expect((await call(`${base}/metrics`)).status).toBe(200);
      ready = true;
      expect((await call(`${base}/readyz`)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
