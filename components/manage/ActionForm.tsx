"use client";

import { createContext, useActionState, useContext, useEffect, useId, useRef, useState, type FormEvent, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { textProblem, tooLongMessage } from "@/lib/domain/text";
import { sentence } from "./sentence";

export type FormAction = (previous: ActionResult | null, formData: FormData) => Promise<ActionResult>;

interface FormState {
  pending: boolean;
  fields?: Record<string, string>;
}

const FormContext = createContext<FormState>({ pending: false });

/**
 * A form bound to a server action: the failure is shown as a sentence (role="alert"), a success
 * message politely, and field errors next to their fields. Input is kept when the action fails.
 */
export function ActionForm({
  action,
  children,
  className = "flex flex-col gap-3",
  resetOnSuccess = true,
  onSuccess,
  label,
  showSuccess = true,
}: {
  action: FormAction;
  children: ReactNode;
  className?: string;
  resetOnSuccess?: boolean;
  onSuccess?: (result: ActionResult) => void;
  /** Accessible name of the form, when the page has several. */
  label?: string;
  /** False when the caller shows the success message itself (the form may disappear with its row). */
  showSuccess?: boolean;
}) {
  const onSuccessRef = useRef(onSuccess);
  useEffect(() => {
    onSuccessRef.current = onSuccess;
  });
  // Told from inside the action, not from an effect: the refreshed page may already have removed this form.
  const [state, formAction, pending] = useActionState(async (previous: ActionResult | null, formData: FormData) => {
    const result = await action(previous, formData);
    if (result?.ok) onSuccessRef.current?.(result);
    return result;
  }, null);
  const formRef = useRef<HTMLFormElement>(null);
  // Problems found before sending: the text stays in the form and nothing reaches the server.
  const [refused, setRefused] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    if (state?.ok && resetOnSuccess) formRef.current?.reset();
  }, [state, resetOnSuccess]);
  const send = submitKeepingValues(formAction);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const problems = problemsBeforeSending(event.currentTarget);
    setRefused(problems);
    if (!problems) return send(event);
    event.preventDefault();
    event.currentTarget.querySelector<HTMLElement>(`[name="${Object.keys(problems)[0]}"]`)?.focus();
  };
  const fields = refused ?? (state && !state.ok ? state.fields : undefined);
  return (
    <form ref={formRef} aria-label={label} className={className} onSubmit={onSubmit}>
      {!refused && state && !state.ok && <Alert>{sentence(state.error)}</Alert>}
      {!refused && showSuccess && state?.ok && state.message && <Alert kind="success">{state.message}</Alert>}
      <FormContext.Provider value={{ pending, fields }}>{children}</FormContext.Provider>
    </form>
  );
}

/**
 * Field name -> sentence for text the domain would refuse, checked in the browser so that a
 * document too large to send is never sent (the server would only answer "body too large").
 */
function problemsBeforeSending(form: HTMLFormElement): Record<string, string> | null {
  const problems: Record<string, string> = {};
  for (const field of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("[data-max-chars]")) {
    const max = Number(field.dataset.maxChars);
    const problem =
      field.value.length > max
        ? `${tooLongMessage(max)}; this has ${field.value.length.toLocaleString("en-US")}. Nothing was sent.`
        : textProblem(field.value, { multiline: field instanceof HTMLTextAreaElement });
    if (problem && field.name) problems[field.name] ??= problem;
  }
  return Object.keys(problems).length > 0 ? problems : null;
}

export function useFormState(): FormState {
  return useContext(FormContext);
}

export function SubmitButton({
  children,
  variant = "primary",
  name,
  value,
  className,
  "aria-label": ariaLabel,
}: {
  children: ReactNode;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  name?: string;
  value?: string;
  className?: string;
  "aria-label"?: string;
}) {
  const { pending } = useFormState();
  return (
    <Button type="submit" variant={variant} disabled={pending} name={name} value={value} className={className} aria-label={ariaLabel}>
      {children}
    </Button>
  );
}

/** A text input whose error comes from the form's last result. */
export function TextField(props: Parameters<typeof Field>[0] & { name: string }) {
  const { fields } = useFormState();
  return <Field error={fields?.[props.name]} {...props} />;
}

const controlClass =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 aria-invalid:border-red-500";

function FieldShell({ id, label, error, hint, hideLabel, children }: { id: string; label: string; error?: string; hint?: ReactNode; hideLabel?: boolean; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className={hideLabel ? "sr-only" : "text-sm font-medium text-slate-700"}>
        {label}
      </label>
      {children}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * A text area whose error comes from the form's last result. `maxChars` is checked before sending
 * instead of through maxLength, which would cut a pasted document short without a word.
 */
export function TextAreaField({
  label,
  hint,
  name,
  maxChars,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: ReactNode; name: string; maxChars?: number }) {
  const id = useId();
  const error = useFormState().fields?.[name];
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        name={name}
        data-max-chars={maxChars}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={controlClass}
        {...props}
      />
    </FieldShell>
  );
}

export function SelectField({
  label,
  hint,
  name,
  options,
  hideLabel,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; hint?: ReactNode; name: string; options: readonly { value: string; label: string }[]; hideLabel?: boolean }) {
  const id = useId();
  const error = useFormState().fields?.[name];
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} hideLabel={hideLabel}>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} className={controlClass} {...props}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function CheckboxField({ label, name, defaultChecked, hint }: { label: string; name: string; defaultChecked?: boolean; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="inline-flex items-center gap-2 text-sm font-medium text-slate-700">
        <input id={id} type="checkbox" name={name} defaultChecked={defaultChecked} className="h-4 w-4 rounded border-slate-300" />
        {label}
      </label>
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
    </div>
  );
}
