import Link from "next/link";
import { ActionButton } from "@/components/manage/ActionButton";
import type { FormAction } from "@/components/manage/ActionForm";
import { formatDateTime } from "@/components/manage/format";
import { Badge } from "@/components/ui/Badge";
import type { WebhookDelivery } from "@/lib/domain/webhooks";

const STATUS_LABELS: Record<WebhookDelivery["status"], string> = { pending: "Pending", sent: "Delivered", failed: "Failed" };
const STATUS_TONES = { pending: "amber", sent: "green", failed: "red" } as const;

/** The delivery log of one endpoint: event, time, attempts, last status code or error, status, and Redeliver. */
export function WebhookDeliveriesTable({
  endpointId,
  deliveries,
  page,
  pageCount,
  pageHref,
  redeliver,
}: {
  endpointId: string;
  deliveries: WebhookDelivery[];
  page: number;
  pageCount: number;
  pageHref: (page: number) => string;
  redeliver: FormAction;
}) {
  if (deliveries.length === 0) return <p className="text-sm text-slate-600">No deliveries yet: events appear here as they happen.</p>;
  return (
    <div className="flex flex-col gap-3">
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" aria-label="Deliveries">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="py-2 pr-3">Event</th>
              <th scope="col" className="py-2 pr-3">Time</th>
              <th scope="col" className="py-2 pr-3">Attempts</th>
              <th scope="col" className="py-2 pr-3">Last answer</th>
              <th scope="col" className="py-2 pr-3">Status</th>
              <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} className="border-b border-slate-100 align-top">
                <td className="py-2 pr-3">
                  <span className="font-mono text-xs">{d.type}</span>
                  <div className="font-mono text-xs text-slate-500" title="webhook-id">{d.eventId}</div>
                </td>
                <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(d.createdAt)}</td>
                <td className="py-2 pr-3">{d.attempts}</td>
                <td className="py-2 pr-3">
                  {d.lastStatusCode !== null && <span className="font-mono">{d.lastStatusCode}</span>}
                  {d.lastError && <div className="text-xs text-red-700">{d.lastError}</div>}
                  {d.lastStatusCode === null && !d.lastError && <span className="text-slate-400">—</span>}
                </td>
                <td className="py-2 pr-3">
                  <Badge tone={STATUS_TONES[d.status]}>{STATUS_LABELS[d.status]}</Badge>
                  {d.status === "pending" && d.attempts > 0 && <div className="text-xs text-slate-500">Next try {formatDateTime(d.nextAttemptAt)}</div>}
                </td>
                <td className="py-2">
                  <ActionButton action={redeliver} fields={{ endpointId, deliveryId: d.id }} label="Redeliver" variant="secondary" buttonLabel={`Redeliver ${d.type} of ${formatDateTime(d.createdAt)}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pageCount > 1 && (
        <nav aria-label="Delivery pages" className="flex gap-3 text-sm">
          {page > 1 && <Link href={pageHref(page - 1)}>Newer</Link>}
          <span className="text-slate-500">Page {page} of {pageCount}</span>
          {page < pageCount && <Link href={pageHref(page + 1)}>Older</Link>}
        </nav>
      )}
    </div>
  );
}
