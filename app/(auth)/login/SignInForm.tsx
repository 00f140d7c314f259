"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { withNext } from "@/lib/auth/next-path";
import { passwordSignInAction, ssoSignInAction } from "./actions";

export interface SignInMethods {
  password: boolean;
  sso: { name: string } | null;
}

/** Single sign-on first when it is set up, then email and password unless password sign-in is off. */
export function SignInForm({ next, methods, error }: { next?: string; methods: SignInMethods; error?: string }) {
  const [state, action, pending] = useActionState(passwordSignInAction, null);
  return (
    <div className="flex flex-col gap-4">
      {state && !state.ok ? <Alert>{state.error}</Alert> : error && <Alert>{error}</Alert>}
      {methods.sso && (
        <form action={ssoSignInAction} className="flex flex-col">
          {next && <input type="hidden" name="next" value={next} />}
          <Button type="submit" variant={methods.password ? "secondary" : "primary"}>
            Sign in with {methods.sso.name}
          </Button>
        </form>
      )}
      {methods.sso && methods.password && (
        <p className="flex items-center gap-3 text-xs text-slate-500 before:h-px before:flex-1 before:bg-slate-200 after:h-px after:flex-1 after:bg-slate-200">or</p>
      )}
      {methods.password && (
        <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4">
          <Field label="Email" name="email" type="email" autoComplete="username" required />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required />
          {next && <input type="hidden" name="next" value={next} />}
          <Button type="submit" disabled={pending}>
            Sign in
          </Button>
          <p className="text-sm">
            <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
              Forgot your password?
            </Link>
          </p>
          <p className="text-sm text-slate-600">
            New here?{" "}
            <Link href={withNext("/signup", next)} className="font-medium text-brand-600 hover:underline">
              Create an account
            </Link>
          </p>
        </form>
      )}
      {!methods.password && !methods.sso && <Alert kind="info">Signing in is turned off on this portal.</Alert>}
    </div>
  );
}
