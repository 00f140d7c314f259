"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, type KeyboardEvent } from "react";
import { tabDomIds, type TabDef } from "./tab-state";

/**
 * A tablist whose tabs are links (`?tab=…`), so each tab has its own URL. Arrow keys, Home and
 * End move between tabs as in the WAI-ARIA tabs pattern, with automatic activation.
 */
export function Tabs({ tabs, selected, label, idPrefix = "tabs" }: { tabs: readonly TabDef[]; selected: string; label: string; idPrefix?: string }) {
  const router = useRouter();
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  const href = (id: string) => `?tab=${encodeURIComponent(id)}`;

  const onKeyDown = (event: KeyboardEvent<HTMLAnchorElement>, index: number) => {
    const last = tabs.length - 1;
    const target = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    refs.current[target]?.focus();
    router.replace(href(tabs[target].id), { scroll: false });
  };

  return (
    <div role="tablist" aria-label={label} className="flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((tab, index) => {
        const active = tab.id === selected;
        const ids = tabDomIds(idPrefix, tab.id);
        return (
          <Link
            key={tab.id}
            ref={(el) => {
              refs.current[index] = el;
            }}
            id={ids.tab}
            role="tab"
            href={href(tab.id)}
            scroll={false}
            aria-selected={active}
            aria-controls={active ? ids.panel : undefined}
            tabIndex={active ? 0 : -1}
            onKeyDown={(event) => onKeyDown(event, index)}
            className={`-mb-px rounded-t-md border-b-2 px-4 py-2 text-sm font-medium ${
              active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
            }`}
          >
            {tab.label}
          </Link>
        );
      })}
    </div>
  );
}
