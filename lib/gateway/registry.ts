import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { Queryable } from "@/db/client";
import type { Change } from "@/lib/domain/events";
import { fingerprintOfDigest } from "@/lib/domain/keys";
import { endpointRefusal, isDemoBackendPath, type UpstreamRules } from "@/lib/domain/upstream-rules";
import { compilePlanPolicies, type PlanPolicies } from "./policies";
import {
  type ApiVersionRow,
  type ClientVersionRow,
  type ContractRow,
  type GatewayContractStatus,
  loadApiVersions,
  loadClientVersions,
  loadContracts,
  loadEverything,
  loadLiveContractsOfClients,
  loadPlanVersions,
} from "./registry-queries";
import { DEFAULT_GATEWAY_SETTINGS } from "./settings";

/** Where the gateway sends an API version's traffic. */
export interface UpstreamTarget {
  /** scheme://host:port of the backend. */
  origin: string;
  /** Path of the endpoint without a trailing slash, prefixed to the caller's path. */
  basePath: string;
  /** Query string of the endpoint (without "?"), put before the caller's. */
  baseQuery: string;
  /** The portal's demo backend: the one path of the portal's port the gateway may connect to. */
  demoBackend: boolean;
}

export interface ApiRoute {
  id: string;
  /** "org/api/version", as in the gateway's URLs. */
  path: string;
  retired: boolean;
  isPublic: boolean;
  /** Undefined when the endpoint is not a usable http(s) URL, or the upstream rules refuse it. */
  upstream: UpstreamTarget | undefined;
}

/**
 * A contract as the gateway applies it. Replaced as a whole when the contract changes (a plan
 * change included): a request holds the entry it found, so one in flight finishes under the plan
 * it started with and the next one takes the new plan.
 */
export interface ContractEntry {
  id: string;
  /** The API version it is with: its usage is also counted there. */
  apiVersionId: string;
  /** Only Active passes; the others answer contract_pending, contract_suspended or contract_expired. */
  status: GatewayContractStatus;
  /**
   * Epoch ms from which the contract is refused (contract_expired); null when it has no end.
   * Null rather than Infinity: V8 would give every entry a boxed number of its own.
   */
  endsAt: number | null;
  plan: PlanPolicies;
}

// The status strings the entries hold: these very constants (as are the loader's), so the pipeline compares them by identity.
const STATUS_CONSTANTS: Record<GatewayContractStatus, GatewayContractStatus> = {
  Active: "Active",
  AwaitingApproval: "AwaitingApproval",
  Suspended: "Suspended",
  Expired: "Expired",
};

/** A client version at the gateway. Its keys are known only by their SHA-256 digests: the registry never holds a key. */
export interface ClientEntry {
  id: string;
  keyDigest: string;
  previousKeyDigest: string | null;
  /** Epoch ms after which the previous key is dead. */
  previousKeyExpiresAt: number;
  /** Contracts by API version id: the live one, or the newest when it expired. */
  contracts: Map<string, ContractEntry>;
  /** Fingerprints for logs, computed on first use. */
  fingerprint?: string;
  previousFingerprint?: string;
}

export interface KeyMatch {
  client: ClientEntry;
  /** True when the caller used the key replaced by the last rotation, still in its grace period. */
  previous: boolean;
}

/** The target of an endpoint; undefined (the gateway answers 502) when it is unusable or the rules refuse it, for instance one stored before them. */
function upstreamOf(endpoint: string | null, rules: UpstreamRules, logger: Logger, routePath: string): UpstreamTarget | undefined {
  if (!endpoint) return undefined;
  const refusal = endpointRefusal(rules, endpoint);
  if (refusal) {
    logger.warn({ api: routePath, reason: refusal }, "API version's endpoint refused by the upstream rules; it answers 502");
    return undefined;
  }
  const url = new URL(endpoint);
  const basePath = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, basePath, baseQuery: url.search.slice(1), demoBackend: isDemoBackendPath(basePath) };
}

/**
 * The same text as one contiguous string of its own. Text read from the database can be a slice of
 * a larger string, and text joined here a tree of pieces:
 * - V8 compares either kind with another string in its slower runtime path, which every request
 *   would pay in its key and contract lookups;
 * - a slice keeps all of the larger string in memory: the full load reads its rows as pages of
 *   text, which the ids and key digests kept in the index would otherwise hold on to.
 */
