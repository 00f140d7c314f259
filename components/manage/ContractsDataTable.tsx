"use client";

import type { ReactNode } from "react";
import { DataTable, type DataTableColumn, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { StatusBadge } from "@/components/StatusBadge";
import type { ContractRow } from "@/lib/domain/contracts";
import { formatDateTime } from "./format";

/** A client version as a table cell: its name, then its organization and version. */
export function ClientCell({ name, orgName, version }: { name: string; orgName: string; version: string }) {
  return (
    <div className="flex flex-col">
      <span className="font-medium">{name}</span>
      <span className="text-xs text-slate-600">
        {orgName} · version {version}
      </span>
    </div>
  );
}

const col = dataTableColumns<ContractRow>();

/** The columns both Contracts tabs show after the one naming the other side: plan, status (with a rejection or break reason), created, created by. */
export const contractColumns: DataTableColumn<ContractRow>[] = [
  col.accessor("planName", { id: "plan", header: "Plan", cell: (info) => `${info.getValue()} ${info.row.original.planVersion}` }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: (info) => {
      const row = info.row.original;
      return (
        <div className="flex flex-col gap-1">
          <StatusBadge status={row.status} />
          {row.reason && <span className="text-xs text-slate-600">Reason: {row.reason}</span>}
        </div>
      );
    },
  }),
  col.accessor("createdAt", { id: "created", header: "Created", cell: (info) => <span className="whitespace-nowrap">{formatDateTime(info.getValue())}</span> }),
  col.accessor("createdByName", { id: "createdBy", header: "Created by", cell: (info) => info.getValue() ?? "—" }),
];

/** A Contracts tab's table: filtered, sorted and paged through the URL under the "contracts-" prefix. */
export function ContractsDataTable(props: {
  columns: DataTableColumn<ContractRow>[];
  rows: ContractRow[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
  filterPlaceholder: string;
  toolbar: ReactNode;
}) {
  return (
    <DataTable
      {...props}
      label="Contracts"
      paramPrefix="contracts-"
      getRowId={(row) => row.id}
      filterLabel="Filter contracts"
      emptyMessage="No contracts."
    />
  );
}
