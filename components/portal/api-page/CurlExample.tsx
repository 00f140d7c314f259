"use client";

import { useId, useState } from "react";
import { revealApiKeyAction } from "@/app/(portal)/my-clients/actions";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { CopyButton } from "@/components/portal/CopyButton";
import { keyLabel, useApiKeyChoice } from "./ApiKeyChoice";

/**
 * The curl example: without a key for a public API, with the reader's chosen key (masked until
 * Reveal asks the server for it) when they have one, with YOUR_API_KEY otherwise.
 */
export function CurlExample({ endpoint, isPublic }: { endpoint: string; isPublic: boolean }) {
  const { keys, chosen, choose } = useApiKeyChoice();
  const [revealed, setRevealed] = useState<{ clientVersionId: string; apiKey: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const selectId = useId();
  // A revealed key belongs to one client version: choosing another shows that one masked.
  const shownKey = revealed && revealed.clientVersionId === chosen?.clientVersionId ? revealed.apiKey : null;

  const curlWith = (key: string) => (isPublic ? `curl ${endpoint}` : `curl -H "X-API-Key: ${key}" ${endpoint}`);
  const curl = curlWith(shownKey ?? chosen?.masked ?? "YOUR_API_KEY");

  const fetchKey = async (): Promise<string | null> => {
    if (!chosen) return null;
    const form = new FormData();
    form.set("clientVersionId", chosen.clientVersionId);
    const result = await revealApiKeyAction(null, form);
    if (!result.ok || !result.data) {
      setError(result.ok ? "The key could not be read." : result.error);
      return null;
    }
    setError(null);
    setRevealed({ clientVersionId: chosen.clientVersionId, apiKey: result.data.apiKey });
    return result.data.apiKey;
  };

  return (
    <div className="flex flex-col gap-3">
      {!isPublic && keys.length > 0 && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <label htmlFor={selectId} className="font-medium text-slate-700">
            Key of
          </label>
          <select
            id={selectId}
            value={chosen?.clientVersionId ?? ""}
            onChange={(event) => {
              choose(event.target.value);
              setError(null);
            }}
            className="max-w-full rounded-md bg-white px-2 py-1 ring-1 ring-slate-300"
          >
            {keys.map((key) => (
              <option key={key.clientVersionId} value={key.clientVersionId}>
                {keyLabel(key)}
              </option>
            ))}
          </select>
          {shownKey ? (
            <Button type="button" variant="secondary" onClick={() => setRevealed(null)}>
              Hide API key
            </Button>
          ) : (
            <Button
              type="button"
              variant="secondary"
              disabled={pending}
              onClick={async () => {
                setPending(true);
                await fetchKey();
                setPending(false);
              }}
            >
              Reveal API key
            </Button>
          )}
        </div>
      )}
      <div className="flex min-w-0 flex-wrap items-start gap-3">
        <pre aria-label="Example request" className="max-w-full min-w-0 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-sm text-slate-100">
          <code data-testid="curl-example">{curl}</code>
        </pre>
        <CopyButton label="Copy curl command" getText={async () => (chosen && !isPublic ? curlWith(shownKey ?? (await fetchKey()) ?? "YOUR_API_KEY") : curl)} />
      </div>
      {error && <Alert>{error}</Alert>}
    </div>
  );
}
