import { headers } from "next/headers";
import type { ReactNode } from "react";
import { PortalFrame } from "@/components/shell/PortalFrame";
import { getActor, requireActor } from "@/lib/auth/actor";
import { CATALOG_PAGE_HEADER } from "@/proxy";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  // Signed-out visitors get in only on the public catalog's pages, which proxy.ts marks.
  const catalogPage = (await headers()).get(CATALOG_PAGE_HEADER) === "1";
  const actor = catalogPage ? await getActor() : await requireActor();
  return <PortalFrame actor={actor}>{children}</PortalFrame>;
}
