import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { TopNav } from "@/components/TopNav";
import { requireActor } from "@/lib/auth/actor";
import { countUnreadNotifications } from "@/lib/domain/notifications";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const unread = await countUnreadNotifications(await getDb(), actor);
  return (
    <>
      <TopNav actor={actor} unread={unread} />
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
