"use client";

import Link from "next/link";
import { useActionState } from "react";
import { markNotificationsReadAction } from "@/app/(portal)/notifications/actions";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { ActionMessage } from "./ActionMessage";
import { formatDateTime } from "./format";

export interface NotificationRow {
  id: string;
  kind: string;
  text: string;
  link: string | null;
  read: boolean;
  createdAt: Date;
}

const col = dataTableColumns<NotificationRow>();

const columns = col.columns([
  col.accessor("text", {
    id: "text",
    header: "Notification",
    enableSorting: false,
    cell: ({ row }) => (
      <div className="flex items-start gap-2">
        {!row.original.read && <Badge tone="amber">New</Badge>}
        {row.original.link ? (
          <Link href={row.original.link} className={`hover:underline ${row.original.read ? "" : "font-semibold"}`}>
            {row.original.text}
          </Link>
        ) : (
          <span className={row.original.read ? "" : "font-semibold"}>{row.original.text}</span>
        )}
      </div>
    ),
  }),
  col.accessor("createdAt", { id: "received", header: "Received", enableSorting: false, cell: ({ getValue }) => formatDateTime(getValue()), meta: { className: "whitespace-nowrap" } }),
  col.display({ id: "actions", header: "Actions", cell: ({ row }) => (row.original.read ? null : <MarkRead id={row.original.id} />) }),
]);

function MarkRead({ id }: { id?: string }) {
  const [state, action, pending] = useActionState(markNotificationsReadAction, null);
  return (
    <form action={action}>
      {id && <input type="hidden" name="id" value={id} />}
      <Button type="submit" variant="secondary" disabled={pending}>
        {id ? "Mark as read" : "Mark all as read"}
      </Button>
      <ActionMessage result={state && !state.ok ? state : null} />
    </form>
  );
}

export function NotificationTable({ rows, total, pageSize, unread }: { rows: NotificationRow[]; total: number; pageSize: number; unread: number }) {
  return (
    <DataTable
      label="Notifications"
      columns={columns}
      rows={rows}
      total={total}
      pageSize={pageSize}
      getRowId={(row) => row.id}
      toolbar={unread > 0 ? <MarkRead /> : undefined}
      emptyMessage="No notifications. Answers to your contract requests will appear here."
    />
  );
}
