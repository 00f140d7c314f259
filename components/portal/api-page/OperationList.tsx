"use client";

import { useId, useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import type { ApiOperation } from "@/lib/domain/catalog";
import { keyLabel, useApiKeyChoice } from "./ApiKeyChoice";
import { TRY_IT_BODY_LIMIT, type TryItResult } from "./try-it-result";

/** Where Try it may run: signed in on a published version; otherwise why not, as a sentence. */
export type TryItAvailability = { tryUrl: string; version: string; isPublic: boolean } | { reason: string };

/** The operations of the version's OpenAPI document, each GET or HEAD one with a Try it form. */
export function OperationList({ operations, tryIt }: { operations: ApiOperation[]; tryIt: TryItAvailability }) {
  return (
    <>
      {"reason" in tryIt && <p className="text-sm text-slate-600">{tryIt.reason}</p>}
      <ul className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
        {operations.map((op) => (
          <OperationRow key={`${op.method} ${op.path}`} operation={op} tryIt={"reason" in tryIt ? null : tryIt} />
        ))}
      </ul>
    </>
  );
}

const READING_METHODS = new Set(["GET", "HEAD"]);
const PATH_PARAM = /\{([^{}/]+)\}/g;

function OperationRow({ operation, tryIt }: { operation: ApiOperation; tryIt: Exclude<TryItAvailability, { reason: string }> | null }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const canSend = READING_METHODS.has(operation.method);
  return (
    <li className="flex flex-col gap-2 px-3 py-2 text-sm">
      <div className="flex flex-wrap items-baseline gap-3">
        <span className="w-16 font-mono font-semibold text-brand-700">{operation.method}</span>
        <code className="break-all">{operation.path}</code>
        {operation.summary && <span className="text-slate-600">{operation.summary}</span>}
        {tryIt && canSend && (
          <Button
            type="button"
            variant="secondary"
            className="ml-auto"
            aria-label={`Try it: ${operation.method} ${operation.path}`}
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
            onClick={() => setOpen(!open)}
          >
            Try it
          </Button>
        )}
        {tryIt && !canSend && <span className="ml-auto text-xs text-slate-600">Try it sends GET requests only</span>}
      </div>
      {tryIt && canSend && open && (
        <div id={panelId}>
          <TryItForm operation={operation} tryIt={tryIt} />
        </div>
      )}
    </li>
  );
}

function TryItForm({ operation, tryIt }: { operation: ApiOperation; tryIt: Exclude<TryItAvailability, { reason: string }> }) {
  const { chosen } = useApiKeyChoice();
  const names = [...new Set([...operation.path.matchAll(PATH_PARAM)].map((m) => m[1]))];
  const [result, setResult] = useState<TryItResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const formId = useId();

  const send = async (form: FormData) => {
    setPending(true);
    setError(null);
    try {
      const params = Object.fromEntries(names.map((name) => [name, String(form.get(`param-${name}`) ?? "")]));
      const query = [...new URLSearchParams(String(form.get("query") ?? "").replace(/^\?/, ""))];
      const response = await fetch(tryIt.tryUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ version: tryIt.version, method: operation.method, path: operation.path, params, query, clientVersionId: chosen?.clientVersionId }),
      });
      const answer = (await response.json().catch(() => null)) as (TryItResult & { error?: string }) | null;
      if (!response.ok || !answer || answer.error) {
        setResult(null);
        setError(answer?.error ?? `Try it failed (HTTP ${response.status}).`);
      } else setResult(answer);
    } catch {
      setError("The portal could not be reached.");
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="flex flex-col gap-3 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
      <form action={send} aria-label={`Try ${operation.method} ${operation.path}`} className="flex flex-col gap-3">
        {names.map((name) => (
          <div key={name} className="flex flex-col gap-1">
            <label htmlFor={`${formId}-${name}`} className="font-medium text-slate-700">
              {name} <span className="font-normal text-slate-600">(path)</span>
            </label>
            <input id={`${formId}-${name}`} name={`param-${name}`} required maxLength={1000} className="max-w-full rounded-md bg-white px-2 py-1 ring-1 ring-slate-300" />
          </div>
        ))}
        <div className="flex flex-col gap-1">
          <label htmlFor={`${formId}-query`} className="font-medium text-slate-700">
            Query
          </label>
          <input
            id={`${formId}-query`}
            name="query"
            placeholder="city=Oslo&days=3"
            aria-describedby={`${formId}-query-hint`}
            maxLength={4000}
            className="max-w-full rounded-md bg-white px-2 py-1 font-mono ring-1 ring-slate-300"
          />
          <p id={`${formId}-query-hint`} className="text-xs text-slate-600">
            Sent through the gateway{" "}
            {tryIt.isPublic ? "without a key (this API is public)." : chosen ? `with the key of ${keyLabel(chosen)}.` : "without a key: you have no client with an active contract for this version."}
          </p>
        </div>
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Sending…" : "Send request"}
          </Button>
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      {result && <TryItResponse result={result} />}
    </div>
  );
}

/** The body as people read it: indented when it is JSON, as sent otherwise. */
function readableBody(result: TryItResult): string {
  const type = result.headers.find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? "";
  if (!result.truncated && /[/+]json\b/i.test(type)) {
    try {
      return JSON.stringify(JSON.parse(result.body), null, 2);
    } catch {
      return result.body;
    }
  }
  return result.body;
}

function TryItResponse({ result }: { result: TryItResult }) {
  const ok = result.status >= 200 && result.status < 300;
  return (
    <section aria-label="Response" className="flex min-w-0 flex-col gap-2" aria-live="polite">
      <p className="font-medium">
        Status{" "}
        <span data-testid="try-it-status" className={ok ? "text-green-800" : "text-red-800"}>
          {result.status} {result.statusText}
        </span>{" "}
        <span className="font-normal text-slate-600">in {result.durationMs} ms</span>
      </p>
      <details open>
        <summary className="cursor-pointer text-slate-700">Response headers ({result.headers.length})</summary>
        <dl className="mt-1 grid grid-cols-[minmax(0,max-content)_minmax(0,1fr)] gap-x-3 font-mono text-xs" data-testid="try-it-headers">
          {result.headers.map(([name, value]) => (
            <div key={name} className="contents">
              <dt className={`break-all ${name.toLowerCase().startsWith("ratelimit") ? "font-semibold text-brand-700" : "text-slate-700"}`}>{name}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
        </dl>
      </details>
      {result.body ? (
        <pre aria-label="Response body" className="max-h-96 max-w-full overflow-auto rounded-md bg-white p-2 text-xs ring-1 ring-slate-200">
          <code>{readableBody(result)}</code>
        </pre>
      ) : (
        <p className="text-slate-600">No body.</p>
      )}
      {result.truncated && <p className="text-xs text-amber-900">Only the first {TRY_IT_BODY_LIMIT / 1000} kB of the body are shown.</p>}
    </section>
  );
}
