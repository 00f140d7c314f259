import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { digestApiKey } from "@/lib/domain/key-vault";
import { fingerprintOfDigest } from "@/lib/domain/keys";
import type { CounterStore } from "./counters";
import { latencyBucket } from "./latency-buckets";
import type { RequestLog } from "./logger";
import type { GatewayTraffic, UpstreamFailure } from "./metrics";
import { pathRefusal } from "./paths";
import { type PolicyVerdict, rateLimitPolicyHeader } from "./policies";
import { type ProblemCode, type ProblemOptions, sendProblem } from "./problems";
import { forward, type ResponseRelay, type Upstreams } from "./proxy";
import { type ApiRoute, type ContractEntry, fingerprintOf, type KeyMatch, type Registry } from "./registry";
import { apiAddress, pathOf, takeKeyFromQuery, upstreamPath } from "./request-url";
import type { GatewaySettings } from "./settings";
import type { UsageRecorder } from "./usage";

const REQUEST_ID = /^[\w.:@-]{1,128}$/;
const WWW_AUTHENTICATE = 'ApiKey realm="Portico gateway", header="X-API-Key", query="apikey"';

/** What the steps need from the gateway around them. */
export interface PipelineParts {
  registry: Registry;
  counters: CounterStore;
  usage: UsageRecorder;
  upstreams: Upstreams;
  requestLog: RequestLog;
  settings: GatewaySettings;
  /** Counts for the metrics port; absent when it is off. */
  traffic?: GatewayTraffic;
}

/** One request on its way through the steps, and what its log line and usage count need. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  /** Epoch ms at arrival: for the key's last use, the policy windows and the usage minute. */
  arrivedAt: number;
  requestId: string;
  /** The X-API-Key header (repeated ones joined), if sent. */
  headerKey: string | undefined;
  route: ApiRoute | undefined;
  restPath: string;
  /** The query to forward: the caller's, without the apikey parameter. */
  query: string;
  /** The header's key, else the query's. */
  key: string | undefined;
  /** The contract found for the key: active, or the one that refused the request. */
  contract: ContractEntry | undefined;
  /** The problem code, when the gateway refused the request itself (not when a backend failed). */
  refusal: ProblemCode | undefined;
  /** Set when no backend answered: no usable endpoint, unreachable, or too slow. */
  upstreamFailure: UpstreamFailure | undefined;
  fingerprint: string | undefined;
  /** Set once the request goes to the backend: told when the caller leaves. */
  relay: ResponseRelay | undefined;
}

/** Past the route step: the API version is known. */
type Routed = Exchange & { route: ApiRoute };
/** Past the contract step. */
type Contracted = Routed & { contract: ContractEntry };

/**
 * The steps of a request, in the order of SPEC §7: route (API version and path), key, contract,
 * policies, forward; then, when the response closes, the log line and the usage count. A step
 * that refuses answers with a problem and lets the request stop there.
 */
