"use client";

import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { ActivityEntry } from "@/lib/domain/activity";
import { describeAction, describeDetails } from "./activity-words";
import { formatDateTime } from "./format";

const col = dataTableColumns<ActivityEntry>();
const columns = col.columns([
  col.accessor("at", { id: "at", header: "When", enableSorting: false, cell: (info) => <span className="whitespace-nowrap">{formatDateTime(info.getValue())}</span> }),
  col.accessor("actorName", {
    id: "who",
    header: "Who",
    enableSorting: false,
    cell: (info) => {
      const row = info.row.original;
      return row.actorName ? <span title={row.actorEmail ?? undefined}>{row.actorName}</span> : <span className="text-slate-500">System</span>;
    },
  }),
  col.accessor("action", { id: "what", header: "What", enableSorting: false, cell: (info) => describeAction(info.getValue(), info.row.original.details) }),
  col.accessor("details", {
    id: "details",
    header: "Details",
    enableSorting: false,
    cell: (info) => {
      const pairs = describeDetails(info.getValue());
      if (pairs.length === 0) return null;
      return (
        <dl className="flex flex-col gap-0.5 text-xs text-slate-600">
          {pairs.map(([label, value]) => (
            <div key={label}>
              <dt className="inline font-medium">{label}: </dt>
              <dd className="inline break-words">{value}</dd>
            </div>
          ))}
        </dl>
      );
    },
  }),
]);

/** Who did what, when: audit events, newest first, a page at a time. */
export function ActivityTable({ rows, total, pageSize }: { rows: ActivityEntry[]; total: number; pageSize: number }) {
  return (
    <DataTable
      columns={columns}
      rows={rows}
      total={total}
      pageSize={pageSize}
      label="Activity"
      paramPrefix="activity-"
      getRowId={(row) => String(row.id)}
      emptyMessage="Nothing has happened here yet."
    />
  );
}
