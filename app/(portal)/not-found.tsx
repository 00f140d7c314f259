import { PageNotFound } from "@/components/shell/PageNotFound";

/** A portal page that says its subject does not exist (or is hidden): shown inside the portal's layout. */
export default function NotFound() {
  return <PageNotFound />;
}
