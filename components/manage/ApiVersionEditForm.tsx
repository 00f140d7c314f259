"use client";

import { ActionForm, CheckboxField, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";

/** Endpoint and visibility until the version is published; docs and the OpenAPI document until it is retired. */
export function ApiVersionEditForm({
  action,
  apiVersionId,
  editsEndpoint,
  endpoint,
  isPublic,
  docs,
  openapi,
}: {
  action: FormAction;
  apiVersionId: string;
  editsEndpoint: boolean;
  endpoint: string | null;
  isPublic: boolean;
  docs: string;
  openapi: string | null;
}) {
  return (
    <ActionForm action={action} resetOnSuccess={false} label="Edit API version">
      <input type="hidden" name="apiVersionId" value={apiVersionId} />
      {editsEndpoint && (
        <>
          <input type="hidden" name="editsEndpoint" value="1" />
          <TextField label="Endpoint" name="endpoint" type="url" defaultValue={endpoint ?? ""} placeholder="https://backend.example.com/v1" hint="The backend URL the gateway forwards to." />
          <CheckboxField label="Public" name="isPublic" defaultChecked={isPublic} hint="Public APIs need no API key and no contract, and offer no plans." />
        </>
      )}
      <TextAreaField label="Documentation" name="docs" defaultValue={docs} maxChars={TEXT_LIMITS.docs} rows={10} hint="Markdown, shown on the API page of the catalog." className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm" />
      <TextAreaField label="OpenAPI document" name="openapi" defaultValue={openapi ?? ""} maxChars={TEXT_LIMITS.openapi} rows={6} hint="Optional, in JSON." className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm" />
      <div>
        <SubmitButton>Save changes</SubmitButton>
      </div>
    </ActionForm>
  );
}
