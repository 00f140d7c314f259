"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";

/** Copies text to the clipboard; `getText` may fetch it first (a key that is not revealed yet). */
export function CopyButton({ text, getText, label = "Copy", className }: { text?: string; getText?: () => Promise<string | null>; label?: string; className?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        type="button"
        variant="secondary"
        className={className}
        onClick={async () => {
          try {
            const value = text ?? (await getText?.());
            if (!value) throw new Error("nothing to copy");
            await navigator.clipboard.writeText(value);
            setState("copied");
          } catch {
            setState("failed");
          }
        }}
      >
        {label}
      </Button>
      <span role="status" className="text-xs text-slate-600">
        {state === "copied" ? "Copied" : state === "failed" ? "Could not copy" : ""}
      </span>
    </span>
  );
}
