import { lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { readConfig } from "@/lib/config";
import { type UpstreamRules, upstreamRulesFor } from "@/lib/domain/upstream-rules";

/** Tunables of the gateway; every one has a default that suits a single machine. */
export interface GatewaySettings {
  /** Milliseconds to open a TCP connection to a backend before answering 504. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for a backend's response headers before answering 504. */
  headersTimeoutMs: number;
  /** Milliseconds of silence allowed between two chunks of a backend's response body. */
  bodyTimeoutMs: number;
  /** Connections kept per backend origin. */
  connectionsPerOrigin: number;
  /** How often usage counts and key last-used times are written to the database. */
  usageFlushIntervalMs: number;
  /** Port of /metrics, /healthz and /readyz, apart from API traffic; undefined: not served. 0 picks a free one. */
  metricsPort: number | undefined;
  /** Keep X-Forwarded-Proto/-Host from the caller: only when a trusted proxy sits in front. */
  trustProxy: boolean;
  /** Where backends may be (lib/domain/upstream-rules.ts), checked again on the address each connection resolves to. */
  upstreamRules: UpstreamRules;
  /** Resolves backend host names; tests put their own in. */
  lookup: LookupFunction;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  connectionsPerOrigin: 128,
  usageFlushIntervalMs: 5_000,
  metricsPort: undefined,
  trustProxy: false,
  // An empty environment: every port at its default, nothing allowed beyond the rules.
  upstreamRules: upstreamRulesFor(readConfig({} as NodeJS.ProcessEnv)),
  lookup,
};

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a whole number above 0, not "${value}"`);
  return n;
}

function portNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name} must be a port number from 1 to 65535, not "${value}"`);
  return n;
}

/** Reads GATEWAY_* settings; anything unset keeps its default. */
export function gatewaySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): GatewaySettings {
  const d = DEFAULT_GATEWAY_SETTINGS;
  return {
    connectTimeoutMs: positiveInt(env.GATEWAY_CONNECT_TIMEOUT_MS, "GATEWAY_CONNECT_TIMEOUT_MS", d.connectTimeoutMs),
    headersTimeoutMs: positiveInt(env.GATEWAY_HEADERS_TIMEOUT_MS, "GATEWAY_HEADERS_TIMEOUT_MS", d.headersTimeoutMs),
    bodyTimeoutMs: positiveInt(env.GATEWAY_BODY_TIMEOUT_MS, "GATEWAY_BODY_TIMEOUT_MS", d.bodyTimeoutMs),
    connectionsPerOrigin: positiveInt(env.GATEWAY_CONNECTIONS_PER_ORIGIN, "GATEWAY_CONNECTIONS_PER_ORIGIN", d.connectionsPerOrigin),
    usageFlushIntervalMs: positiveInt(env.GATEWAY_USAGE_FLUSH_MS, "GATEWAY_USAGE_FLUSH_MS", d.usageFlushIntervalMs),
    metricsPort: portNumber(env.GATEWAY_METRICS_PORT, "GATEWAY_METRICS_PORT"),
    trustProxy: env.GATEWAY_TRUST_PROXY === "true",
    upstreamRules: upstreamRulesFor(readConfig(env)),
    lookup: d.lookup,
  };
}
