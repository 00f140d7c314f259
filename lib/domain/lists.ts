import { and, asc, type Column, desc, eq, getTableName, ilike, or, type SQL, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import type { apis, clients, plans } from "@/db/schema";
import { isCappedTotal, listParamsSchema, type ListSort, MAX_PAGE, pageCountOf, pageFromStart, TOTAL_CAP } from "./list-params";
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

/** One page of a list: filter words, a sort column and direction, a page (1-based; negative counts from the end). */
export interface ListQuery<S extends string> {
  q?: string;
  sort?: ListSort<S>;
  page?: number;
  pageSize?: number;
}

export interface ListPage<T> {
  rows: T[];
  /** Rows across all pages, counted up to TOTAL_CAP; TOTAL_CAP + 1 means more than TOTAL_CAP (see isCappedTotal). */
  total: number;
}

/**
 * The page asked for and its size, made whole and bounded: what LIMIT and OFFSET read. A negative
 * page counts from the end, and its offset is taken from the end, in the reversed order.
 */
export function pageWindow(query: { page?: number; pageSize?: number }, { defaultSize = 20, maxSize = 100 }: { defaultSize?: number; maxSize?: number } = {}) {
  const whole = (n: number | undefined, fallback: number) => (n !== undefined && Number.isFinite(n) ? Math.trunc(n) : fallback);
  const pageSize = Math.min(Math.max(1, whole(query.pageSize, defaultSize)), maxSize);
  const asked = whole(query.page, 1);
  const page = asked === 0 ? 1 : Math.sign(asked) * Math.min(Math.abs(asked), MAX_PAGE);
  return { page, pageSize, limit: pageSize, offset: (Math.abs(page) - 1) * pageSize };
}

/** One term of an ORDER BY: a column or expression and its direction. */
export interface OrderTerm {
  column: ListColumn;
  desc: boolean;
}

export const ascending = (column: ListColumn): OrderTerm => ({ column, desc: false });
export const descending = (column: ListColumn): OrderTerm => ({ column, desc: true });

/** The terms as an ORDER BY, or its exact reverse (PostgreSQL's null placement mirrors with the direction). */
export function orderBySql(terms: readonly OrderTerm[], reversed = false): SQL[] {
  return terms.map((term) => (term.desc !== reversed ? desc(term.column) : asc(term.column)));
}

/** The order of a sorted list: the sort's columns in its direction, then the fixed tie-breakers. */
export function sortTerms<S extends string>(sort: ListSort<S>, columns: Readonly<Record<S, readonly ListColumn[]>>, then: readonly OrderTerm[] = []): OrderTerm[] {
  return [...columns[sort.id].map((column) => ({ column, desc: sort.desc })), ...then];
}

/** The ORDER BY of a sorted list: the sort's columns in its direction, then the fixed tie-breakers. */
export function sortOrder<S extends string>(sort: ListSort<S>, columns: Readonly<Record<S, readonly ListColumn[]>>, then: readonly OrderTerm[] = []): SQL[] {
  return orderBySql(sortTerms(sort, columns, then));
}

/**
 * How many rows `rows` (a select with its where, no order or limit) has, counted up to `cap` and
 * no further: `cap + 1` means more. Reads at most cap + 1 rows, whatever stands behind them.
 */
export async function countUpTo(db: Queryable, rows: PgSelect, cap = TOTAL_CAP): Promise<number> {
  const [counted] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(rows.limit(cap + 1).as("counted"));
  return counted?.n ?? 0;
}

export interface ListResult<T> extends ListPage<T> {
  /** The page shown: from the start when the total is exact, else as asked (negative: from the end). */
  page: number;
  pageSize: number;
  /** Pages across the total; with a capped total, the pages the cap holds. */
  pageCount: number;
}

type Row<Q extends PgSelect> = Q["_"]["result"][number];

export interface PagedListSpec<Q extends PgSelect, S extends string> {
  db: Queryable;
  /** The rows: select, from and joins, made by `.$dynamic()`; no where, order or limit. */
  query: () => Q;
  /**
   * The same rows with fewer joins, for counting them: only the tables `where` reads (and the
   * search, when there are words). The rows' query when absent.
   */
  countQuery?: () => PgSelect;
  /** What the list holds: the actor's scope and the declared filters. */
  where?: SQL;
  /** Columns the words of `q` are looked for in (see wordsMatch). */
  search?: readonly ListColumn[];
  q?: string;
  /** The requested order, the columns each sort id orders by, and tie-breakers after them. */
  sort?: ListSort<S>;
  sortColumns?: Readonly<Record<S, readonly ListColumn[]>>;
  orderBy?: readonly OrderTerm[];
  /** 1-based; negative counts from the end (-1: the last page). */
  page?: number;
  pageSize?: number;
  defaultPageSize?: number;
  maxPageSize?: number;
  /** Rows are counted up to this many (TOTAL_CAP by default). */
  totalCap?: number;
  /**
   * Reads a page itself, in place of the rows' query with the order, LIMIT and OFFSET: for an
   * order that no index on the list's own table serves. Given the total counted, it answers the
   * page's rows in the order (or in the reversed order when `reversed`), or undefined to leave the
   * page to the rows' query.
   */
  read?: (page: PageRead) => PromiseLike<Row<Q>[]> | undefined;
}

/** The window of a page that PagedListSpec.read reads: its filter and where it starts in the order. */
export interface PageRead {
  where: SQL | undefined;
  /** The order read from the end: rows come in the reversed order. */
  reversed: boolean;
  offset: number;
  limit: number;
  /** The rows counted (see countUpTo). */
  total: number;
  /** Whether there are more rows than counted: the total stands for "more than the cap". */
  capped: boolean;
}

/**
 * One page of any list and its total. The total is counted up to the cap (see countUpTo), so it
 * never reads every row of a long list; the page is read in the list's order with LIMIT and
 * OFFSET, which an index on that order serves without sorting. A page counted from the end is
 * read in the reversed order, so the last pages cost what the first ones do; with an exact total
 * it is numbered from the start like any other.
 */
export async function pagedList<Q extends PgSelect, S extends string = never>(spec: PagedListSpec<Q, S>): Promise<ListResult<Row<Q>>> {
  const window = pageWindow(spec, { defaultSize: spec.defaultPageSize, maxSize: spec.maxPageSize });
  const { pageSize } = window;
  const cap = spec.totalCap ?? TOTAL_CAP;
  const where = and(spec.where, spec.search ? wordsMatch(spec.search, spec.q) : undefined);
  const terms = [...(spec.sort && spec.sortColumns ? sortTerms(spec.sort, spec.sortColumns) : []), ...(spec.orderBy ?? [])];
  const total = await countUpTo(spec.db, (spec.countQuery ?? spec.query)().where(where), cap);
  // A generic select awaits to its own rows, which TypeScript cannot see through the generic.
  const run = (reversed: boolean, offset: number) =>
    spec.read?.({ where, reversed, offset, limit: pageSize, total, capped: isCappedTotal(total, cap) }) ??
    (spec
      .query()
      .where(where)
      .orderBy(...orderBySql(terms, reversed))
      .limit(pageSize)
      .offset(offset) as unknown as PromiseLike<Row<Q>[]>);
  const fromStart = pageFromStart(window.page, total, pageSize, cap);
  const pageCount = pageCountOf(Math.min(total, cap), pageSize);
  if (fromStart === undefined) {
    const rows = await run(true, window.offset);
    return { rows: [...rows].reverse(), total, page: window.page, pageSize, pageCount };
  }
  const offset = (fromStart - 1) * pageSize;
  // Past an exact total there is nothing to read; past a capped one there may be.
  const rows = offset < total || isCappedTotal(total, cap) ? await run(false, offset) : [];
  return { rows, total, page: fromStart, pageSize, pageCount };
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
    db,
    query: () => db.select({ id: table.id, slug: table.slug, name: table.name, description: table.description }).from(table).$dynamic(),
    where: eq(table.orgId, orgId),
    search: [table.name, table.slug, table.description],
    q: query.q,
    sort: query.sort ?? DEFAULT_VERSIONED_SORT,
    sortColumns: { name: [table.name], slug: [table.slug] },
    orderBy: [ascending(table.slug)],
    page: query.page,
    pageSize: query.pageSize,
  });
  if (rows.length === 0) return { rows: [], total };
  const children = await versions.load(rows.map((row) => row.id));
  return { rows: groupVersions(rows, children, versions.summary), total };
}
