"use client";

import type { ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { ActionForm, SubmitButton, TextAreaField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { DialogButton } from "./DialogButton";

type Variant = "primary" | "secondary" | "danger" | "ghost";

function Hidden({ fields }: { fields: Record<string, string> }) {
  return Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />);
}

/** One button that runs a server action with fixed fields; the result is shown next to it. */
export function ActionButton({
  action,
  fields,
  label,
  variant = "primary",
  buttonLabel,
  onSuccess,
}: {
  action: FormAction;
  fields: Record<string, string>;
  label: string;
  variant?: Variant;
  buttonLabel?: string;
  /** Takes over the success message, for buttons that disappear when they succeed. */
  onSuccess?: (result: ActionResult) => void;
}) {
  return (
    <ActionForm action={action} className="flex flex-col items-start gap-2" onSuccess={onSuccess} showSuccess={!onSuccess}>
      <Hidden fields={fields} />
      <SubmitButton variant={variant} aria-label={buttonLabel}>
        {label}
      </SubmitButton>
    </ActionForm>
  );
}

/** What a button that asks first is given: the action and its fields, the words, an optional reason field. */
export interface ConfirmActionProps {
  action: FormAction;
  fields: Record<string, string>;
  label: string;
  title: string;
  submitLabel?: string;
  variant?: Variant;
  buttonLabel?: string;
  reason?: { label?: string; hint?: string };
  children?: ReactNode;
  onSuccess?: (result: ActionResult) => void;
}

/**
 * A button that asks first: it opens a dialog that explains the consequence and, with `reason`,
 * asks for a reason (required), then runs the action.
 */
export function ConfirmActionButton({
  action,
  fields,
  label,
  title,
  submitLabel = label,
  variant = "danger",
  buttonLabel,
  reason,
  children,
  onSuccess,
}: ConfirmActionProps) {
  return (
    <DialogButton label={label} title={title} variant={variant === "danger" ? "secondary" : variant} buttonLabel={buttonLabel}>
      {(close) => (
        <ConfirmForm {...{ action, fields, submitLabel, variant, reason, onSuccess }} close={close}>
          {children}
        </ConfirmForm>
      )}
    </DialogButton>
  );
}

/** The form of a button that asks first, in whichever dialog shows it; `close` closes that dialog once the action succeeds. */
export function ConfirmForm({
  action,
  fields,
  submitLabel,
  variant,
  reason,
  children,
  onSuccess,
  close,
}: Pick<ConfirmActionProps, "action" | "fields" | "variant" | "reason" | "children" | "onSuccess"> & { submitLabel: string; close: () => void }) {
  return (
    <ActionForm
      action={action}
      onSuccess={(result) => {
        close();
        onSuccess?.(result);
      }}
    >
      <Hidden fields={fields} />
      {children && <div className="text-sm text-slate-700">{children}</div>}
      {reason && <TextAreaField label={reason.label ?? "Reason"} name="reason" required maxChars={TEXT_LIMITS.reason} rows={3} hint={reason.hint} />}
      <div className="flex justify-end gap-2">
        <SubmitButton variant={variant}>{submitLabel}</SubmitButton>
      </div>
    </ActionForm>
  );
}
