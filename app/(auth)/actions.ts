"use server";

import { AuthError } from "next-auth";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { isTooManyAttempts, issueSignInTicket, signIn, signInMethods, signOut } from "@/lib/auth/config";
import { type ActionResult, failure, formDataObject } from "@/lib/auth/action";
import { describeWait } from "@/lib/auth/throttle";
import { DomainError } from "@/lib/domain/errors";
import { signUp } from "@/lib/domain/users";
import { safeNext } from "@/lib/auth/next-path";

const GENERIC = "Wrong email or password.";

const signInSchema = z.object({ email: z.string().max(254), password: z.string().max(200), next: z.string().optional() });

export async function signInAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = signInSchema.safeParse(formDataObject(formData));
  if (!parsed.success || !parsed.data.email || !parsed.data.password) return { ok: false, error: "Enter your email and password." };
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: safeNext(parsed.data.next) });
    return { ok: true };
  } catch (error) {
    if (isTooManyAttempts(error)) {
      return { ok: false, error: `Too many failed attempts. Wait ${describeWait(error.retryAfter)}, then try again.`, code: "throttled" };
    }
    if (error instanceof AuthError) return { ok: false, error: GENERIC, code: "invalid_credentials" };
    throw error; // the redirect after a successful sign-in
  }
}

/** The sentence for an account made but not signed in; the form turns "Sign in" into a link. */
const CREATED_NOT_SIGNED_IN = "Your account was created. Sign in to continue.";

export async function signUpAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  // While AUTH_PASSWORD_SIGNIN=false, accounts come from single sign-on only.
  if (!signInMethods().password) return { ok: false, error: new DomainError("password_signin_off").message, code: "password_signin_off" };
  const input = formDataObject(formData);
  let userId: string;
  try {
    ({ id: userId } = await signUp(await getDb(), { email: String(input.email ?? ""), name: String(input.name ?? ""), password: String(input.password ?? "") }));
  } catch (error) {
    return failure(error);
  }
  try {
    // The account was made a moment ago by this request: a ticket signs it in, not a password guess the throttle would count.
    await signIn("ticket", { ticket: issueSignInTicket(userId), redirectTo: safeNext(input.next) });
  } catch (error) {
    unstable_rethrow(error); // the redirect after a successful sign-in
    console.warn("[auth] sign-in right after sign-up failed");
    return { ok: false, error: CREATED_NOT_SIGNED_IN, code: "account_created" };
  }
  return { ok: true };
}

/** Ends the session on the server too (Auth.js's signOut event deletes its row), then clears the cookie. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
