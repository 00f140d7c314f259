"use client";

import { useEffect, useMemo, useRef, useState, useTransition, type ReactNode } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import {
  type ColumnDef,
  createColumnHelper,
  functionalUpdate,
  metaHelper,
  type PaginationState,
  type RowData,
  rowPaginationFeature,
  rowSortingFeature,
  type SortingState,
  tableFeatures,
  type Updater,
  useTable,
} from "@tanstack/react-table";
import { formatSort, formatTotal, isCappedTotal, listParamsSchema, pageCountOf, pageFromStart, parseSort, type TableSort, tableParamNames } from "./params";

export interface DataTableColumnMeta {
  /** Classes for the column's header and cells, e.g. "w-32" or "text-right". */
  className?: string;
}

/** The features of every DataTable: server-side sorting and pagination; rows arrive processed. */
export const dataTableFeatures = tableFeatures({
  rowSortingFeature,
  rowPaginationFeature,
  columnMeta: metaHelper<DataTableColumnMeta>(),
});
export type DataTableFeatures = typeof dataTableFeatures;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of columns holds differently typed values
export type DataTableColumn<TData extends RowData> = ColumnDef<DataTableFeatures, TData, any>;

/** A column helper typed for DataTable: `const col = dataTableColumns<Row>(); col.columns([col.accessor(...)])`. */
export function dataTableColumns<TData extends RowData>() {
  return createColumnHelper<DataTableFeatures, TData>();
}

/**
 * Reads and writes one table's URL search params (see ./params.ts). Sorting and paging push a
 * history entry; filter typing replaces it. `pending` is true while the server renders the new page.
 */
export function useTableUrl(prefix = "") {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const names = tableParamNames(prefix);
  const schema = useMemo(() => listParamsSchema({ prefix }), [prefix]);
  const navigate = (updates: Record<string, string | undefined>, mode: "push" | "replace" = "push") => {
    const next = new URLSearchParams(searchParams.toString());
    for (const [name, value] of Object.entries(updates)) {
      if (value === undefined || value === "") next.delete(name);
      else next.set(name, value);
    }
    const query = next.toString();
    startTransition(() => router[mode](query ? `${pathname}?${query}` : pathname, { scroll: false }));
  };
  return { params: schema.parse(searchParams), names, navigate, pending };
}

export interface DataTableProps<TData extends RowData> {
  /** TanStack v9 column definitions (use dataTableColumns<Row>()); keep the array stable (module scope or useMemo). */
  columns: DataTableColumn<TData>[];
  /** The rows of the current page, already filtered, sorted and paged by the server. */
  rows: TData[];
  /** Rows across all pages; past TOTAL_CAP (a capped count) the pager moves from either end. */
  total: number;
  pageSize: number;
  /** Accessible name of the table. */
  label: string;
  /** Prefix of this table's URL params, so two tables can share a page. */
  paramPrefix?: string;
  /** The order the server applies when the URL names none; shown on its column header. */
  defaultSort?: TableSort;
  getRowId?: (row: TData, index: number) => string;
  /** Shows a filter field with this label above the table (the text goes to `{prefix}q`). */
  filterLabel?: string;
  filterPlaceholder?: string;
  /** Controls shown next to the filter. */
  toolbar?: ReactNode;
  /** Shown in the body when there are no rows. */
  emptyMessage?: ReactNode;
}

/**
 * The one table of Portico. A client component over TanStack Table in manual mode: the page
 * reads the same URL params with the list's listParamsSchema, queries one page, and passes rows + total.
 */
