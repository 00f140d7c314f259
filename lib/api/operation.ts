import { z } from "zod";
import type { Db } from "@/db/client";
import type { DomainErrorCode } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import type { AccessTokenScope } from "@/lib/domain/tokens";

/**
 * One /api/v1 operation: its method and path, the zod schemas of what it reads and answers, and
 * the handler that calls lib/domain. The route files serve operations (lib/api/handler.ts) and
 * the OpenAPI document is generated from the same objects (lib/api/openapi.ts), so the document
 * cannot describe something the handlers do not check.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** `public` operations need no token. */
export type OperationScope = AccessTokenScope | "public";

export interface OperationContext<P, Q, B> {
  request: Request;
  url: URL;
  db: Db;
  /** The token's user; undefined only for public operations. */
  actor: Actor;
  /** Path parameters, decoded. */
  params: P;
  query: Q;
  body: B;
  /** The If-Match header, for operations that honour ETags. */
  ifMatch: string | undefined;
}

/** An answer with another status or extra headers than the operation's default. */
export class Reply<T = unknown> {
  constructor(
    readonly body: T,
    readonly init: { status?: number; headers?: Record<string, string> } = {},
  ) {}
}

export function reply<T>(body: T, init: { status?: number; headers?: Record<string, string> } = {}): Reply<T> {
  return new Reply(body, init);
}

/** "/orgs/{org}/clients/{client}" -> "org" | "client". */
export type PathParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;

export interface OperationDefinition<Path extends `/${string}`, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType | undefined> {
  method: Method;
  /** Below /api/v1, with `{name}` path parameters: "/orgs/{org}/clients". */
  path: Path;
  /** The OpenAPI operationId: a verb and a noun, "createClient". */
  id: string;
  tag: string;
  summary: string;
  description?: string;
  scope: OperationScope;
  query?: Q;
  body?: B;
  /** 200 by default, 201 for creations; 204 when there is no response schema. */
  status?: 200 | 201 | 204;
  response?: R;
  /** Codes this operation may answer, besides those every operation of its kind may. */
  errors?: readonly DomainErrorCode[];
  /** Answers carry an ETag and the operation honours If-Match (412 when stale). */
  etag?: boolean;
  /** The list's `Link: <…>; rel="next"` header is documented. */
  paged?: boolean;
  handler: (
    context: OperationContext<Record<PathParamNames<Path>, string>, z.output<Q>, z.output<B>>,
  ) => Promise<R extends z.ZodType ? JsonOf<z.input<R>> | Reply<JsonOf<z.input<R>>> : void | Reply<null>>;
}

/** What a handler may return for a schema: the same shape, where dates may still be Date objects. */
type JsonOf<T> = T extends string ? string | Date : T extends readonly (infer U)[] ? readonly JsonOf<U>[] : T extends object ? { [K in keyof T]: JsonOf<T[K]> } : T;

export type Operation = OperationDefinition<`/${string}`, z.ZodType, z.ZodType, z.ZodType | undefined>;

/** Declares an operation; the identity function, for the types. */
export function defineOperation<const Path extends `/${string}`, Q extends z.ZodType = z.ZodObject<Record<never, never>>, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType | undefined = undefined>(
  definition: OperationDefinition<Path, Q, B, R>,
): Operation {
  return definition as unknown as Operation;
}
