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
import { formatSort, listParamsSchema, pageCountOf, parseSort, type TableSort, tableParamNames } from "./params";

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
  /** Rows across all pages. */
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
  const pagination = useMemo<PaginationState>(() => ({ pageIndex: params.page - 1, pageSize }), [params.page, pageSize]);

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
  const pageCount = pageCountOf(total, pageSize);

  return (
    <div className="flex flex-col gap-3">
      {(filterLabel || toolbar) && (
        <div className="flex flex-wrap items-end gap-3">
          {filterLabel && <DataTableFilter paramPrefix={paramPrefix} label={filterLabel} placeholder={filterPlaceholder} />}
          {toolbar}
        </div>
      )}
      <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
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
      {pageCount > 1 && (
        <PaginationBar
          label={label}
          page={params.page}
          pageCount={pageCount}
          total={total}
          pageSize={pageSize}
          pending={pending}
          onPrevious={table.getCanPreviousPage() ? () => table.previousPage() : undefined}
          onNext={table.getCanNextPage() ? () => table.nextPage() : undefined}
        />
      )}
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

/** Page controls on their own: for lists that are not one table (sections of tables, say). */
export function DataTablePagination({ paramPrefix = "", label, total, pageSize }: { paramPrefix?: string; label: string; total: number; pageSize: number }) {
  const { params, names, navigate, pending } = useTableUrl(paramPrefix);
  const pageCount = pageCountOf(total, pageSize);
  if (pageCount <= 1) return null;
  const page = Math.min(params.page, pageCount);
  const go = (n: number) => navigate({ [names.page]: n > 1 ? String(n) : undefined });
  return (
    <PaginationBar
      label={label}
      page={page}
      pageCount={pageCount}
      total={total}
      pageSize={pageSize}
      pending={pending}
      onPrevious={page > 1 ? () => go(page - 1) : undefined}
      onNext={page < pageCount ? () => go(page + 1) : undefined}
    />
  );
}

function PaginationBar(props: {
  label: string;
  page: number;
  pageCount: number;
  total: number;
  pageSize: number;
  pending: boolean;
  onPrevious?: () => void;
  onNext?: () => void;
}) {
  const first = (props.page - 1) * props.pageSize + 1;
  const last = Math.min(props.total, props.page * props.pageSize);
  const n = (value: number) => value.toLocaleString("en-US");
  return (
    <nav aria-label={`${props.label} pages`} className="flex items-center justify-between gap-3 text-sm text-slate-600">
      <p aria-live="polite">
        {first <= last ? `${n(first)}–${n(last)} of ${n(props.total)}` : `${n(props.total)} in all`} · Page {n(props.page)} of {n(props.pageCount)}
      </p>
      <div className="flex gap-2">
        <button
          type="button"
          onClick={props.onPrevious}
          disabled={!props.onPrevious || props.pending}
          className="rounded-md bg-white px-3 py-1.5 font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-400"
        >
          Previous page
        </button>
        <button
          type="button"
          onClick={props.onNext}
          disabled={!props.onNext || props.pending}
          className="rounded-md bg-white px-3 py-1.5 font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-400"
        >
          Next page
        </button>
      </div>
    </nav>
  );
}
