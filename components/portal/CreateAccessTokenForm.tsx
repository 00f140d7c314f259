"use client";

import { useActionState, useState } from "react";
import { createAccessTokenAction } from "@/app/(portal)/settings/actions";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { ACCESS_TOKEN_EXPIRY_DAYS } from "@/lib/domain/token-options";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { CopyButton } from "./CopyButton";

const selectClass = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600";

/** The UTC calendar day `days` from today, as a date input reads it. */
function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Create token: the new token is shown here once, with a Copy button. */
export function CreateAccessTokenForm() {
  const [state, action, pending] = useActionState(createAccessTokenAction, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const created = state?.ok ? (state.data as { token: string; name: string } | undefined) : undefined;
  const [expiry, setExpiry] = useState("90");
  return (
    <section aria-labelledby="create-token-heading" className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="create-token-heading" className="text-lg font-semibold">
        Create token
      </h2>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {created && (
        <div role="status" className="flex flex-col gap-2 rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-900">
          <p>
            Token <strong>{created.name}</strong> created. Copy it now: it will not be shown again.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code aria-label="New access token" className="break-all rounded bg-white px-2 py-1 font-mono text-slate-900 ring-1 ring-slate-200">
              {created.token}
            </code>
            <CopyButton text={created.token} />
          </div>
        </div>
      )}
      {/* A new form after each token made (the key changes): the next one starts empty; a refusal keeps what was typed. */}
      <form key={created?.token ?? "first"} action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4 sm:flex-row sm:items-end" aria-label="Create token">
        <div className="sm:flex-1">
          <Field label="Name" name="name" required maxLength={TEXT_LIMITS.name} autoComplete="off" hint="What the token is for, such as CI pipeline" error={fields?.name} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="token-expires" className="text-sm font-medium text-slate-700">
            Expires
          </label>
          <select id="token-expires" name="expiresInDays" value={expiry} onChange={(event) => setExpiry(event.target.value)} className={selectClass}>
            {ACCESS_TOKEN_EXPIRY_DAYS.map((days) => (
              <option key={days} value={days}>
                in {days} days
              </option>
            ))}
            <option value="date">on a date…</option>
          </select>
        </div>
        {expiry === "date" && (
          <div className="flex flex-col gap-1">
            <label htmlFor="token-expires-on" className="text-sm font-medium text-slate-700">
              Expiry date
            </label>
            <input
              id="token-expires-on"
              name="expiresOn"
              type="date"
              required
              min={isoDay(1)}
              max={isoDay(364)}
              aria-describedby={fields?.expiresAt ? "token-expires-on-error" : undefined}
              aria-invalid={fields?.expiresAt ? true : undefined}
              className={selectClass}
            />
            {fields?.expiresAt && (
              <p id="token-expires-on-error" className="text-sm text-red-700">
                {fields.expiresAt}
              </p>
            )}
          </div>
        )}
        <div className="flex flex-col gap-1">
          <label htmlFor="token-scope" className="text-sm font-medium text-slate-700">
            Scope
          </label>
          <select id="token-scope" name="scope" defaultValue="read" className={selectClass}>
            <option value="read">read</option>
            <option value="write">read and write</option>
          </select>
        </div>
        <div>
          <Button type="submit" disabled={pending}>
            Create token
          </Button>
        </div>
      </form>
    </section>
  );
}
