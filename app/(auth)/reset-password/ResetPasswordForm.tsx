"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { resetPasswordAction } from "./actions";

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, null);
  if (state?.ok) {
    return (
      <div className="flex flex-col gap-4">
        <Alert kind="success">{state.message}</Alert>
        <Link href="/login" className="text-sm font-medium text-brand-600 hover:underline">
          Sign in with your new password
        </Link>
      </div>
    );
  }
  const linkSpent = state && !state.ok && state.code?.startsWith("reset_link_");
  return (
    <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4" aria-label="Choose a new password">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {linkSpent ? (
        <Link href="/forgot-password" className="text-sm font-medium text-brand-600 hover:underline">
          Ask for a new link
        </Link>
      ) : (
        <>
          <input type="hidden" name="token" value={token} />
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            maxLength={200}
            hint="At least 10 characters"
            error={state && !state.ok ? state.fields?.password : undefined}
          />
          <Button type="submit" disabled={pending}>
            Set the new password
          </Button>
        </>
      )}
    </form>
  );
}
