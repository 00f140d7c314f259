"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { signUpAction } from "../actions";
import { withNext } from "@/lib/auth/next-path";

/** The new account is signed in at once and goes on to `next` (a same-site path), the catalog otherwise. */
export function SignUpForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState(signUpAction, null);
  const fields = state && !state.ok ? state.fields : undefined;
  return (
    <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4">
      {state && !state.ok && state.code === "account_created" ? (
        <Alert kind="info">
          Your account was created.{" "}
          <Link href={withNext("/login", next)} className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>{" "}
          to continue.
        </Alert>
      ) : (
        state && !state.ok && <Alert>{state.error}</Alert>
      )}
      <Field label="Name" name="name" autoComplete="name" required error={fields?.name} />
      <Field label="Email" name="email" type="email" autoComplete="username" required error={fields?.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={10} hint="At least 10 characters" error={fields?.password} />
      {next && <input type="hidden" name="next" value={next} />}
      <Button type="submit" disabled={pending}>
        Sign up
      </Button>
      <p className="text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={withNext("/login", next)} className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