export class RequestPipeline {
  constructor(private readonly parts: PipelineParts) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const x = this.begin(req, res);
    if (!this.route(x)) return;
    // Public API versions need no key.
    if (x.route.isPublic) return this.forward(x);
    const match = this.key(x);
    if (!match || !this.contract(x, match)) return;
    this.policies(x);
  };

  /** Reads the two headers the gateway needs and arranges for the log line and usage count. */
  private begin(req: IncomingMessage, res: ServerResponse): Exchange {
    // Straight from the raw headers: Node builds the parsed object on demand, at a cost.
    const raw = req.rawHeaders;
    let headerKey: string | undefined;
    let incomingId: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      if (name.length === 9 && name.toLowerCase() === "x-api-key") headerKey = headerKey === undefined ? raw[i + 1] : `${headerKey}, ${raw[i + 1]}`;
      else if (name.length === 12 && name.toLowerCase() === "x-request-id") incomingId ??= raw[i + 1];
    }
    const x: Exchange = {
      req,
      res,
      started: performance.now(),
      arrivedAt: Date.now(),
      requestId: incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
      headerKey,
      route: undefined,
      restPath: "",
      query: "",
      key: undefined,
      contract: undefined,
      refusal: undefined,
      upstreamFailure: undefined,
      fingerprint: undefined,
      relay: undefined,
    };
    // "close" comes once, whether the answer was sent or the caller left.
    res.on("close", () => this.finish(x));
    return x;
  }

  /** The API version from the path, then the rest of the path; the health check answers here too. */
  private route(x: Exchange): x is Routed {
    const url = x.req.url ?? "/";
    const address = apiAddress(url);
    if (!address) {
      if (url === "/_health") x.res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end('{"status":"ok"}');
      else refuse(x, "api_not_found", { requestId: x.requestId });
      return false;
    }
    const route = this.parts.registry.findRoute(address.routePath);
    // Known API versions only, retired ones included: the metrics' labels stay as few as the registry's versions.
    x.route = route;
    if (!route || route.retired) {
      refuse(x, route ? "api_retired" : "api_not_found", { requestId: x.requestId });
      return false;
    }
    // Before any key is looked at: a refused path tells nothing about keys or contracts.
    const refusal = pathRefusal(address.restPath);
    if (refusal) {
      refuse(x, "path_invalid", { requestId: x.requestId, detail: refusal });
      return false;
    }
    const fromQuery = takeKeyFromQuery(address.query);
    x.restPath = address.restPath;
    x.query = fromQuery.rest;
    x.key = x.headerKey || fromQuery.key;
    return true;
  }

  /** The client version holding the key, looked up by the key's digest. */
  private key(x: Routed): KeyMatch | undefined {
    if (!x.key) {
      refuse(x, "key_missing", { requestId: x.requestId, headers: { "www-authenticate": WWW_AUTHENTICATE } });
      return undefined;
    }
    // The registry knows keys only by their digests: one SHA-256 per keyed request.
    const digest = digestApiKey(x.key);
    const match = this.parts.registry.findKey(digest, x.arrivedAt);
    if (!match) {
      x.fingerprint = fingerprintOfDigest(digest);
      refuse(x, "key_invalid", { requestId: x.requestId });
      return undefined;
    }
    x.fingerprint = fingerprintOf(match);
    this.parts.usage.keyUsed(match.client.id, digest, x.arrivedAt);
    return match;
  }

  /** The key's active contract with this API version, before its end date (checked here: no job has to run first). */
  private contract(x: Routed, match: KeyMatch): x is Contracted {
    const contract = match.client.contracts.get(x.route.id);
    if (contract === undefined || contract.status !== "Active" || (contract.endsAt !== null && contract.endsAt <= x.arrivedAt)) {
      refuseContract(x, contract);
      return false;
    }
    x.contract = contract;
    return true;
  }

  /** Counts the request against the plan's policies (in Redis, the verdict may come later), then forwards or refuses. */
  private policies(x: Contracted): void {
    const { plan, id } = x.contract;
    if (plan.policies.length === 0) return this.forward(x);
    const verdict = this.parts.counters.hit(id, plan, x.arrivedAt);
    if (verdict instanceof Promise) verdict.then((v) => this.applyVerdict(x, v));
    else this.applyVerdict(x, verdict);
  }

  private applyVerdict(x: Contracted, verdict: PolicyVerdict): void {
    // The plan has policies here, so the header has a value.
    const headers = { "ratelimit-policy": rateLimitPolicyHeader(x.contract.plan, x.arrivedAt)!, ratelimit: verdict.rateLimitHeader };
    if (verdict.refused) refuse(x, verdict.refused.code, { requestId: x.requestId, headers: { ...headers, "retry-after": String(verdict.refused.retryAfterSeconds) } });
    else this.forward(x, headers);
  }

  /** Streams the request to the API version's backend and the answer back. */
  private forward(x: Routed, headers?: OutgoingHttpHeaders): void {
    const { res, route } = x;
    if (res.destroyed) return;
    if (!route.upstream) {
      x.upstreamFailure = "error";
      sendProblem(res, "upstream_unavailable", { requestId: x.requestId, detail: "This API version has no usable backend endpoint." });
      return;
    }
    const { upstreams, settings } = this.parts;
    x.relay = forward({
      req: x.req,
      res,
      pool: upstreams.pool(route.upstream.origin, route.upstream.demoBackend),
      path: upstreamPath(route, x.restPath, x.query),
      requestId: x.requestId,
      responseHeaders: headers,
      settings,
      closeWatchedByCaller: true,
    });
  }

  /** When the response closes: stops the backend request if the caller left, then logs and counts. */
  private finish(x: Exchange): void {
    const { relay } = x;
    relay?.callerClosed();
    const latencyMs = performance.now() - x.started;
    // 499: the caller left before an answer (the nginx convention).
    const status = x.res.headersSent ? x.res.statusCode : 499;
    this.parts.requestLog.write(
      {
        method: x.req.method ?? "GET",
        path: pathOf(x.req.url ?? "/"),
        status,
        latencyMs,
        contractId: x.contract?.id,
        key: x.fingerprint,
        requestId: x.requestId,
        aborted: !x.res.writableFinished,
      },
      // The clock read at arrival, moved on by the latency: one system clock read per request instead of two.
      x.arrivedAt + Math.floor(latencyMs),
    );
    const bucket = latencyBucket(latencyMs);
    if (x.contract) this.parts.usage.record(x.contract.id, x.contract.apiVersionId, status, latencyMs, bucket, x.refusal, x.arrivedAt);
    this.parts.traffic?.record(x.route, status, x.refusal, x.upstreamFailure ?? relay?.failure, bucket, latencyMs);
  }
}

/** Answers with a problem the gateway decided on itself, and notes its code for the usage count and the metrics. */
function refuse(x: Exchange, code: ProblemCode, options: ProblemOptions): void {
  // Only when the answer goes out: a caller gone while Redis answered was not refused.
  if (x.res.headersSent || x.res.destroyed) return;
  x.refusal = code;
  sendProblem(x.res, code, options);
}

/**
 * Why a contract lets no request through. An ended contract will not come back, so its end
 * date speaks before a suspension, which may be lifted.
 */
function refuseContract(x: Exchange, contract: ContractEntry | undefined): void {
  const options = { requestId: x.requestId };
  // The refused request is the contract's: its usage counts it under the refusal's code.
  x.contract = contract;
  if (!contract) refuse(x, "no_contract", options);
  else if (contract.status === "Expired" || (contract.endsAt !== null && contract.endsAt <= x.arrivedAt)) refuse(x, "contract_expired", { ...options, detail: expiredDetail(contract.endsAt) });
  else if (contract.status === "Suspended") refuse(x, "contract_suspended", options);
  else refuse(x, "contract_pending", options);
}

function expiredDetail(endsAt: number | null): string | undefined {
  // An Expired contract always has an end date; without one the code's default sentence stands.
  return endsAt === null ? undefined : `This contract ended on ${new Date(endsAt).toISOString()}.`;
}
