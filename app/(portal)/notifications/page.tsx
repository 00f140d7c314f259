import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { NotificationTable } from "@/components/portal/NotificationTable";
import { requireActor } from "@/lib/auth/actor";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { listNotifications, notificationListParams } from "@/lib/domain/notifications";

export const metadata: Metadata = { title: "Notifications" };

const PAGE_SIZE = 20;

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const actor = await requireActor();
  const { page } = notificationListParams.parse(await searchParams);
  const result = await listNotifications(await getDb(), actor, { page, pageSize: PAGE_SIZE });
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <p className="mt-1 text-slate-600">
          {result.unread === 0 ? "You are all caught up." : `${result.unread} unread.`} Approvals, rejections and contracts ended by providers reach you here.
        </p>
        <p className="mt-1 text-sm text-slate-600">Requests that awaited your approval show as Decided, no longer new, once none awaits you.</p>
      </div>
      <NotificationTable rows={result.rows} total={result.total} pageSize={PAGE_SIZE} unread={result.unread} />
    </div>
  );
}
