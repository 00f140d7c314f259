"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { getDb } from "@/db/client";
import { signIn, signOut } from "@/lib/auth/config";
import { type ActionResult, failure, formDataObject } from "@/lib/auth/action";
import { signUp } from "@/lib/domain/users";

const GENERIC = "Wrong email or password.";

/** Only same-site paths, so a crafted link cannot send people elsewhere after sign-in. */
function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/apis";
}

const signInSchema = z.object({ email: z.string().max(254), password: z.string().max(200), next: z.string().optional() });

export async function signInAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = signInSchema.safeParse(formDataObject(formData));
  if (!parsed.success || !parsed.data.email || !parsed.data.password) return { ok: false, error: "Enter your email and password." };
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: safeNext(parsed.data.next) });
    return { ok: true };
  } catch (error) {
    if (error instanceof CredentialsSignin && error.code === "throttled") {
      return { ok: false, error: "Too many failed attempts. Wait 15 minutes, then try again.", code: "throttled" };
    }
    if (error instanceof AuthError) return { ok: false, error: GENERIC, code: "invalid_credentials" };
    throw error; // the redirect after a successful sign-in
  }
}

export async function signUpAction(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const input = formDataObject(formData);
  try {
    await signUp(await getDb(), { email: String(input.email ?? ""), name: String(input.name ?? ""), password: String(input.password ?? "") });
  } catch (error) {
    return failure(error);
  }
  await signIn("credentials", { email: String(input.email), password: String(input.password), redirectTo: "/apis" });
  return { ok: true };
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
