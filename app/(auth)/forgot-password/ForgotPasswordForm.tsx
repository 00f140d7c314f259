"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { forgotPasswordAction } from "./actions";

export function ForgotPasswordForm() {
  const [state, action, pending] = useActionState(forgotPasswordAction, null);
  return (
    <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4" aria-label="Reset your password">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert kind="success">{state.message}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="username" required maxLength={254} error={state && !state.ok ? state.fields?.email : undefined} />
      <Button type="submit" disabled={pending}>
        Send me a link
      </Button>
      <p className="text-sm text-slate-600">
        Remembered it?{" "}
        <Link href="/login" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
