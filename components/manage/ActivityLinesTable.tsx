"use client";

import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { ActivityLine } from "@/lib/domain/activity-text";
import { formatDateTime } from "./format";

const col = dataTableColumns<ActivityLine>();
const columns = col.columns([
  col.accessor("at", { id: "at", header: "When", enableSorting: false, cell: (info) => <span className="text-slate-700">{formatDateTime(info.getValue())}</span> }),
  col.accessor("who", {
    id: "who",
    header: "Who",
    enableSorting: false,
    cell: (info) => {
      const row = info.row.original;
      return row.who ? <span title={row.whoEmail ?? undefined}>{row.who}</span> : <span className="text-slate-600">Portico</span>;
    },
  }),
  col.accessor("sentence", {
    id: "what",
    header: "What happened",
    enableSorting: false,
    cell: (info) => {
      const { notes } = info.row.original;
      return (
        <div className="flex min-w-0 flex-col gap-0.5 break-words">
          <span>{info.getValue()}.</span>
          {notes.map((note) => (
            <span key={note} className="text-xs text-slate-600">
              {note}
            </span>
          ))}
        </div>
      );
    },
  }),
]);

/** The rows of an Activity tab, already put in words on the server. */
export function ActivityLinesTable({ rows, total, pageSize }: { rows: ActivityLine[]; total: number; pageSize: number }) {
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
