/**
 * The URL search params of a DataTable, readable on the server (pages) and the client (the table).
 *
 *   {prefix}q      filter text
 *   {prefix}sort   "<columnId>.asc" or "<columnId>.desc"
 *   {prefix}page   1-based page number; absent means 1
 *
 * The prefix lets two tables live on one page (`prefix: "contracts-"`).
 */

export type SearchParamsRecord = Record<string, string | string[] | undefined>;
type ParamsSource = SearchParamsRecord | URLSearchParams;

export interface TableSort<Id extends string = string> {
  id: Id;
  desc: boolean;
}

export interface TableParams<Id extends string = string> {
  q: string;
  sort: TableSort<Id> | undefined;
  /** 1-based. */
  page: number;
}

export function tableParamNames(prefix = "") {
  return { q: `${prefix}q`, sort: `${prefix}sort`, page: `${prefix}page` } as const;
}

function read(source: ParamsSource, name: string): string | undefined {
  if (source instanceof URLSearchParams) return source.get(name) ?? undefined;
  const value = source[name];
  return Array.isArray(value) ? value[0] : value;
}

/** "created.desc" -> { id: "created", desc: true }; undefined when malformed or not in `sortable`. */
export function parseSort<Id extends string>(value: string | undefined, sortable?: readonly Id[]): TableSort<Id> | undefined {
  if (!value) return undefined;
  const match = /^([A-Za-z0-9_-]+)\.(asc|desc)$/.exec(value);
  if (!match) return undefined;
  const id = match[1] as Id;
  if (sortable && !sortable.includes(id)) return undefined;
  return { id, desc: match[2] === "desc" };
}

export function formatSort(sort: TableSort | undefined): string | undefined {
  return sort ? `${sort.id}.${sort.desc ? "desc" : "asc"}` : undefined;
}

/**
 * Reads a table's state from the URL. Unknown sort columns fall back to `defaultSort`;
 * a page below 1 or not a number reads as 1. Filter text is trimmed and capped at 200 characters.
 */
export function parseTableParams<Id extends string = string>(
  source: ParamsSource,
  options: { prefix?: string; sortable?: readonly Id[]; defaultSort?: TableSort<Id> } = {},
): TableParams<Id> {
  const names = tableParamNames(options.prefix);
  const q = (read(source, names.q) ?? "").trim().slice(0, 200);
  const sort = parseSort(read(source, names.sort), options.sortable) ?? options.defaultSort;
  const pageNumber = Number.parseInt(read(source, names.page) ?? "1", 10);
  const page = Number.isFinite(pageNumber) && pageNumber >= 1 ? Math.min(pageNumber, 1_000_000) : 1;
  return { q, sort, page };
}

/** Total pages for a row count; at least 1 so an empty table still has a page. */
export function pageCountOf(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
