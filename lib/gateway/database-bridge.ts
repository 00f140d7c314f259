import { drizzle } from "drizzle-orm/pg-proxy";
import type { Db, OpenDatabase } from "@/db/client";
import * as schema from "@/db/schema";

/**
 * Gateway workers reach the database through the cluster's primary, the one process that opens
 * it (the embedded database allows no other): drizzle's pg-proxy driver in the worker builds each
 * query and sends its SQL and parameters; the primary runs them on its own connection and answers
 * the rows.
 */
export interface QueryRequest {
  portico: "query";
  id: number;
  sql: string;
  params: unknown[];
  /** "all": rows as arrays, which drizzle maps to its fields; "execute": a raw result, rows as objects. */
  method: "all" | "execute";
}

export interface QueryAnswer {
  portico: "query-answer";
  id: number;
  result?: unknown;
  /** Why the query failed: the driver's message and PostgreSQL's error code, never the parameters. */
  error?: { message: string; code?: string };
}

// PostgreSQL type ids read as text, as drizzle's own drivers read them: its columns parse them.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INTERVAL = 1186;
const AS_TEXT: ReadonlySet<number> = new Set([TIMESTAMP, TIMESTAMPTZ, DATE, INTERVAL]);
const asText = (value: string) => value;

interface PgliteClient {
  query(sql: string, params: unknown[], options: { rowMode: "array" | "object"; parsers: Record<number, (value: string) => unknown> }): Promise<{ rows: unknown[]; affectedRows?: number }>;
}

interface PgPoolClient {
  query(config: {
    text: string;
    values: unknown[];
    rowMode?: "array";
    types: { getTypeParser: (id: number, format?: string) => unknown };
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Runs a worker's query on the primary's database; a failure is answered, not thrown. */
export async function runForwardedQuery(open: OpenDatabase, request: QueryRequest): Promise<QueryAnswer> {
  try {
    const client = (open.db as unknown as { $client: unknown }).$client;
    let rows: unknown[];
    let rowCount: number | null | undefined;
    if (open.kind === "pglite") {
      const parsers = Object.fromEntries([...AS_TEXT].map((id) => [id, asText]));
      ({ rows, affectedRows: rowCount } = await (client as PgliteClient).query(request.sql, request.params, { rowMode: request.method === "all" ? "array" : "object", parsers }));
    } else {
      const { default: pg } = await import("pg");
      const getTypeParser = (id: number, format?: string) => (AS_TEXT.has(id) ? asText : pg.types.getTypeParser(id, format as "text"));
      ({ rows, rowCount } = await (client as PgPoolClient).query({
        text: request.sql,
        values: request.params,
        rowMode: request.method === "all" ? "array" : undefined,
        types: { getTypeParser },
      }));
    }
    return { portico: "query-answer", id: request.id, result: request.method === "all" ? rows : { rows, rowCount: rowCount ?? null } };
  } catch (error) {
    const { message, code } = error as { message?: string; code?: unknown };
    return { portico: "query-answer", id: request.id, error: { message: message ?? String(error), code: typeof code === "string" ? code : undefined } };
  }
}

/** An error from the primary's database, with PostgreSQL's code where it gave one. */
export class ForwardedQueryError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ForwardedQueryError";
  }
}

export interface ForwardedDatabase {
  db: Db;
  /** Hands an answer from the primary to the query waiting for it. */
  answer(message: QueryAnswer): void;
  /** Fails every query still waiting (the primary is gone). */
  failAll(reason: string): void;
}

/** A database whose queries `send` carries to the primary; `answer` brings the results back. */
export function forwardedDatabase(send: (request: QueryRequest) => void): ForwardedDatabase {
  let nextId = 0;
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  const db = drizzle(
    (sql, params, method) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        waiting.set(id, {
          // For "execute", drizzle hands back what comes as `rows`: the whole result, as the other drivers give it.
          resolve: (result) => resolve({ rows: result as unknown[] }),
          reject,
        });
        try {
          send({ portico: "query", id, sql, params, method });
        } catch (error) {
          waiting.delete(id);
          reject(error as Error);
        }
      }),
    { schema },
  ) as unknown as Db;
  return {
    db,
    answer(message) {
      const query = waiting.get(message.id);
      if (!query) return;
      waiting.delete(message.id);
      if (message.error) query.reject(new ForwardedQueryError(message.error.message, message.error.code));
      else query.resolve(message.result);
    },
    failAll(reason) {
      for (const query of waiting.values()) query.reject(new ForwardedQueryError(reason, undefined));
      waiting.clear();
    },
  };
}
