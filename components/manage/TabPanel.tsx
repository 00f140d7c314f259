import type { ReactNode } from "react";
import { tabDomIds } from "./tab-state";

/** The panel of the selected tab; only the selected one is rendered, by the server. */
export function TabPanel({ tab, idPrefix = "tabs", children }: { tab: string; idPrefix?: string; children: ReactNode }) {
  const ids = tabDomIds(idPrefix, tab);
  return (
    <div role="tabpanel" id={ids.panel} aria-labelledby={ids.tab} tabIndex={0} className="pt-6 focus-visible:outline-none">
      {children}
    </div>
  );
}
