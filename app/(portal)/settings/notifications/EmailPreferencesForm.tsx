"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import type { EmailPreference } from "@/lib/domain/email-preferences";
import { saveEmailPreferencesAction } from "./actions";

export function EmailPreferencesForm({ preferences }: { preferences: EmailPreference[] }) {
  const [state, action, pending] = useActionState(saveEmailPreferencesAction, null);
  return (
    <form action={action} className="flex flex-col gap-4" aria-label="Email notifications">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert kind="success">{state.message}</Alert>}
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-2 text-sm font-medium text-slate-700">Email me about</legend>
        {preferences.map((preference) => (
          <label key={preference.kind} className="flex items-start gap-3">
            <input type="checkbox" name="enabled" value={preference.kind} defaultChecked={preference.enabled} className="mt-1 size-4 accent-brand-600" />
            <span className="flex flex-col">
              <span className="text-sm font-medium text-slate-900">{preference.label}</span>
              <span className="text-xs text-slate-500">{preference.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div>
        <Button type="submit" disabled={pending}>
          Save
        </Button>
      </div>
    </form>
  );
}
