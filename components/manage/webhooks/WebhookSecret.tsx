"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";

/** A signing secret, shown once: Portico keeps it sealed and never shows it again. */
export function WebhookSecret({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium text-amber-900">Copy this signing secret now: it will not be shown again.</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="webhook-secret" className="break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200">
          {secret}
        </code>
        <Button
          type="button"
          variant="secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="text-xs text-amber-900">Verify each delivery&apos;s webhook-signature with it (Standard Webhooks).</p>
    </div>
  );
}
