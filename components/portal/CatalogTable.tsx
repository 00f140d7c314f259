"use client";

import Link from "next/link";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import { Badge } from "@/components/ui/Badge";
import type { CatalogEntry } from "@/lib/domain/catalog";
import type { TableSort } from "@/components/data-table/params";

const col = dataTableColumns<CatalogEntry>();

const columns = col.columns([
  col.accessor("name", {
    id: "name",
    header: "API",
    cell: ({ row }) => (
      <Link href={`/apis/${row.original.orgSlug}/${row.original.slug}`} className="font-semibold text-brand-700 hover:underline">
        {row.original.name}
      </Link>
    ),
  }),
  col.accessor("orgName", { id: "organization", header: "Organization" }),
  col.accessor("description", { id: "description", header: "Description", enableSorting: false, meta: { className: "max-w-md text-slate-700" } }),
  col.accessor("isPublic", {
    id: "access",
    header: "Access",
    enableSorting: false,
    cell: ({ getValue }) => (getValue() ? <Badge tone="green">Public</Badge> : <Badge tone="blue">Private</Badge>),
  }),
  col.accessor("tags", {
    id: "tags",
    header: "Tags",
    enableSorting: false,
    cell: ({ getValue }) => <span className="text-xs text-slate-600">{getValue().join(", ")}</span>,
  }),
  col.accessor("version", { id: "version", header: "Version", enableSorting: false }),
]);

export function CatalogTable({ rows, total, pageSize, defaultSort, emptyMessage }: { rows: CatalogEntry[]; total: number; pageSize: number; defaultSort: TableSort; emptyMessage: string }) {
  return (
    <DataTable
      label="APIs"
      columns={columns}
      rows={rows}
      total={total}
      pageSize={pageSize}
      defaultSort={defaultSort}
      getRowId={(row) => row.apiId}
      filterLabel="Search APIs"
      filterPlaceholder="Name, description or tag"
      emptyMessage={emptyMessage}
    />
  );
}
