"use client";

import { ActionForm, CheckboxField, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { SlugFields } from "./SlugFields";

export function NewApiForm({ action, orgId, orgSlug }: { action: FormAction; orgId: string; orgSlug: string }) {
  return (
    <ActionForm action={action} label="New API">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="orgSlug" value={orgSlug} />
      <SlugFields nameLabel="API name" slugLabel="API identifier" slugHint="Part of the gateway path: /{organization}/{api}/{version}/" />
      <TextAreaField label="Description" name="description" rows={2} maxChars={TEXT_LIMITS.description} />
      <div className="grid gap-3 sm:grid-cols-[8rem_1fr]">
        <TextField label="Version" name="version" defaultValue="1.0" required maxLength={32} />
        <TextField label="Endpoint" name="endpoint" type="url" placeholder="https://backend.example.com/v1" hint="The backend URL the gateway forwards to; may be set later." />
      </div>
      <TextField label="Tags" name="tags" hint="Comma-separated, for the catalog." />
      <CheckboxField label="Public" name="isPublic" hint="Public APIs need no API key and no contract; they offer no plans." />
      <div>
        <SubmitButton>Create API</SubmitButton>
      </div>
    </ActionForm>
  );
}
