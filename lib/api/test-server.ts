import { readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { buildOpenApiDocument } from "./openapi";

/**
 * For tests: serves the app's /api/v1 route files over real HTTP, routed by their folders the way
 * Next.js routes them (a `[name]` folder is one path segment, decoded once), and a client that
 * checks every answer against the OpenAPI document's schema for that operation and status.
 */

const API_DIR = path.resolve(import.meta.dirname, "../../app/api/v1");

type Handler = (request: Request, context: { params: Promise<Record<string, string> | undefined> }) => Promise<Response>;

export interface RouteFile {
  /** "/api/v1/orgs/{org}/clients" */
  template: string;
  segments: string[];
  methods: Record<string, Handler>;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Every route.ts under app/api/v1, with the methods it exports. */
export async function loadRouteFiles(): Promise<RouteFile[]> {
  // The catch-all answering 404 for unknown addresses serves no operation.
  const files = readdirSync(API_DIR, { recursive: true, encoding: "utf8" }).filter((file) => path.basename(file) === "route.ts" && !file.includes("[..."));
  const routes: RouteFile[] = [];
  for (const file of files) {
    const folders = path.dirname(file) === "." ? [] : path.dirname(file).split(path.sep);
    const segments = ["api", "v1", ...folders.map((folder) => folder.replace(/^\[(\w+)\]$/, "{$1}"))];
    const module = (await import(path.join(API_DIR, file))) as Record<string, unknown>;
    const methods = Object.fromEntries(METHODS.filter((m) => typeof module[m] === "function").map((m) => [m, module[m] as Handler]));
    routes.push({ template: `/${segments.join("/")}`, segments, methods });
  }
  // Static segments win over dynamic ones, as in Next.js.
  return routes.sort((a, b) => a.segments.filter((s) => s.startsWith("{")).length - b.segments.filter((s) => s.startsWith("{")).length);
}

function match(route: RouteFile, parts: string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of route.segments.entries()) {
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (name) params[name] = decodeURIComponent(parts[i]);
    else if (segment !== parts[i]) return undefined;
  }
  return params;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

async function serve(routes: RouteFile[], req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
  const parts = url.pathname.split("/").slice(1);
  let found: { route: RouteFile; params: Record<string, string> } | undefined;
  try {
    for (const route of routes) {
      const params = match(route, parts);
      if (params) {
        found = { route, params };
        break;
      }
    }
  } catch {
    res.writeHead(400).end("Bad Request");
    return;
  }
  if (!found) {
    res.writeHead(404).end("Not Found");
    return;
  }
  const handler = found.route.methods[req.method ?? "GET"];
  if (!handler) {
    res.writeHead(405, { allow: Object.keys(found.route.methods).join(", ") }).end();
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    ...(hasBody && { body: Readable.toWeb(req) as ReadableStream, duplex: "half" }),
  } as RequestInit);
  // As Next.js does, a route without dynamic segments gets undefined params.
  const params = Object.keys(found.params).length > 0 ? found.params : undefined;
  const response = await handler(request, { params: Promise.resolve(params) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Starts the route files on a free port of 127.0.0.1. */
export async function startApiServer(): Promise<ApiServer> {
  const routes = await loadRouteFiles();
  const server = createServer((req, res) => {
    serve(routes, req, res).catch((error: unknown) => {
      console.error(error);
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let validators: { document: ReturnType<typeof buildOpenApiDocument>; ajv: Ajv2020; cache: Map<string, ValidateFunction> } | undefined;

function documentValidators() {
  if (!validators) {
    const document = buildOpenApiDocument();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(document as object, "openapi.json");
    validators = { document, ajv, cache: new Map() };
  }
  return validators;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** The document's path template that `pathname` matches, static segments first. */
export function documentPath(pathname: string): string | undefined {
  const parts = pathname.split("/");
  const templates = Object.keys(documentValidators().document.paths ?? {});
  const matches = templates.filter((template) => {
    const segments = template.split("/");
    return segments.length === parts.length && segments.every((s, i) => s.startsWith("{") || s === parts[i]);
  });
  return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

/** Asserts that an answer is one the document promises for this operation, with its schema. */
export function expectDocumented(method: string, pathname: string, status: number, contentType: string | null, body: unknown) {
  const { document, ajv, cache } = documentValidators();
  const template = documentPath(pathname);
  expect(template, `${pathname} is in the OpenAPI document`).toBeDefined();
  const operation = (document.paths?.[template!] as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>)[method.toLowerCase()];
  expect(operation, `${method} ${template} is in the OpenAPI document`).toBeDefined();
  const response = operation.responses[String(status)];
  expect(response, `${method} ${template} documents status ${status}`).toBeDefined();
  if (!response.content) {
    expect(body, `${method} ${template} ${status} has no body`).toBeUndefined();
    return;
  }
  const mediaType = (contentType ?? "").split(";")[0].trim();
  expect(Object.keys(response.content), `${method} ${template} ${status} is ${mediaType}`).toContain(mediaType);
  const ref = `openapi.json#/${pointer("paths", template!, method.toLowerCase(), "responses", String(status), "content", mediaType, "schema")}`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = ajv.getSchema(ref)!;
    cache.set(ref, validate);
  }
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${method} ${pathname} ${status} matches its schema`).toEqual([]);
}

/** Answers in tests are read field by field, as a program reads JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface ApiAnswer<T = JsonBody> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A client of a started API server acting with `token`; every answer is checked against the
 * document. `body` is JSON when given; `headers` are added as sent.
 */
export function apiClient(server: ApiServer, token?: string) {
  async function call<T = JsonBody>(method: string, pathname: string, options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...(token && { authorization: `Bearer ${token}` }), ...options.headers };
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(server.url + pathname, { method, headers, body });
    const text = await response.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as T);
    expectDocumented(method, new URL(server.url + pathname).pathname, response.status, response.headers.get("content-type"), parsed);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  return {
    get: <T = JsonBody>(pathname: string, options?: { headers?: Record<string, string> }) => call<T>("GET", pathname, options),
    post: <T = JsonBody>(pathname: string, body?: unknown, options?: { headers?: Record<string, string>; raw?: string }) => call<T>("POST", pathname, { ...options, body }),
    put: <T = JsonBody>(pathname: string, body?: unknown, options?: { headers?: Record<string, string> }) => call<T>("PUT", pathname, { ...options, body }),
    patch: <T = JsonBody>(pathname: string, body?: unknown, options?: { headers?: Record<string, string> }) => call<T>("PATCH", pathname, { ...options, body }),
    delete: <T = JsonBody>(pathname: string, options?: { headers?: Record<string, string> }) => call<T>("DELETE", pathname, options),
    call,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
