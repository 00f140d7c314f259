import { and, asc, type Column, desc, eq, getTableName, ilike, or, type SQL, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import type { apis, clients, plans } from "@/db/schema";
import { listParamsSchema, type ListSort, MAX_PAGE, pageCountOf } from "./list-params";
import { searchWords } from "./text";

/**
 * A column named with its table. Drizzle leaves the table out of column names in single-table
 * queries, which would make a correlated subquery compare a column with itself.
 */
export function qualified(column: Column) {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/** Orders version strings the way people read them: 1.2 before 1.10. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** A version label that follows the highest one: 1.0 -> 1.1, 2.9 -> 2.10, v3 -> v4. */
export function suggestNextVersion(versions: readonly string[]): string {
  const highest = [...versions].sort(compareVersions).at(-1);
  if (!highest) return "1.0";
  const match = /^(.*?)(\d+)(\D*)$/.exec(highest);
  if (!match) return `${highest}.1`;
  return `${match[1]}${Number(match[2]) + 1}${match[3]}`;
}

/** Text for a LIKE pattern that matches itself literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A column, or an expression (a status as people read it), that a list searches or sorts by. */
export type ListColumn = Column | SQL;

/**
 * Every word of `q` must appear in one of the columns, case-insensitively and literally
 * (`%`, `_` and `\` match themselves). Undefined when `q` holds no word: no condition.
 */
export function wordsMatch(columns: readonly ListColumn[], q: string | undefined): SQL | undefined {
  const words = searchWords(q);
  if (words.length === 0) return undefined;
  return and(...words.map((word) => or(...columns.map((column) => ilike(column, `%${escapeLike(word)}%`)))));
}

/** One page of a list: filter words, a sort column and direction, a 1-based page. */
export interface ListQuery<S extends string> {
  q?: string;
  sort?: ListSort<S>;
  page?: number;
  pageSize?: number;
}

export interface ListPage<T> {
  rows: T[];
  total: number;
}

/** The page asked for and its size, made whole and bounded: what LIMIT and OFFSET read. */
export function pageWindow(query: { page?: number; pageSize?: number }, { defaultSize = 20, maxSize = 100 }: { defaultSize?: number; maxSize?: number } = {}) {
  const whole = (n: number | undefined, fallback: number) => (n !== undefined && Number.isFinite(n) ? Math.trunc(n) : fallback);
  const pageSize = Math.min(Math.max(1, whole(query.pageSize, defaultSize)), maxSize);
  const page = Math.min(Math.max(1, whole(query.page, 1)), MAX_PAGE);
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}

/** The ORDER BY of a sorted list: the sort's columns in its direction, then the fixed tie-breakers. */
export function sortOrder<S extends string>(sort: ListSort<S>, columns: Readonly<Record<S, readonly ListColumn[]>>, then: readonly SQL[] = []): SQL[] {
  const direction = sort.desc ? desc : asc;
  return [...columns[sort.id].map((column) => direction(column)), ...then];
}

/** The number of rows across all pages, as a column of every row of the page. */
export const totalOverPages = () => sql<number>`count(*) over ()`.mapWith(Number);

export interface ListResult<T> extends ListPage<T> {
  page: number;
  pageSize: number;
  pageCount: number;
}

/** A dynamic select whose rows carry `total` (see totalOverPages). */
type TotalledSelect = PgSelect & { _: { result: { total: number }[] } };
type Row<Q extends TotalledSelect> = Q["_"]["result"][number];

export interface PagedListSpec<Q extends TotalledSelect, S extends string> {
  /**
   * The rows: select (with `total: totalOverPages()`), from and joins, made by `.$dynamic()`;
   * no where, order or limit. Called again, for the total, when the page lies past the end.
   */
  query: () => Q;
  /** What the list holds: the actor's scope and the declared filters. */
  where?: SQL;
  /** Columns the words of `q` are looked for in (see wordsMatch). */
  search?: readonly ListColumn[];
  q?: string;
  /** The requested order, the columns each sort id orders by, and tie-breakers after them. */
  sort?: ListSort<S>;
  sortColumns?: Readonly<Record<S, readonly ListColumn[]>>;
  orderBy?: readonly SQL[];
  page?: number;
  pageSize?: number;
  defaultPageSize?: number;
  maxPageSize?: number;
}

/**
 * One page of any list, its rows and the total across all pages, in one query: the total comes
 * with the rows (`count(*) over ()`). A page past the last one has no row to read it from, so the
 * query runs again for its first row: the pager still needs the total to offer a way back.
 */
export async function pagedList<Q extends TotalledSelect, S extends string = never>(spec: PagedListSpec<Q, S>): Promise<ListResult<Omit<Row<Q>, "total">>> {
  const { page, pageSize, limit, offset } = pageWindow(spec, { defaultSize: spec.defaultPageSize, maxSize: spec.maxPageSize });
  const where = and(spec.where, spec.search ? wordsMatch(spec.search, spec.q) : undefined);
  const order = [...(spec.sort && spec.sortColumns ? sortOrder(spec.sort, spec.sortColumns) : []), ...(spec.orderBy ?? [])];
  // A generic select awaits to its own rows, which TypeScript cannot see through the generic.
  const run = (window: { limit: number; offset: number }) => spec.query().where(where).orderBy(...order).limit(window.limit).offset(window.offset) as unknown as PromiseLike<Row<Q>[]>;
  const found = await run({ limit, offset });
  const total = found.length > 0 || page <= 1 ? (found[0]?.total ?? 0) : ((await run({ limit: 1, offset: 0 }))[0]?.total ?? 0);
  const rows = found.map(({ total: _total, ...row }) => row);
  return { rows, total, page, pageSize, pageCount: pageCountOf(total, pageSize) };
}

export interface VersionSummary<S> {
  id: string;
  version: string;
  status: S;
}

/** Puts each child version under its parent, versions in reading order. */
function groupVersions<T extends { parentId: string }, P extends { id: string }, V>(parents: P[], children: T[], toVersion: (child: T) => V & { version: string }) {
  const byParent = new Map<string, (V & { version: string })[]>();
  for (const child of children) {
    const list = byParent.get(child.parentId) ?? [];
    list.push(toVersion(child));
    byParent.set(child.parentId, list);
  }
  return parents.map((parent) => ({ ...parent, versions: (byParent.get(parent.id) ?? []).sort((a, b) => compareVersions(a.version, b.version)) }));
}

/** Columns the API, plan and client lists of an organization sort by. */
export const VERSIONED_SORTS = ["name", "slug"] as const;
export type VersionedSort = (typeof VERSIONED_SORTS)[number];
export const DEFAULT_VERSIONED_SORT = { id: "name", desc: false } as const satisfies ListSort<VersionedSort>;

/** The URL params of an organization's APIs, Plans and Clients tabs. */
export const versionedListParams = listParamsSchema({ sortable: VERSIONED_SORTS, defaultSort: DEFAULT_VERSIONED_SORT });

type VersionedTable = typeof apis | typeof plans | typeof clients;
export type VersionedParent = { id: string; slug: string; name: string; description: string };
/** An API, plan or client as its organization's list shows it: with its versions and their statuses. */
export type VersionedSummary<S> = VersionedParent & { versions: VersionSummary<S>[] };

/**
 * A page of an organization's APIs, plans or clients (the parents of versions), with the total;
 * each with its versions, loaded for the page's parents and summarized by `summary`.
 */
export async function versionedParentPage<T extends { parentId: string }, S>(
  db: Queryable,
  table: VersionedTable,
  orgId: string,
  query: ListQuery<VersionedSort>,
  versions: { load: (parentIds: string[]) => Promise<T[]>; summary: (version: T) => VersionSummary<S> },
): Promise<ListPage<VersionedSummary<S>>> {
  const { rows, total } = await pagedList({
    query: () => db.select({ id: table.id, slug: table.slug, name: table.name, description: table.description, total: totalOverPages() }).from(table).$dynamic(),
    where: eq(table.orgId, orgId),
    search: [table.name, table.slug, table.description],
    q: query.q,
    sort: query.sort ?? DEFAULT_VERSIONED_SORT,
    sortColumns: { name: [table.name], slug: [table.slug] },
    orderBy: [asc(table.slug)],
    page: query.page,
    pageSize: query.pageSize,
  });
  if (rows.length === 0) return { rows: [], total };
  const children = await versions.load(rows.map((row) => row.id));
  return { rows: groupVersions(rows, children, versions.summary), total };
}
