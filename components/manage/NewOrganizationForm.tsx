"use client";

import { ActionForm, SubmitButton, TextAreaField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { SlugFields } from "./SlugFields";

export function NewOrganizationForm({ action }: { action: FormAction }) {
  return (
    <ActionForm action={action} label="New organization">
      <SlugFields nameLabel="Name" slugLabel="Identifier" slugHint="Lowercase letters, digits and dashes; used in URLs and gateway paths." />
      <TextAreaField label="Description" name="description" rows={2} maxChars={TEXT_LIMITS.description} />
      <div>
        <SubmitButton>Create organization</SubmitButton>
      </div>
    </ActionForm>
  );
}
