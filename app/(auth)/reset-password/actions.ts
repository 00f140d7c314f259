"use server";

import { getDb } from "@/db/client";
import { type ActionResult, failure, formDataObject } from "@/lib/auth/action";
import { resetPassword } from "@/lib/domain/password-reset";

export async function resetPasswordAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const input = formDataObject(formData);
  try {
    await resetPassword(await getDb(), { token: input.token, password: input.password });
  } catch (error) {
    return failure(error);
  }
  return { ok: true, message: "Your password was changed, and every session of your account was signed out." };
}
