"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { changePasswordAction } from "../actions";

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, null);
  const fields = state && !state.ok ? state.fields : undefined;
  return (
    <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4" aria-label="Change password">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required maxLength={200} error={fields?.currentPassword} />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        maxLength={200}
        hint="At least 10 characters"
        error={fields?.newPassword}
      />
      <div>
        <Button type="submit" disabled={pending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
