"use client";

import { ActionForm, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";

export function NewClientForm({ action, orgId, orgSlug }: { action: FormAction; orgId: string; orgSlug: string }) {
  return (
    <ActionForm action={action} label="New client">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Client name" name="name" required maxLength={TEXT_LIMITS.name} />
        <TextField label="Client identifier" name="slug" maxLength={64} hint="Made from the name when left empty." />
      </div>
      <TextAreaField label="Description" name="description" rows={2} maxChars={TEXT_LIMITS.description} />
      <div className="max-w-32">
        <TextField label="Version" name="version" defaultValue="1.0" required maxLength={32} />
      </div>
      <div>
        <SubmitButton>Create client</SubmitButton>
      </div>
    </ActionForm>
  );
}
