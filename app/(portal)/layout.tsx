import { headers } from "next/headers";
import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { TopNav } from "@/components/TopNav";
import { SkipLink } from "@/components/shell/SkipLink";
import { getActor, requireActor } from "@/lib/auth/actor";
import { countPendingApprovals } from "@/lib/domain/contracts";
import { countUnreadNotifications } from "@/lib/domain/notifications";
import { hasManagementAccess } from "@/lib/domain/permissions";
import { CATALOG_PAGE_HEADER } from "@/proxy";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  // Signed-out visitors get in only on the public catalog's pages, which proxy.ts marks.
  const catalogPage = (await headers()).get(CATALOG_PAGE_HEADER) === "1";
  const actor = catalogPage ? await getActor() : await requireActor();
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
