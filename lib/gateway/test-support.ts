import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import type { Db, OpenDatabase } from "@/db/client";
import type { Policy } from "@/db/schema";
import { createApi, offerPlan, publishApiVersion } from "@/lib/domain/apis";
import { createContract } from "@/lib/domain/contracts";
import type { Actor } from "@/lib/domain/permissions";
import { makeClient, makeLockedPlan, makeOrg, makeUser, openTestDb, personalOrgId } from "@/lib/domain/test-fixtures";
import { type RunningGateway, startGateway, type StartGatewayOptions } from "./server";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface Upstream {
  url: string;
  port: number;
  server: Server;
  requests: SeenRequest[];
  /** Replaces the default answer, which echoes the request as JSON. */
  handle(handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined): void;
  close(): Promise<void>;
}

/** A real backend on an ephemeral port: by default it answers every request with a JSON echo. */
export async function startUpstream(): Promise<Upstream> {
  const requests: SeenRequest[] = [];
  let custom: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (custom) return custom(req, res);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() };
      requests.push(seen);
      const body = JSON.stringify({ method: seen.method, url: seen.url, headers: seen.headers, body: seen.body });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    handle(handler) {
      custom = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const silentLogger = (): Logger => pino({ level: "silent" });

/** A logger whose lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}

const unique = () => randomBytes(4).toString("hex");

/** Polls until `check` holds; fails after `timeoutMs`. Used only for "visible within one second". */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 1_500, what = "the change"): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} was not visible at the gateway within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A database with a provider organization, a consumer, and a gateway in front of a real upstream:
 * the scene every gateway test plays in.
 */
export interface Scene {
  open: OpenDatabase;
  db: Db;
  provider: Actor;
  consumer: Actor;
  orgId: string;
  orgSlug: string;
  upstream: Upstream;
  gateway: RunningGateway;
  base: string;
  /** A published API whose endpoint is the upstream (with a base path), offering one plan. */
  makeApi(options?: { policies?: Policy[]; requiresApproval?: boolean; isPublic?: boolean; endpoint?: string; publish?: boolean }): Promise<{ slug: string; apiVersionId: string; planVersionId: string; path: string }>;
  /** A consumer client with a contract to the API (status per the plan's approval rule). */
  makeClientWithContract(api: { apiVersionId: string; planVersionId: string }): Promise<{ clientVersionId: string; apiKey: string; contractId: string }>;
  makeClient(): Promise<{ clientVersionId: string; apiKey: string }>;
  close(): Promise<void>;
}

export async function openScene(gatewayOptions: Partial<StartGatewayOptions> = {}): Promise<Scene> {
  const open = await openTestDb();
  const db = open.db;
  const upstream = await startUpstream();
  const { org, owner: provider } = await makeOrg(db, await makeUser(db, "manager"));
  const consumer = await makeUser(db, "portal");
  const gateway = await startGateway({ port: 0, host: "127.0.0.1", open, logger: silentLogger(), ...gatewayOptions });
  const scene: Scene = {
    open,
    db,
    provider,
    consumer,
    orgId: org.id,
    orgSlug: org.slug,
    upstream,
    gateway,
    base: `http://127.0.0.1:${gateway.port}`,
    async makeApi(options = {}) {
      const slug = `api-${unique()}`;
      const { version } = await createApi(db, provider, {
        orgId: org.id,
        slug,
        name: "Weather",
        endpoint: options.endpoint ?? `${upstream.url}/backend`,
        isPublic: options.isPublic ?? false,
      });
      let planVersionId = "";
      if (!options.isPublic) {
        ({ planVersionId } = await makeLockedPlan(db, provider, org.id, options.policies ?? []));
        await offerPlan(db, provider, { apiVersionId: version.id, planVersionId, requiresApproval: options.requiresApproval ?? false });
      }
      if (options.publish ?? true) await publishApiVersion(db, provider, version.id);
      await gateway.registry.settled();
      return { slug, apiVersionId: version.id, planVersionId, path: `/${org.slug}/${slug}/1.0` };
    },
    async makeClientWithContract(api) {
      const client = await makeClient(db, consumer, personalOrgId(consumer));
      const contract = await createContract(db, consumer, { clientVersionId: client.clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
      await gateway.registry.settled();
      return { clientVersionId: client.clientVersionId, apiKey: client.apiKey, contractId: contract.id };
    },
    async makeClient() {
      const client = await makeClient(db, consumer, personalOrgId(consumer));
      await gateway.registry.settled();
      return client;
    },
    async close() {
      await gateway.close();
      await upstream.close();
      await open.close();
    },
  };
  return scene;
}

/** A fetch that never reuses pooled state across tests and returns the parsed body when JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, headers: response.headers, body: type.includes("json") ? JSON.parse(text) : text };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One request over a bare socket, its target sent byte for byte: fetch and node:http may resolve
 * dot segments or refuse odd characters before the gateway sees them. `headers` may repeat a name.
 */
export function rawRequest(port: number, target: string, headers: [string, string][] = []): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const head = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers.map(([n, v]) => `${n}: ${v}`), "Connection: close", "", ""].join("\r\n");
    socket.write(Buffer.from(head, "utf8"));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, split === -1 ? text.length : split).split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body: split === -1 ? "" : text.slice(split + 4) });
    });
  });
}
