import { PageNotFound } from "@/components/shell/PageNotFound";
import { PortalFrame } from "@/components/shell/PortalFrame";
import { getActor } from "@/lib/auth/actor";

/** An address no route matches: outside the portal's layout, so it brings the frame itself. */
export default async function NotFound() {
  return (
    <PortalFrame actor={await getActor()}>
      <PageNotFound />
    </PortalFrame>
  );
}
