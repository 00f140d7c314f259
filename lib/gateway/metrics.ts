import { collectDefaultMetrics, Counter, Gauge, type LabelValues, type Metric, Registry as MetricsRegistry } from "prom-client";
import { LATENCY_BUCKETS_MS } from "@/db/schema";
import { LATENCY_BUCKET_COUNT } from "./latency-buckets";
import { type ProblemCode, problemStatus } from "./problems";
import type { ApiRoute, Registry } from "./registry";
import type { UsageRecorder } from "./usage";

/** How a backend failed a request: unreachable (or no usable endpoint), or too slow. */
export type UpstreamFailure = "error" | "timeout";

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

function statusClass(status: number): number {
  return Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
}

/** One API version's traffic since the gateway started. */
class VersionTraffic {
  /** Requests the gateway did not refuse, by status class (STATUS_CLASSES). */
  readonly byClass = [0, 0, 0, 0, 0];
  /** Requests the gateway refused itself, by problem code. */
  readonly refusals = new Map<ProblemCode, number>();
  readonly buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  latencyMsSum = 0;
  upstreamErrors = 0;
  upstreamTimeouts = 0;
}

/**
 * Counts requests per API version with plain numbers on the request path; prom-client reads them
 * only when /metrics is scraped (a labelled prom-client counter hashes its labels on every call).
 */
export class GatewayTraffic {
  /** By the route's "org/api/version"; "" for requests that named no known API version. */
  readonly versions = new Map<string, VersionTraffic>();

  record(route: ApiRoute | undefined, status: number, refusal: ProblemCode | undefined, failure: UpstreamFailure | undefined, bucket: number, latencyMs: number): void {
    const path = route === undefined ? "" : route.path;
    let v = this.versions.get(path);
    if (v === undefined) this.versions.set(path, (v = new VersionTraffic()));
    if (refusal === undefined) v.byClass[statusClass(status)]++;
    else v.refusals.set(refusal, (v.refusals.get(refusal) ?? 0) + 1);
    v.buckets[bucket]++;
    v.latencyMsSum += latencyMs;
    if (failure === "error") v.upstreamErrors++;
    else if (failure === "timeout") v.upstreamTimeouts++;
  }
}

type VersionLabels = { org: string; api: string; version: string };

function versionLabels(path: string): VersionLabels {
  const [org = "", api = "", version = ""] = path.split("/");
  return { org, api, version };
}

/** What the metrics read at each scrape; the registry and the usage recorder join once they are opened. */
export class GatewayMetrics {
  readonly traffic = new GatewayTraffic();
  readonly registry = new MetricsRegistry();
  private gatewayRegistry: Registry | undefined;
  private usage: UsageRecorder | undefined;

