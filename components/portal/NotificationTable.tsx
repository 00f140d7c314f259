"use client";

import Link from "next/link";
import { type ReactNode, useActionState } from "react";
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
  /** A request to the recipient that was decided since: shown as such rather than as new. */
  decided?: boolean;
  createdAt: Date;
}

const col = dataTableColumns<NotificationRow>();

/** What a screen reader hears before the sentence; the badge says it to the eye. */
function stateOf(row: NotificationRow): { badge: ReactNode; spoken: string } | null {
  if (row.decided) return { badge: <Badge tone="gray">Decided</Badge>, spoken: "Decided: " };
  if (!row.read) return { badge: <Badge tone="amber">New</Badge>, spoken: "Unread: " };
  return null;
}

function NotificationText({ row }: { row: NotificationRow }) {
  const state = stateOf(row);
  const sentence = (
    <>
      {state && <span className="sr-only">{state.spoken}</span>}
      {row.text}
    </>
  );
  const weight = row.read ? "" : "font-semibold";
  return (
    <div className="flex items-start gap-2">
      {state && <span aria-hidden="true">{state.badge}</span>}
      {row.link ? (
        <Link href={row.link} className={`min-w-0 break-words text-brand-700 underline-offset-2 hover:underline ${weight}`}>
          {sentence}
        </Link>
      ) : (
        <span className={`min-w-0 break-words ${weight}`}>{sentence}</span>
      )}
    </div>
  );
}

const columns = col.columns([
  col.accessor("text", { id: "text", header: "Notification", enableSorting: false, cell: ({ row }) => <NotificationText row={row.original} /> }),
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
