"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { StatusBadge } from "@/components/StatusBadge";
import type { ContractTableRow } from "./contract-table-row";
import { formatDateTime } from "./format";

export type { ContractTableRow } from "./contract-table-row";

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

/** When a running contract ends, or when an expired one did. */
function endWords(row: ContractTableRow): string | null {
  if (row.status === "Expired") return `Expired ${formatDateTime(row.endedAt ?? row.endsAt)}`;
  if ((row.status === "Active" || row.status === "Suspended") && row.endsAt) return `Ends ${formatDateTime(row.endsAt)}`;
  return null;
}

/** A link to the contract's own page (its history, terms and plan). */
export function ContractLink({ row }: { row: ContractTableRow }) {
  return (
    <Link
      href={`/contracts/${row.id}`}
      aria-label={`Open the contract of ${row.clientName} ${row.clientVersion} with ${row.apiName} ${row.apiVersion}`}
      className="text-sm font-medium whitespace-nowrap text-brand-700 hover:underline"
    >
      Open
    </Link>
  );
}

const col = dataTableColumns<ContractTableRow>();

/**
 * The columns both Contracts tabs show after the one naming the other side: plan (with a plan
 * change awaiting approval), status (with the reason of a rejection, break or suspension, and the
 * end date), created, created by.
 */
export const contractColumns: DataTableColumn<ContractTableRow>[] = [
  col.accessor("planName", {
    id: "plan",
    header: "Plan",
    cell: (info) => {
      const row = info.row.original;
      return (
        <div className="flex flex-col gap-1">
          <span>
            {row.planName} {row.planVersion}
          </span>
          {row.pendingPlanVersionId && (row.status === "Active" || row.status === "Suspended") && (
            <span className="text-xs text-amber-800">Plan change to {row.pendingPlanLabel ?? "another plan"} awaiting approval</span>
          )}
        </div>
      );
    },
  }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: (info) => {
      const row = info.row.original;
      return (
        <div className="flex flex-col gap-1">
          <StatusBadge status={row.status} />
          {row.reason && <span className="text-xs text-slate-600">Reason: {row.reason}</span>}
          {endWords(row) && <span className="text-xs whitespace-nowrap text-slate-600">{endWords(row)}</span>}
        </div>
      );
    },
  }),
  col.accessor("createdAt", { id: "created", header: "Created", cell: (info) => <span className="whitespace-nowrap">{formatDateTime(info.getValue())}</span> }),
  col.accessor("createdByName", { id: "createdBy", header: "Created by", cell: (info) => info.getValue() ?? "—" }),
];

/** A Contracts tab's table: filtered, sorted and paged through the URL under the "contracts-" prefix. */
export function ContractsDataTable(props: {
  columns: DataTableColumn<ContractTableRow>[];
  rows: ContractTableRow[];
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
