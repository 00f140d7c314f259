import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/actor";
import { signInMethods } from "@/lib/auth/config";
import { DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode } from "@/lib/domain/errors";
import { safeNext } from "@/lib/auth/next-path";
import { SignInForm } from "./SignInForm";

export const metadata: Metadata = { title: "Sign in" };

// Refusals of a single sign-on that the sign-in callback names; any other error code is a failure of the exchange itself.
const SSO_REFUSALS = new Set<DomainErrorCode>(["account_disabled", "sso_email_missing", "sso_email_unverified", "sso_identity_conflict", "validation_failed"]);

/** The sentence for the `error` the sign-in redirects here with, if any. */
function signInError(error: string | undefined, code: string | undefined): string | undefined {
  if (!error) return undefined;
  if (error === "CredentialsSignin" && code === "password_signin_off") return new DomainError("password_signin_off").message;
  if ((DOMAIN_ERROR_CODES as string[]).includes(error) && SSO_REFUSALS.has(error as DomainErrorCode)) return new DomainError(error as DomainErrorCode).message;
  if (error === "CredentialsSignin") return "Wrong email or password.";
  return "Single sign-on did not complete. Try again; if it keeps failing, ask your administrator.";
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; error?: string | string[]; code?: string | string[] }> }) {
  const params = await searchParams;
  const next = typeof params.next === "string" ? params.next : undefined;
  if (await getActor()) redirect(safeNext(next));
  const error = typeof params.error === "string" ? params.error : undefined;
  const code = typeof params.code === "string" ? params.code : undefined;
  return (
    <>
      <h1 className="mb-4 text-lg font-semibold">Sign in</h1>
      <SignInForm next={next} methods={signInMethods()} error={signInError(error, code)} />
    </>
  );
}
