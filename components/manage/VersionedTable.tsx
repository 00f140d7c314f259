"use client";

import Link from "next/link";
import { useMemo } from "react";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { StatusBadge } from "@/components/StatusBadge";

export interface VersionedRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  versions: { id: string; version: string; status: string }[];
}

const col = dataTableColumns<VersionedRow>();

/** An organization's APIs, plans or clients, each with links to its versions and their statuses. */
export function VersionedTable({
  label,
  basePath,
  rows,
  total,
  pageSize,
  defaultSort,
  emptyMessage,
}: {
  label: string;
  /** `/manage/{org}/apis`: a version's page is `{basePath}/{slug}/{version}`. */
  basePath: string;
  rows: VersionedRow[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
  emptyMessage: string;
}) {
  const columns = useMemo(() => {
    const href = (row: VersionedRow, version: string) => `${basePath}/${row.slug}/${encodeURIComponent(version)}`;
    return col.columns([
      col.accessor("name", {
        id: "name",
        header: "Name",
        cell: (info) => {
          const row = info.row.original;
          const latest = row.versions.at(-1);
          return latest ? (
            <Link href={href(row, latest.version)} className="font-medium text-brand-700 hover:underline">
              {row.name}
            </Link>
          ) : (
            <span className="font-medium">{row.name}</span>
          );
        },
      }),
      col.accessor("slug", { id: "slug", header: "Identifier", cell: (info) => <span className="font-mono text-xs">{info.getValue()}</span> }),
      col.display({
        id: "versions",
        header: "Versions",
        cell: (info) => {
          const row = info.row.original;
          return (
            <ul className="flex flex-col gap-1">
              {row.versions.map((v) => (
                <li key={v.id} className="flex items-center gap-2">
                  <Link href={href(row, v.version)} className="text-brand-700 hover:underline" aria-label={`${row.name} ${v.version}`}>
                    {v.version}
                  </Link>
                  <StatusBadge status={v.status} />
                </li>
              ))}
            </ul>
          );
        },
      }),
      col.accessor("description", { id: "description", header: "Description", enableSorting: false, cell: (info) => <span className="text-slate-600">{info.getValue()}</span> }),
    ]);
  }, [basePath]);
  return (
    <DataTable
      columns={columns}
      rows={rows}
      total={total}
      pageSize={pageSize}
      label={label}
      defaultSort={defaultSort}
      getRowId={(row) => row.id}
      filterLabel={`Filter ${label === "APIs" ? label : label.toLowerCase()}`}
      filterPlaceholder="Name, identifier, description…"
      emptyMessage={emptyMessage}
    />
  );
}
