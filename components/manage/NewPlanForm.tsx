"use client";

import { ActionForm, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { SlugFields } from "./SlugFields";

export function NewPlanForm({ action, orgId, orgSlug }: { action: FormAction; orgId: string; orgSlug: string }) {
  return (
    <ActionForm action={action} label="New plan">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <SlugFields nameLabel="Plan name" slugLabel="Plan identifier" />
      <TextAreaField label="Description" name="description" rows={2} maxChars={TEXT_LIMITS.description} />
      <div className="max-w-32">
        <TextField label="Version" name="version" defaultValue="1.0" required maxLength={32} />
      </div>
      <p className="text-xs text-slate-500">Policies (rate limits and quotas) are set on the plan version, before it is locked.</p>
      <div>
        <SubmitButton>Create plan</SubmitButton>
      </div>
    </ActionForm>
  );
}
