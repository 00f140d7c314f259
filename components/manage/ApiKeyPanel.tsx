"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { ActionForm, SelectField, SubmitButton, type FormAction } from "./ActionForm";
import { DialogButton } from "./DialogButton";
import { formatDateTime } from "./format";
import { sentence } from "./sentence";

const GRACE_OPTIONS = [
  { value: "0", label: "None: the old key stops working now" },
  { value: "3600", label: "1 hour" },
  { value: "86400", label: "1 day" },
  { value: "259200", label: "3 days" },
  { value: "604800", label: "7 days" },
];

type Revealed = { apiKey: string; previousApiKey: string | null };
type RevealAction = (previous: ActionResult<Revealed> | null, formData: FormData) => Promise<ActionResult<Revealed>>;

/**
 * The API key of a client version: masked until revealed, copied without being shown, rotated
 * with a grace period for the old key. The key is fetched from the server only on demand.
 */
export function ApiKeyPanel({
  clientVersionId,
  masked,
  createdAt,
  lastUsedAt,
  previous,
  retired,
  canRotate,
  actions,
}: {
  clientVersionId: string;
  masked: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  previous: { masked: string; expiresAt: Date; lastUsedAt: Date | null } | null;
  retired: boolean;
  canRotate: boolean;
  actions: { reveal: RevealAction; rotate: FormAction };
}) {
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const fetchKey = async (): Promise<Revealed | null> => {
    const form = new FormData();
    form.set("clientVersionId", clientVersionId);
    const result = await actions.reveal(null, form);
    if (!result.ok || !result.data) {
      setError(sentence(result.ok ? "The API key could not be read." : result.error));
      return null;
    }
    setError(null);
    return result.data;
  };

  const reveal = () =>
    startTransition(async () => {
      if (revealed) {
        setRevealed(null);
        return;
      }
      setRevealed(await fetchKey());
    });

  const copy = () =>
    startTransition(async () => {
      const keys = revealed ?? (await fetchKey());
      if (!keys) return;
      try {
        await navigator.clipboard.writeText(keys.apiKey);
        setNotice("The API key was copied.");
      } catch {
        setError("The browser did not allow copying. Reveal the key and copy it by hand.");
      }
    });

  return (
    <div className="flex flex-col gap-4">
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {retired && <Alert kind="info">This client version is retired: its API key no longer works at the gateway.</Alert>}
      <div className="flex flex-col gap-2">
        <span className="text-sm font-medium text-slate-700" id={`${clientVersionId}-key-label`}>
          API key
        </span>
        <div className="flex flex-wrap items-center gap-2">
          <code aria-labelledby={`${clientVersionId}-key-label`} className="rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all" data-testid="api-key">
            {revealed ? revealed.apiKey : masked}
          </code>
          <Button type="button" variant="secondary" onClick={reveal} disabled={pending}>
            {revealed ? "Hide API key" : "Reveal API key"}
          </Button>
          <Button type="button" variant="secondary" onClick={copy} disabled={pending}>
            Copy API key
          </Button>
          {canRotate && !retired && (
            <DialogButton label="Rotate API key" title="Rotate API key">
              {(close) => (
                <ActionForm
                  action={actions.rotate}
                  onSuccess={() => {
                    setRevealed(null);
                    close();
                  }}
                >
                  <input type="hidden" name="clientVersionId" value={clientVersionId} />
                  <p className="text-sm text-slate-700">A new key is issued at once. Programs that use the old key must switch to the new one before the grace period ends.</p>
                  <SelectField label="Grace period for the old key" name="graceSeconds" defaultValue="86400" options={GRACE_OPTIONS} />
                  <div className="flex justify-end">
                    <SubmitButton>Rotate</SubmitButton>
                  </div>
                </ActionForm>
              )}
            </DialogButton>
          )}
        </div>
        <p className="text-xs text-slate-600">
          Issued {formatDateTime(createdAt)} · Last used {lastUsedAt ? formatDateTime(lastUsedAt) : "never"}
        </p>
        <p className="text-xs text-slate-600">
          Send it in the <code>X-API-Key</code> header (or the <code>apikey</code> query parameter) with every call to a private API.
        </p>
      </div>
      {previous && (
        <div className="flex flex-col gap-1 rounded-md bg-amber-50 p-3 text-sm ring-1 ring-amber-200">
          <span className="font-medium">Previous key, still accepted until {formatDateTime(previous.expiresAt)}</span>
          <code className="font-mono text-xs">{revealed?.previousApiKey ?? previous.masked}</code>
          <span className="text-xs text-slate-600">Last used {previous.lastUsedAt ? formatDateTime(previous.lastUsedAt) : "never"}</span>
        </div>
      )}
    </div>
  );
}