export function DataTable<TData extends RowData>({
  columns,
  rows,
  total,
  pageSize,
  label,
  paramPrefix = "",
  defaultSort,
  getRowId,
  filterLabel,
  filterPlaceholder,
  toolbar,
  emptyMessage = "Nothing to show.",
}: DataTableProps<TData>) {
  const { params, names, navigate, pending } = useTableUrl(paramPrefix);
  const sortParam = formatSort(params.sort ?? defaultSort);
  const sorting = useMemo<SortingState>(() => {
    const sort = parseSort(sortParam);
    return sort ? [sort] : [];
  }, [sortParam]);
  // A page counted from the end of a capped list has no index from the start; the pager shows it, not the table.
  const shownPage = pageFromStart(params.page, total, pageSize) ?? 1;
  const pagination = useMemo<PaginationState>(() => ({ pageIndex: shownPage - 1, pageSize }), [shownPage, pageSize]);

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId,
    rowCount: total,
    manualSorting: true,
    manualPagination: true,
    autoResetPageIndex: false,
    enableMultiSort: false,
    // Always some order: a third click flips the direction instead of falling back to the default.
    enableSortingRemoval: false,
    state: { sorting, pagination },
    onSortingChange: (updater: Updater<SortingState>) => {
      const [next] = functionalUpdate(updater, sorting);
      navigate({ [names.sort]: formatSort(next), [names.page]: undefined });
    },
    onPaginationChange: (updater: Updater<PaginationState>) => {
      const next = functionalUpdate(updater, pagination);
      navigate({ [names.page]: next.pageIndex > 0 ? String(next.pageIndex + 1) : undefined });
    },
  });

  const visibleColumns = table.getAllLeafColumns().length;

  return (
    <div className="flex flex-col gap-3">
      {(filterLabel || toolbar) && (
        <div className="flex flex-wrap items-end gap-3">
          {filterLabel && <DataTableFilter paramPrefix={paramPrefix} label={filterLabel} placeholder={filterPlaceholder} />}
          {toolbar}
        </div>
      )}
      {/* Focusable, so a table wider than the screen can be scrolled from the keyboard; the table inside names it. */}
      <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200" tabIndex={0}>
        <table aria-label={label} aria-busy={pending || undefined} className={`min-w-full text-sm ${pending ? "opacity-60" : ""}`}>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const meta = header.column.columnDef.meta;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                      className={`px-3 py-2 font-semibold ${meta?.className ?? ""}`}
                    >
                      {header.isPlaceholder ? null : header.column.getCanSort() ? (
                        <button
                          type="button"
                          onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-900 hover:underline"
                        >
                          <table.FlexRender header={header} />
                          <span aria-hidden="true" className={sorted ? "text-slate-900" : "text-slate-300"}>
                            {sorted === "desc" ? "▼" : "▲"}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.getRowModel().rows.length === 0 ? (
              <tr>
                <td colSpan={visibleColumns} className="px-3 py-6 text-center text-slate-500">
                  {emptyMessage}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="align-top hover:bg-slate-50">
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className={`px-3 py-2 ${cell.column.columnDef.meta?.className ?? ""}`}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager label={label} page={params.page} total={total} pageSize={pageSize} rowCount={rows.length} pending={pending} go={(page) => navigate({ [names.page]: page === 1 ? undefined : String(page) })} />
    </div>
  );
}

/** The filter field of a table, on its own: for pages where one filter drives several tables. */
export function DataTableFilter({ paramPrefix = "", label, placeholder }: { paramPrefix?: string; label: string; placeholder?: string }) {
  const { params, names, navigate } = useTableUrl(paramPrefix);
  const [text, setText] = useState(params.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const apply = (value: string) => {
    clearTimeout(timer.current);
    if (value.trim() !== params.q) navigate({ [names.q]: value.trim() || undefined, [names.page]: undefined }, "replace");
  };

  return (
    <form
      role="search"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        apply(text);
      }}
      className="flex flex-col gap-1"
    >
      <label className="text-sm font-medium text-slate-700">
        {label}
        <input
          type="search"
          value={text}
          placeholder={placeholder}
          maxLength={200}
          onChange={(event) => {
            const value = event.target.value;
            setText(value);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(value), 300);
          }}
          className="mt-1 block w-72 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-normal shadow-sm focus:border-brand-600"
        />
      </label>
    </form>
  );
}

/**
 * Page controls on their own: for lists that are not one table (sections of tables, say).
 * `rowCount`, the rows shown on this page, tells a capped list whether a page follows.
 */
