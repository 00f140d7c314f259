"use client";

import { useActionState, useId, useState } from "react";
import { revealApiKeyAction, rotateApiKeyAction } from "@/app/(portal)/my-clients/actions";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import type { ApiKeySummary } from "@/lib/domain/clients";
import { ActionMessage } from "./ActionMessage";
import { CopyButton } from "./CopyButton";
import { Dialog } from "./Dialog";
import { formatDateTime } from "./format";

const GRACE_CHOICES = [
  { value: "0", label: "Now: the old key stops working at once" },
  { value: "3600", label: "In 1 hour" },
  { value: "86400", label: "In 1 day" },
  { value: "604800", label: "In 7 days" },
];

type Keys = { apiKey: string; previousApiKey: string | null };

/**
 * A client version's API key: masked until revealed (the key comes from the server only then),
 * copyable, and rotatable with a grace period for the old key. While the old key is in grace,
 * both are shown with the old one's expiry.
 */
export function ApiKeyField({ clientVersionId, apiKey, canRotate }: { clientVersionId: string; apiKey: ApiKeySummary; canRotate: boolean }) {
  const [keys, setKeys] = useState<Keys | null>(null);
  const [error, setError] = useState<string | null>(null);
  const labelId = useId();

  const fetchKeys = async (): Promise<Keys | null> => {
    const form = new FormData();
    form.set("clientVersionId", clientVersionId);
    const result = await revealApiKeyAction(null, form);
    if (!result.ok || !result.data) {
      setError(result.ok ? "The key could not be read." : result.error);
      return null;
    }
    setError(null);
    return result.data;
  };

  return (
    <div role="group" aria-labelledby={labelId} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <span id={labelId} className="text-sm font-medium text-slate-700">
          API key
        </span>
        <code className="rounded bg-slate-100 px-2 py-1 font-mono text-sm break-all" data-testid="api-key">
          {keys?.apiKey ?? apiKey.masked}
        </code>
        {keys ? (
          <Button type="button" variant="secondary" onClick={() => setKeys(null)}>
            Hide API key
          </Button>
        ) : (
          <Button type="button" variant="secondary" onClick={async () => setKeys(await fetchKeys())}>
            Reveal API key
          </Button>
        )}
        <CopyButton label="Copy API key" getText={async () => (keys ?? (await fetchKeys()))?.apiKey ?? null} />
        {canRotate && <RotateApiKey clientVersionId={clientVersionId} onRotated={() => setKeys(null)} />}
      </div>
      {error && <Alert>{error}</Alert>}
      <p className="text-xs text-slate-600">
        Issued {formatDateTime(apiKey.createdAt)} · {apiKey.lastUsedAt ? `last used ${formatDateTime(apiKey.lastUsedAt)}` : "never used"}
      </p>
      {apiKey.previous && (
        <p className="text-xs text-amber-900" data-testid="previous-api-key">
          Previous key <code className="font-mono">{keys?.previousApiKey ?? apiKey.previous.masked}</code> keeps working until {formatDateTime(apiKey.previous.expiresAt)} ·{" "}
          {apiKey.previous.lastUsedAt ? `last used ${formatDateTime(apiKey.previous.lastUsedAt)}` : "never used"}
        </p>
      )}
    </div>
  );
}

function RotateApiKey({ clientVersionId, onRotated }: { clientVersionId: string; onRotated: () => void }) {
  const [open, setOpen] = useState(false);
  const [state, action, pending] = useActionState(async (previous: Awaited<ReturnType<typeof rotateApiKeyAction>> | null, formData: FormData) => {
    const result = await rotateApiKeyAction(previous, formData);
    if (result.ok) {
      setOpen(false);
      onRotated();
    }
    return result;
  }, null);
  return (
    <>
      <Button type="button" variant="secondary" onClick={() => setOpen(true)}>
        Rotate API key
      </Button>
      {state?.ok && (
        <span role="status" className="text-xs text-green-800">
          {state.message}
        </span>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} title="Rotate API key">
        <form action={action} className="flex flex-col gap-4">
          <ActionMessage result={state && !state.ok ? state : null} labels={{ graceSeconds: "Old key" }} />
          <p className="text-sm text-slate-700">A new key is issued at once. Choose how long the old key keeps working, so you can deploy the new one first.</p>
          <input type="hidden" name="clientVersionId" value={clientVersionId} />
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium text-slate-700">Old key stops working</legend>
            {GRACE_CHOICES.map((choice) => (
              <label key={choice.value} className="flex items-center gap-2 text-sm">
                <input type="radio" name="graceSeconds" value={choice.value} defaultChecked={choice.value === "86400"} />
                {choice.label}
              </label>
            ))}
          </fieldset>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              Rotate
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
