"use client";

import type { ReactNode } from "react";
import { ActionForm, CheckboxField, SubmitButton, TextField, type FormAction } from "./ActionForm";
import { DialogButton } from "./DialogButton";

/** "New version": a dialog asking for the version label; the new version starts as a copy. */
export function NewVersionButton({
  action,
  fields,
  suggestion,
  copyFrom,
  copies,
  option,
  extra,
}: {
  action: FormAction;
  fields: Record<string, string>;
  suggestion: string;
  /** The version label copied from, for the explanation. */
  copyFrom: string;
  /** What is copied, in words. */
  copies: string;
  /** A checkbox for an optional part of the copy. */
  option?: { name: string; label: string; hint?: string };
  /** More fields, after the version and the option. */
  extra?: ReactNode;
}) {
  return (
    <DialogButton label="New version" title="New version" variant="secondary">
      {() => (
        <ActionForm action={action}>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <p className="text-sm text-slate-700">
            Starts as a copy of version {copyFrom}: {copies}.
          </p>
          <TextField label="Version" name="version" defaultValue={suggestion} required maxLength={32} />
          {option && <CheckboxField label={option.label} name={option.name} hint={option.hint} />}
          {extra}
          <div className="flex justify-end">
            <SubmitButton>Create version</SubmitButton>
          </div>
        </ActionForm>
      )}
    </DialogButton>
  );
}
