"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useOptimistic, useTransition } from "react";

/** The URL param of "Show ended contracts" (`ended=1`): broken, withdrawn and expired contracts stay listed. */
const ENDED_PARAM = "ended";

/** A checkbox that keeps the choice in the URL, so it survives reloads and can be shared. */
export function EndedContractsToggle({ checked }: { checked: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [, startTransition] = useTransition();
  // Ticked at once, while the page with (or without) the ended contracts loads.
  const [shown, setShown] = useOptimistic(checked);
  return (
    <label className="flex items-center gap-2 text-sm text-slate-700">
      <input
        type="checkbox"
        checked={shown}
        onChange={(event) => {
          const next = event.target.checked;
          const query = new URLSearchParams(params);
          if (next) query.set(ENDED_PARAM, "1");
          else query.delete(ENDED_PARAM);
          const search = query.toString();
          startTransition(() => {
            setShown(next);
            router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
          });
        }}
      />
      Show ended contracts
    </label>
  );
}
