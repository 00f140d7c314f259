"use server";

import { OIDC_PROVIDER_ID, signIn, signInMethods } from "@/lib/auth/config";
import type { ActionResult } from "@/lib/auth/action";
import { DomainError } from "@/lib/domain/errors";
import { signInAction } from "../actions";
import { safeNext } from "@/lib/auth/next-path";

/** Email and password, unless AUTH_PASSWORD_SIGNIN=false (the credentials provider refuses it too). */
export async function passwordSignInAction(previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  if (!signInMethods().password) return { ok: false, error: new DomainError("password_signin_off").message, code: "password_signin_off" };
  return signInAction(previous, formData);
}

/** Sends the browser to the identity provider; it comes back to /api/auth/callback/oidc. */
export async function ssoSignInAction(formData: FormData): Promise<void> {
  if (!signInMethods().sso) return;
  await signIn(OIDC_PROVIDER_ID, { redirectTo: safeNext(formData.get("next")) });
}
