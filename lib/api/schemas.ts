import { z } from "zod";
import { DOMAIN_ERROR_CODES } from "@/lib/domain/errors";
import { isCappedTotal, MAX_PAGE, type ListSort, pageCountOf } from "@/lib/domain/list-params";
import { searchTextSchema } from "@/lib/domain/text";
import { reply, type Reply } from "./operation";

/**
 * Schemas and helpers shared by /api/v1 operations: problems, timestamps, ids, and lists (query
 * parameters `q`, `sort`, `cursor`, `limit` and filters; answers `{ data, next }` with a Link
 * header).
 */

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "urn:portico:problem:<code>" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: "A sentence for people." }),
    code: z.enum([...DOMAIN_ERROR_CODES, "internal_error"]).meta({ description: "Stable: programs branch on it." }),
    fields: z.record(z.string(), z.string()).optional().meta({ description: "For validation failures: field -> sentence." }),
  })
  .meta({ id: "Problem", description: "An RFC 9457 problem." });

/** A moment, answered as an ISO 8601 string. */
export const timestamp = z.iso.datetime({ offset: true });

export const uuid = z.uuid();

/** An id in a request body: a UUID, or the request names nothing (404 from the domain). */
export const idField = z.string().max(100);

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const CURSOR_MESSAGE = "Pass the cursor of a previous answer's `next` unchanged.";
const LIMIT_MESSAGE = `A whole number from 1 to ${MAX_LIMIT}.`;

const cursorSchema = z
  .string()
  .max(200, CURSOR_MESSAGE)
  .regex(/^[A-Za-z0-9_-]+$/, CURSOR_MESSAGE)
  .transform((text, context) => {
    try {
      return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    } catch {
      context.addIssue({ code: "custom", message: CURSOR_MESSAGE });
      return z.NEVER;
    }
  })
  .pipe(z.strictObject({ page: z.number().int().min(2).max(MAX_PAGE) }, CURSOR_MESSAGE).transform((c) => c.page))
  .meta({ description: "The `next` of the previous page." });

const limitSchema = z
  .string()
  .regex(/^[0-9]{1,3}$/, LIMIT_MESSAGE)
  .transform(Number)
  .pipe(z.number().min(1, LIMIT_MESSAGE).max(MAX_LIMIT, LIMIT_MESSAGE))
  .meta({ description: `Rows per page, 1 to ${MAX_LIMIT}; ${DEFAULT_LIMIT} by default.` });

/**
 * The query of a list: `q` (words that must all appear), `sort` ("<column>.asc" or ".desc", one of
 * `sortable`), `cursor`, `limit`, and the list's own filters. Unlike the portal's URLs, which
 * read a malformed value as the default, a malformed value here is a 400: a program wants to know.
 */
export function listQuery<const S extends string, F extends z.ZodRawShape = Record<never, never>>(options: {
  sortable?: readonly S[];
  defaultSort?: ListSort<S>;
  filters?: F;
}) {
  const sortable = options.sortable ?? [];
  const sortValues = sortable.flatMap((id) => [`${id}.asc`, `${id}.desc`]);
  return z
    .object({
      q: searchTextSchema.optional().meta({ description: "Words that must each appear." }),
      ...(sortValues.length > 0 && {
        sort: z
          .enum(sortValues as [string, ...string[]])
          .optional()
          .meta({ description: "Column and direction." }),
      }),
      cursor: cursorSchema.optional(),
      limit: limitSchema.optional(),
      ...options.filters,
    })
    .transform(({ q, sort, cursor, limit, ...filters }) => {
      const [id, direction] = typeof sort === "string" ? sort.split(".") : [];
      return {
        ...(filters as { [K in keyof F]: z.output<F[K]> }),
        q: q ?? "",
        sort: id ? { id: id as S, desc: direction === "desc" } : options.defaultSort,
        page: (cursor as number | undefined) ?? 1,
        pageSize: (limit as number | undefined) ?? DEFAULT_LIMIT,
      };
    });
}

/** The answer of a list: a page of rows and the cursor of the next one (null on the last). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next: z.string().nullable().meta({ description: "The cursor of the next page, or null." }) });
}

export function encodeCursor(page: number): string {
  return Buffer.from(JSON.stringify({ page })).toString("base64url");
}

/**
 * `{ data, next }` and the Link header for one page of a list of `total` rows. Past a capped total
 * (see isCappedTotal) the page count is unknown: a full page has a next one, a short page ends it.
 */
export function paged<T>(url: URL, query: { page: number; pageSize: number }, data: T[], total: number): Reply<{ data: T[]; next: string | null }> {
  const last = isCappedTotal(total) ? data.length < query.pageSize || query.page >= MAX_PAGE : query.page >= pageCountOf(total, query.pageSize);
  if (last) return reply({ data, next: null });
  const next = encodeCursor(query.page + 1);
  const link = new URL(url);
  link.searchParams.set("cursor", next);
  return reply({ data, next }, { headers: { link: `<${link.href}>; rel="next"` } });
}
