import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { TopNav } from "@/components/TopNav";
import { SkipLink } from "@/components/shell/SkipLink";
import { countPendingApprovals } from "@/lib/domain/contracts";
import { countUnreadNotifications } from "@/lib/domain/notifications";
import { type Actor, hasManagementAccess } from "@/lib/domain/permissions";

/** The portal's skip link, top bar (with the actor's unread and approval counts) and main landmark. */
export async function PortalFrame({ actor, children }: { actor: Actor | null; children: ReactNode }) {
  const db = await getDb();
  const unread = actor ? await countUnreadNotifications(db, actor) : 0;
  const approvals = actor && hasManagementAccess(actor) ? await countPendingApprovals(db, actor) : 0;
  return (
    <>
      <SkipLink />
      <TopNav actor={actor} unread={unread} approvals={approvals} />
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 focus:outline-none">
        {children}
      </main>
    </>
  );
}
