import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { TopNav } from "@/components/TopNav";
import { requireActor } from "@/lib/auth/actor";
import { countPendingApprovals } from "@/lib/domain/contracts";
import { countUnreadNotifications } from "@/lib/domain/notifications";
import { hasManagementAccess } from "@/lib/domain/permissions";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const db = await getDb();
  const unread = await countUnreadNotifications(db, actor);
  const approvals = hasManagementAccess(actor) ? await countPendingApprovals(db, actor) : 0;
  return (
    <>
      <TopNav actor={actor} unread={unread} approvals={approvals} />
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
