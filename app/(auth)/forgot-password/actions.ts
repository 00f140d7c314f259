"use server";

import { headers } from "next/headers";
import { after } from "next/server";
import { getDb } from "@/db/client";
import type { ActionResult } from "@/lib/auth/action";
import { requestAddress, signInMethods } from "@/lib/auth/config";
import { describeWait, reservePasswordResetRequest } from "@/lib/auth/throttle";
import { isMailConfigured } from "@/lib/domain/email";
import { requestPasswordReset } from "@/lib/domain/password-reset";
import { emailSchema } from "@/lib/domain/users";

/** The one answer, whether or not an account has that address. */
const SAME_ANSWER = "If an account exists for that address, we sent a link.";

export async function forgotPasswordAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = emailSchema.safeParse(formData.get("email"));
  if (!parsed.success) return { ok: false, error: "Enter a valid email address.", code: "validation_failed", fields: { email: "Enter a valid email address." } };
  if (!isMailConfigured() || !signInMethods().password) return { ok: false, error: "Passwords cannot be reset by email on this portal.", code: "invalid_state" };
  // Asked before the account is looked up, so it tells nothing either.
  const wait = reservePasswordResetRequest(parsed.data, requestAddress(await headers()));
  if (wait > 0) return { ok: false, error: `Too many requests. Wait ${describeWait(wait)}, then try again.`, code: "throttled" };
  // After the answer is sent: an address with an account takes no longer to answer than one without.
  after(async () => {
    try {
      await requestPasswordReset(await getDb(), { email: parsed.data });
    } catch (error) {
      console.error("[auth] a password reset request failed:", error instanceof Error ? error.name : "unknown error");
    }
  });
  return { ok: true, message: SAME_ANSWER };
}
