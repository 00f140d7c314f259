import { z } from "zod";
import { searchTextSchema } from "./text";

/**
 * The URL search params of every list, read by one schema on the server (pages) and in the
 * browser (DataTable). Pure zod, no database: safe to bundle for the client.
 *
 *   {prefix}q      filter text
 *   {prefix}sort   "<columnId>.asc" or "<columnId>.desc"
 *   {prefix}page   1-based page number; absent means 1; -1 is the last page, -2 the one before it
 *   {prefix}<filter>  one value per declared filter (status, plan…)
 *
 * The prefix lets two lists live on one page (`prefix: "contracts-"`).
 */

export type SearchParamsRecord = Record<string, string | string[] | undefined>;

export interface ListSort<Id extends string = string> {
  id: Id;
  desc: boolean;
}

export interface ListParams<Id extends string = string> {
  q: string;
  sort: ListSort<Id> | undefined;
  /** 1-based from the start; negative counts from the end (-1: the last page). */
  page: number;
}

/** Past this page a number in the URL is read as this page: offsets stay small integers. */
export const MAX_PAGE = 1_000_000;

/**
 * Lists count their rows up to this many. A total above it (TOTAL_CAP + 1) means "more than
 * TOTAL_CAP": shown as "10,000+", with the pager moving from either end instead of by page number.
 */
export const TOTAL_CAP = 10_000;

/** Whether a list's total stands for "more than TOTAL_CAP" rather than an exact count. */
export function isCappedTotal(total: number, cap = TOTAL_CAP): boolean {
  return total > cap;
}

/** A total as people read it: "1,234", or "10,000+" past the cap. */
export function formatTotal(total: number, cap = TOTAL_CAP): string {
  return isCappedTotal(total, cap) ? `${cap.toLocaleString("en-US")}+` : total.toLocaleString("en-US");
}

export function listParamNames(prefix = "") {
  return { q: `${prefix}q`, sort: `${prefix}sort`, page: `${prefix}page` } as const;
}

/** "created.desc" -> { id: "created", desc: true }; undefined when malformed or not in `sortable`. */
export function parseSort<Id extends string>(value: string | undefined, sortable?: readonly Id[]): ListSort<Id> | undefined {
  if (!value) return undefined;
  const match = /^([A-Za-z0-9_-]+)\.(asc|desc)$/.exec(value);
  if (!match) return undefined;
  const id = match[1] as Id;
  if (sortable && !sortable.includes(id)) return undefined;
  return { id, desc: match[2] === "desc" };
}

export function formatSort(sort: ListSort | undefined): string | undefined {
  return sort ? `${sort.id}.${sort.desc ? "desc" : "asc"}` : undefined;
}

/**
 * "3" -> 3, "-1" -> -1 (the last page); anything that is not a whole number other than 0 reads
 * as 1, and a number further than MAX_PAGE from either end as MAX_PAGE pages from that end.
 */
export function parsePage(value: string | undefined): number {
  const n = Number.parseInt(value ?? "1", 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  return Math.sign(n) * Math.min(Math.abs(n), MAX_PAGE);
}

/**
 * The page number from the start that `page` names, when the total is exact: -1 is the last
 * page, -2 the one before it, and a page before the first is the first. Undefined when the total
 * is capped, where a page counted from the end has no number from the start.
 */
export function pageFromStart(page: number, total: number, pageSize: number, cap = TOTAL_CAP): number | undefined {
  if (page > 0) return page;
  if (isCappedTotal(total, cap)) return undefined;
  return Math.max(1, pageCountOf(total, pageSize) + 1 + page);
}

/** Total pages for a row count; at least 1 so an empty list still has a page. */
export function pageCountOf(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** A filter that keeps a value only when it is one of `values` (a status, a plan id), else none. */
export function oneOf<const V extends string>(values: readonly V[]): z.ZodType<V | undefined, string | undefined> {
  return z.custom<V | undefined>((value) => value === undefined || (typeof value === "string" && (values as readonly string[]).includes(value))).catch(undefined);
}

/** What a declared filter reads: the param's first value (undefined when absent) into a value or undefined. */
export type ListFilter = z.ZodType<unknown, string | undefined>;

export interface ListParamsOptions<Id extends string, F extends Record<string, ListFilter>> {
  prefix?: string;
  /** The columns the list sorts by; any well-formed id when absent (the browser, where the server decides). */
  sortable?: readonly Id[];
  /** The order when the URL names none, or names a column not in `sortable`. */
  defaultSort?: ListSort<Id>;
  /** Filters kept in `{prefix}<name>`, each parsed by its own schema; a value it refuses reads as none. */
  filters?: F;
}

export type ListParamsOf<Id extends string, F extends Record<string, ListFilter>> = ListParams<Id> & { [K in keyof F]: z.output<F[K]> | undefined };

/** The first value of a search param, from a params record or URLSearchParams; undefined for anything else. */
function firstValue(source: unknown, name: string): string | undefined {
  if (source instanceof URLSearchParams) return source.get(name) ?? undefined;
  if (typeof source !== "object" || source === null) return undefined;
  const value: unknown = (source as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : undefined;
}

/**
 * The one search-params schema of a list. Never throws: hostile input (repeated params, NUL
 * bytes, huge or negative pages, unknown columns or filter values) reads as the defaults.
 *
 *   const params = listParamsSchema({ sortable: ["name"], defaultSort: { id: "name", desc: false } }).parse(await searchParams);
 */
export function listParamsSchema<Id extends string = string, F extends Record<string, ListFilter> = Record<never, ListFilter>>(
  options: ListParamsOptions<Id, F> = {},
): z.ZodType<ListParamsOf<Id, F>, unknown> {
  const prefix = options.prefix ?? "";
  const names = listParamNames(prefix);
  const filters = Object.entries(options.filters ?? {}) as [string, ListFilter][];
  const fields = z.object({
    q: searchTextSchema,
    sort: z
      .string()
      .optional()
      .catch(undefined)
      .transform((value) => parseSort(value, options.sortable) ?? options.defaultSort),
    page: z.string().optional().catch(undefined).transform(parsePage),
    ...Object.fromEntries(filters.map(([name, filter]) => [name, filter.catch(undefined)])),
  });
  return z.preprocess(
    (source) => ({
      q: firstValue(source, names.q),
      sort: firstValue(source, names.sort),
      page: firstValue(source, names.page),
      ...Object.fromEntries(filters.map(([name]) => [name, firstValue(source, `${prefix}${name}`)])),
    }),
    fields,
  ) as unknown as z.ZodType<ListParamsOf<Id, F>, unknown>;
}