export function DataTablePagination({ paramPrefix = "", label, total, pageSize, rowCount = pageSize }: { paramPrefix?: string; label: string; total: number; pageSize: number; rowCount?: number }) {
  const { params, names, navigate, pending } = useTableUrl(paramPrefix);
  return (
    <Pager
      label={label}
      page={params.page}
      total={total}
      pageSize={pageSize}
      rowCount={rowCount}
      pending={pending}
      showsLastPastEnd
      go={(page) => navigate({ [names.page]: page === 1 ? undefined : String(page) })}
    />
  );
}

/**
 * The pager of a list. With an exact total: "1–20 of 95 · Page 2 of 5" and the pages before and
 * after. Past the cap ("10,000+") page numbers stop at the ends: the first pages count from the
 * start, the last from the end (-1, -2… in the URL), and First page / Last page jump between them.
 */
function Pager(props: {
  label: string;
  page: number;
  total: number;
  pageSize: number;
  rowCount: number;
  pending: boolean;
  /** The list answers a page past the end with its last page (My Clients): number it so. */
  showsLastPastEnd?: boolean;
  go: (page: number) => void;
}) {
  const { page, total, pageSize, rowCount, go } = props;
  const n = (value: number) => value.toLocaleString("en-US");
  if (!isCappedTotal(total)) {
    const pageCount = pageCountOf(total, pageSize);
    if (pageCount <= 1) return null;
    const asked = pageFromStart(page, total, pageSize)!;
    const current = props.showsLastPastEnd ? Math.min(asked, pageCount) : asked;
    const first = (current - 1) * pageSize + 1;
    const last = Math.min(total, current * pageSize);
    return (
      <PaginationBar
        label={props.label}
        position={`${first <= last ? `${n(first)}–${n(last)} of ${n(total)}` : `${n(total)} in all`} · Page ${n(current)} of ${n(pageCount)}`}
        pending={props.pending}
        onPrevious={current > 1 ? () => go(current - 1) : undefined}
        onNext={current < pageCount ? () => go(current + 1) : undefined}
      />
    );
  }
  // A full page may have more after it (before it, counting from the end); a short one is the end.
  const full = rowCount >= pageSize;
  const position =
    page > 0
      ? `${rowCount > 0 ? `${n((page - 1) * pageSize + 1)}–${n((page - 1) * pageSize + rowCount)}` : "Nothing here"} of ${formatTotal(total)} · Page ${n(page)}`
      : `${page === -1 ? "Last page" : `Page ${n(-page)} from the end`} of ${formatTotal(total)}`;
  return (
    <PaginationBar
      label={props.label}
      position={position}
      pending={props.pending}
      ends
      onFirst={page !== 1 ? () => go(1) : undefined}
      onPrevious={page > 1 ? () => go(page - 1) : page < 0 && full ? () => go(page - 1) : undefined}
      onNext={page > 0 && full ? () => go(page + 1) : page < -1 ? () => go(page + 1) : undefined}
      onLast={page !== -1 ? () => go(-1) : undefined}
    />
  );
}

function PaginationBar(props: {
  label: string;
  position: string;
  pending: boolean;
  /** First page and Last page buttons: where pages are not numbered to the end (a capped total). */
  ends?: boolean;
  onFirst?: () => void;
  onPrevious?: () => void;
  onNext?: () => void;
  onLast?: () => void;
}) {
  const button = (name: string, onClick: (() => void) | undefined) => (
    <button
      type="button"
      onClick={onClick}
      disabled={!onClick || props.pending}
      className="rounded-md bg-white px-3 py-1.5 font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-400"
    >
      {name}
    </button>
  );
  return (
    <nav aria-label={`${props.label} pages`} className="flex items-center justify-between gap-3 text-sm text-slate-600">
      <p aria-live="polite">{props.position}</p>
      <div className="flex gap-2">
        {props.ends && button("First page", props.onFirst)}
        {button("Previous page", props.onPrevious)}
        {button("Next page", props.onNext)}
        {props.ends && button("Last page", props.onLast)}
      </div>
    </nav>
  );
}