  /** `worker`: this process's number in a gateway cluster, which labels its share of the requests. */
  constructor(droppedLogLines?: () => number, worker?: number) {
    const register = [this.registry];
    const perVersion = (each: (labels: VersionLabels, v: VersionTraffic) => void) => {
      for (const [path, v] of this.traffic.versions) each(versionLabels(path), v);
    };
    collectDefaultMetrics({ register: this.registry });

    const traffic = this.traffic;
    new Counter({
      name: "portico_gateway_requests_total",
      help: "Requests by API version (empty labels: no known API version), status class and the gateway's own refusal code (none when it did not refuse).",
      labelNames: ["org", "api", "version", "status_class", "refusal"],
      registers: register,
      collect() {
        this.reset();
        perVersion((labels, v) => {
          v.byClass.forEach((n, i) => n > 0 && this.inc({ ...labels, status_class: STATUS_CLASSES[i], refusal: "none" }, n));
          for (const [code, n] of v.refusals) this.inc({ ...labels, status_class: STATUS_CLASSES[statusClass(problemStatus(code))], refusal: code }, n);
        });
      },
    });
    new Counter({
      name: "portico_gateway_upstream_errors_total",
      help: "Requests whose backend could not be reached, failed mid-response or had no usable endpoint, by API version.",
      labelNames: ["org", "api", "version"],
      registers: register,
      collect() {
        this.reset();
        perVersion((labels, v) => v.upstreamErrors > 0 && this.inc(labels, v.upstreamErrors));
      },
    });
    new Counter({
      name: "portico_gateway_upstream_timeouts_total",
      help: "Requests whose backend did not connect, answer or send the next chunk in time, by API version.",
      labelNames: ["org", "api", "version"],
      registers: register,
      collect() {
        this.reset();
        perVersion((labels, v) => v.upstreamTimeouts > 0 && this.inc(labels, v.upstreamTimeouts));
      },
    });
    // prom-client's Histogram can only observe one value at a time: this one is read from the counted buckets.
    // Its registry formats any metric that answers get(); its types know only its own classes.
    this.registry.registerMetric(latencyHistogram(traffic) as unknown as Metric);

    const registryStats = () => this.gatewayRegistry?.stats();
    const usage = () => this.usage;
    new Gauge({
      name: "portico_gateway_registry_entries",
      help: "What the gateway's registry holds: API versions, client versions, contracts, keys, plans.",
      labelNames: ["kind"],
      // Every worker of a cluster holds the whole registry: the workers' figures are not added up.
      aggregator: "max",
      registers: register,
      collect() {
        const stats = registryStats();
        if (!stats) return;
        this.set({ kind: "api_versions" }, stats.apiVersions);
        this.set({ kind: "client_versions" }, stats.clientVersions);
        this.set({ kind: "contracts" }, stats.contracts);
        this.set({ kind: "keys" }, stats.keys);
        this.set({ kind: "plans" }, stats.plans);
      },
    });
    new Counter({
      name: "portico_gateway_registry_loads_total",
      help: "Full loads of the registry: the first, then one each time the change feed reconnected.",
      registers: register,
      collect() {
        this.reset();
        this.inc(registryStats()?.loads ?? 0);
      },
    });
    new Gauge({
      name: "portico_gateway_usage_write_lag_seconds",
      help: "Seconds since the oldest request whose usage count is not written to the database yet (0 when all are).",
      registers: register,
      aggregator: "max",
      collect() {
        this.set((usage()?.writeLagMs() ?? 0) / 1000);
      },
    });
    new Counter({
      name: "portico_gateway_usage_rows_written_total",
      help: "Contract-minute usage rows written to the database.",
      registers: register,
      collect() {
        this.reset();
        this.inc(usage()?.stats.rowsWritten ?? 0);
      },
    });
    new Counter({
      name: "portico_gateway_usage_rows_failed_total",
      help: "Contract-minute usage rows whose write failed (kept and written again with the next batch).",
      registers: register,
      collect() {
        this.reset();
        this.inc(usage()?.stats.rowsFailed ?? 0);
      },
    });
    if (worker !== undefined) {
      new Counter({
        name: "portico_gateway_worker_requests_total",
        help: "Requests by gateway worker process (numbered from 1; a restarted worker keeps its number): how the workers share the traffic.",
        labelNames: ["worker"],
        registers: register,
        collect() {
          this.reset();
          let total = 0;
          for (const v of traffic.versions.values()) {
            for (const n of v.byClass) total += n;
            for (const n of v.refusals.values()) total += n;
          }
          this.inc({ worker: String(worker) }, total);
        },
      });
    }
    if (droppedLogLines) {
      new Counter({
        name: "portico_gateway_log_lines_dropped_total",
        help: "Log lines dropped because the log output could not keep up.",
        registers: register,
        collect() {
          this.reset();
          this.inc(droppedLogLines());
        },
      });
    }
  }

  watchRegistry(registry: Registry): void {
    this.gatewayRegistry = registry;
  }

  watchUsage(usage: UsageRecorder): void {
    this.usage = usage;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

const LATENCY_BOUNDS_SECONDS = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);

/** The request latency per API version as a Prometheus histogram, in seconds, on the usage tables' bounds. */
function latencyHistogram(traffic: GatewayTraffic) {
  const name = "portico_gateway_request_duration_seconds";
  const help = "Time from a request's arrival to the end of its response, by API version.";
  return {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get() {
      const values: { metricName: string; labels: LabelValues<string>; value: number }[] = [];
      for (const [path, v] of traffic.versions) {
        const labels = versionLabels(path);
        let cumulative = 0;
        for (let i = 0; i < LATENCY_BOUNDS_SECONDS.length; i++) {
          cumulative += v.buckets[i];
          values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: LATENCY_BOUNDS_SECONDS[i] }, value: cumulative });
        }
        cumulative += v.buckets[LATENCY_BOUNDS_SECONDS.length];
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: cumulative });
        values.push({ metricName: `${name}_sum`, labels, value: v.latencyMsSum / 1000 });
        values.push({ metricName: `${name}_count`, labels, value: cumulative });
      }
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
  };
}
