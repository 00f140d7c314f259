"use client";

import { useState } from "react";
import { ActionForm, SubmitButton, TextAreaField, TextField, type FormAction } from "@/components/manage/ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import type { WebhookEventType } from "@/lib/domain/webhooks";
import { WEBHOOK_EVENT_LABELS } from "./event-labels";
import { WebhookSecret } from "./WebhookSecret";

/** Registers an endpoint: URL, description and the events to receive; then shows its secret once. */
export function NewWebhookForm({ action, orgId, eventTypes }: { action: FormAction; orgId: string; eventTypes: readonly WebhookEventType[] }) {
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-4">
      {secret && <WebhookSecret secret={secret} />}
      <ActionForm action={action} label="New webhook endpoint" onSuccess={(result) => setSecret(result.ok ? ((result.data as { secret?: string } | undefined)?.secret ?? null) : null)}>
        <input type="hidden" name="orgId" value={orgId} />
        <TextField label="URL" name="url" type="url" required placeholder="https://example.com/portico-events" hint="HTTPS, reachable from the internet." />
        <TextAreaField label="Description" name="description" rows={2} maxChars={TEXT_LIMITS.description} />
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium text-slate-700">Events</legend>
          <p className="text-xs text-slate-500">Tick none to receive every event.</p>
          <div className="grid gap-1 sm:grid-cols-2">
            {eventTypes.map((type) => (
              <label key={type} className="inline-flex items-start gap-2 text-sm text-slate-700">
                <input type="checkbox" name="events" value={type} className="mt-0.5 h-4 w-4 rounded border-slate-300" />
                <span>
                  <span className="font-mono text-xs">{type}</span> <span className="text-slate-500">{WEBHOOK_EVENT_LABELS[type]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <SubmitButton>Add endpoint</SubmitButton>
        </div>
      </ActionForm>
    </div>
  );
}
