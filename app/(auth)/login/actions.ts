"use server";

import { OIDC_PROVIDER_ID, signIn, signInMethods } from "@/lib/auth/config";
import type { ActionResult } from "@/lib/auth/action";
import { DomainError } from "@/lib/domain/errors";
import { signInAction } from "../actions";

/** Only same-site paths, so a crafted link cannot send people elsewhere after sign-in. */
function safeNext(value: FormDataEntryValue | null): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/apis";
}

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