function flatString(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

/** The index the gateway answers from. Plain maps, filled from the database, mutated only by the registry's worker. */
class Index {
  constructor(
    private readonly upstreamRules: UpstreamRules,
    private readonly logger: Logger,
  ) {}

  readonly routesByPath = new Map<string, ApiRoute>();
  readonly routesById = new Map<string, ApiRoute>();
  readonly clientsById = new Map<string, ClientEntry>();
  readonly clientsByKeyDigest = new Map<string, ClientEntry>();
  readonly plans = new Map<string, PlanPolicies>();

  putApiVersion(row: ApiVersionRow): void {
    this.removeApiVersion(row.id);
    if (row.status !== "Published" && row.status !== "Retired") return;
    const path = flatString(`${row.orgSlug}/${row.apiSlug}/${row.version}`);
    const route: ApiRoute = {
      // The contracts' map keys are this very string when the route is known (see setContract).
      id: flatString(row.id),
      path,
      retired: row.status === "Retired",
      isPublic: row.isPublic,
      upstream: upstreamOf(row.endpoint, this.upstreamRules, this.logger, path),
    };
    this.routesById.set(route.id, route);
    this.routesByPath.set(route.path, route);
  }

  removeApiVersion(id: string): void {
    const old = this.routesById.get(id);
    if (!old) return;
    this.routesById.delete(id);
    if (this.routesByPath.get(old.path) === old) this.routesByPath.delete(old.path);
  }

  /** Adds, updates or (when retired) removes a client version; its contracts are kept until replaced. */
  putClientVersion(row: ClientVersionRow, now: number): ClientEntry | undefined {
    if (row.retiredAt) {
      this.removeClientVersion(row.id);
      return undefined;
    }
    return this.setClientVersion(row.id, row.apiKeyDigest, row.previousApiKeyDigest, row.previousApiKeyExpiresAt?.getTime() ?? 0, now);
  }

  setClientVersion(id: string, keyDigest: string, previousKeyDigest: string | null, previousExpiresAt: number, now: number): ClientEntry {
    const old = this.clientsById.get(id);
    if (old) this.unindexKeys(old);
    const entry: ClientEntry = old ?? { id: flatString(id), keyDigest, previousKeyDigest: null, previousKeyExpiresAt: 0, contracts: new Map() };
    if (entry.keyDigest !== keyDigest) entry.fingerprint = undefined;
    if (entry.previousKeyDigest !== previousKeyDigest) entry.previousFingerprint = undefined;
    entry.keyDigest = flatString(keyDigest);
    entry.previousKeyDigest = previousKeyDigest && previousExpiresAt > now ? flatString(previousKeyDigest) : null;
    entry.previousKeyExpiresAt = entry.previousKeyDigest ? previousExpiresAt : 0;
    this.clientsById.set(entry.id, entry);
    this.clientsByKeyDigest.set(entry.keyDigest, entry);
    if (entry.previousKeyDigest) this.clientsByKeyDigest.set(entry.previousKeyDigest, entry);
    return entry;
  }

  removeClientVersion(id: string): void {
    const old = this.clientsById.get(id);
    if (!old) return;
    this.unindexKeys(old);
    this.clientsById.delete(id);
  }

  private unindexKeys(entry: ClientEntry): void {
    if (this.clientsByKeyDigest.get(entry.keyDigest) === entry) this.clientsByKeyDigest.delete(entry.keyDigest);
    if (entry.previousKeyDigest && this.clientsByKeyDigest.get(entry.previousKeyDigest) === entry) this.clientsByKeyDigest.delete(entry.previousKeyDigest);
  }

  plan(planVersionId: string, policies: Policy[]): PlanPolicies {
    let plan = this.plans.get(planVersionId);
    if (!plan) {
      plan = compilePlanPolicies(planVersionId, policies);
      this.plans.set(planVersionId, plan);
    }
    return plan;
  }

  /** Records a contract in whatever state: live ones (and the newest of a pair when Expired) are indexed, other ended ones removed. */
  putContract(row: ContractRow): void {
    if (row.indexed) {
      this.plan(row.planVersionId, row.policies);
      const status = STATUS_CONSTANTS[row.status as GatewayContractStatus];
      this.setContract(row.id, row.clientVersionId, row.apiVersionId, row.planVersionId, status, row.endsAt?.getTime() ?? null);
    } else {
      const client = this.clientsById.get(row.clientVersionId);
      if (client?.contracts.get(row.apiVersionId)?.id === row.id) client.contracts.delete(row.apiVersionId);
    }
  }

  /**
   * Indexes a contract whose plan version is known, replacing the pair's previous entry (a plan
   * change swaps the policies here). `status` is one of the STATUS_CONSTANTS strings.
   */
  setContract(id: string, clientVersionId: string, apiVersionId: string, planVersionId: string, status: GatewayContractStatus, endsAt: number | null): void {
    const client = this.clientsById.get(clientVersionId);
    // A client version that is not indexed (retired, or not seen yet) gets its contracts when it is.
    const plan = this.plans.get(planVersionId);
    if (!client || !plan) return;
    // Keyed by the route's own id string where there is one: the lookup of every request then compares one string with itself.
    const key = this.routesById.get(apiVersionId)?.id ?? flatString(apiVersionId);
    if (status === "Expired") {
      // The pair's live contract, whatever the order rows arrive in, wins over an expired one.
      const current = client.contracts.get(key);
      if (current && current.status !== "Expired" && current.id !== id) return;
    }
    client.contracts.set(key, { id: flatString(id), apiVersionId: key, status, endsAt, plan });
  }
}

type Policy = ContractRow["policies"][number];

export interface RegistryStats {
  apiVersions: number;
  clientVersions: number;
  keys: number;
  contracts: number;
  plans: number;
  /** Epoch ms of the last full load. */
  loadedAt: number;
  /** Full loads done: the first, and a reload for each time the change feed reconnected. */
  loads: number;
}

/**
 * The gateway's in-memory view of API versions, keys, contracts and plans. Requests read it
 * synchronously; one worker keeps it current, applying changes in the order they arrive so that a
 * late answer can never overwrite a newer one.
 */
export class Registry {
  private index: Index;
  private readonly pending = new Map<string, Change>();
  private reloadWanted = false;
  private running: Promise<void> | undefined;
  private closed = false;
  private loading = false;
  private loadedAt = 0;
  private loads = 0;
  private retryDelayMs = 250;

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
    private readonly upstreamRules: UpstreamRules = DEFAULT_GATEWAY_SETTINGS.upstreamRules,
  ) {
    this.index = new Index(upstreamRules, logger);
  }

  /** Loads everything; called once before the gateway listens. */
  async load(): Promise<void> {
    // Changes that arrive meanwhile wait: applied to the index being replaced, they would be lost.
    this.loading = true;
    try {
      await this.fullReload();
    } finally {
      this.loading = false;
      if (this.pending.size > 0 || this.reloadWanted) this.kick();
    }
  }

  /** True once the first full load is done: the gateway then knows every API version, key and contract. */
  get loaded(): boolean {
    return this.loads > 0;
  }

  /** The route of "org/api/version". */
  findRoute(path: string): ApiRoute | undefined {
    return this.index.routesByPath.get(path);
  }

  /** The client version whose key has this digest (see digestApiKey), if the key still works. */
  findKey(keyDigest: string, now: number): KeyMatch | undefined {
    const client = this.index.clientsByKeyDigest.get(keyDigest);
    if (!client) return undefined;
    if (keyDigest === client.keyDigest) return { client, previous: false };
    if (keyDigest === client.previousKeyDigest && client.previousKeyExpiresAt > now) return { client, previous: true };
    // The grace period ran out: the old key dies without any event.
    if (keyDigest === client.previousKeyDigest) {
      this.index.clientsByKeyDigest.delete(keyDigest);
      client.previousKeyDigest = null;
    }
    return undefined;
  }

  /** Queues changes reported by the domain layer (here or in another process). */
  enqueue(changes: readonly Change[]): void {
    if (this.closed) return;
    for (const change of changes) this.pending.set(`${change.kind}:${change.id}`, change);
    this.kick();
  }

  /** Asks for a full reload; it covers the changes queued before it starts, later ones follow it. */
  requestReload(): void {
    if (this.closed) return;
    this.reloadWanted = true;
    this.kick();
  }

  /** Resolves once every queued change is applied. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  stats(): RegistryStats {
    let contracts = 0;
    for (const client of this.index.clientsById.values()) contracts += client.contracts.size;
    return {
      apiVersions: this.index.routesById.size,
      clientVersions: this.index.clientsById.size,
      keys: this.index.clientsByKeyDigest.size,
      contracts,
      plans: this.index.plans.size,
      loadedAt: this.loadedAt,
      loads: this.loads,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    this.reloadWanted = false;
    await this.settled();
  }

  private kick(): void {
    if (!this.running && !this.loading) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && (this.reloadWanted || this.pending.size > 0)) {
        if (this.reloadWanted) {
          this.reloadWanted = false;
          // Everything queued so far is covered by a load that starts after it.
          const covered = [...this.pending.values()];
          this.pending.clear();
          try {
            await this.fullReload();
          } catch (error) {
            this.logger.error({ err: (error as Error).message }, "Gateway registry reload failed; retrying");
            this.reloadWanted = true;
            for (const change of covered) this.pending.set(`${change.kind}:${change.id}`, change);
            await this.backOff();
          }
          continue;
        }
        const batch = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.apply(batch);
          this.retryDelayMs = 250;
        } catch (error) {
          this.logger.error({ err: (error as Error).message }, "Gateway registry refresh failed; retrying");
          for (const change of batch) {
            const key = `${change.kind}:${change.id}`;
            if (!this.pending.has(key)) this.pending.set(key, change);
          }
          await this.backOff();
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async backOff(): Promise<void> {
    await delay(this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
  }

  private async fullReload(): Promise<void> {
    const started = Date.now();
    const next = new Index(this.upstreamRules, this.logger);
    const now = Date.now();
    await loadEverything(this.db, {
      // First: the contracts then take their routes' id strings as keys.
      apiVersion: (row) => next.putApiVersion(row),
      planVersion: (id, policies) => next.plan(id, policies),
      clientVersion: (id, keyDigest, previousKeyDigest, previousExpiresAt) => next.setClientVersion(id, keyDigest, previousKeyDigest, previousExpiresAt, now),
      contract: (id, clientVersionId, apiVersionId, planVersionId, status, endsAt) => next.setContract(id, clientVersionId, apiVersionId, planVersionId, status, endsAt),
    });
    // Swapped in one assignment: requests see the old index or the new one, never half of each.
    this.index = next;
    this.loadedAt = Date.now();
    this.loads++;
    this.logger.info({ ...this.stats(), ms: this.loadedAt - started }, "Gateway registry loaded");
  }

  /** Re-reads just what changed. */
  private async apply(changes: Change[]): Promise<void> {
    const ids = { apiVersion: [] as string[], clientVersion: [] as string[], contract: [] as string[], planVersion: [] as string[] };
    for (const change of changes) ids[change.kind].push(change.id);
    const [apiRows, clientRows, clientContracts, contractRows, planRows] = await Promise.all([
      ids.apiVersion.length ? loadApiVersions(this.db, ids.apiVersion) : [],
      ids.clientVersion.length ? loadClientVersions(this.db, ids.clientVersion) : [],
      ids.clientVersion.length ? loadLiveContractsOfClients(this.db, ids.clientVersion) : [],
      ids.contract.length ? loadContracts(this.db, ids.contract) : [],
      ids.planVersion.length ? loadPlanVersions(this.db, ids.planVersion) : [],
    ]);
    const index = this.index;

    const apiFound = new Set(apiRows.map((r) => r.id));
    for (const row of apiRows) index.putApiVersion(row);
    for (const id of ids.apiVersion) if (!apiFound.has(id)) index.removeApiVersion(id);

    const clientFound = new Set(clientRows.map((r) => r.id));
    const now = Date.now();
    for (const row of clientRows) {
      const entry = index.putClientVersion(row, now);
      entry?.contracts.clear();
    }
    for (const id of ids.clientVersion) if (!clientFound.has(id)) index.removeClientVersion(id);
    for (const row of clientContracts) index.putContract(row);

    for (const row of contractRows) index.putContract(row);

    for (const row of planRows) {
      const plan = index.plans.get(row.id);
      // Locked policies never change; a plan still being edited has no contracts yet.
      if (plan) Object.assign(plan, compilePlanPolicies(row.id, row.policies), { cachedPolicyHeader: undefined });
    }
  }
}

/** A key's fingerprint for logs (the start of its digest, as keyFingerprint gives), cached on the client entry. */
export function fingerprintOf(match: KeyMatch): string {
  const { client } = match;
  if (match.previous) return (client.previousFingerprint ??= fingerprintOfDigest(client.previousKeyDigest ?? ""));
  return (client.fingerprint ??= fingerprintOfDigest(client.keyDigest));
}
