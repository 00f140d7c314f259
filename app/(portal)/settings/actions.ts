"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect, unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { actorAction } from "@/lib/auth/action";
import { issueSignInTicket, requestAddress, signIn } from "@/lib/auth/config";
import { cancelSignInAttempt, describeWait, reserveSignInAttempt, signInAttemptSucceeded } from "@/lib/auth/throttle";
import { isDomainError } from "@/lib/domain/errors";
import { ACCESS_TOKEN_SCOPES, SCOPE_MESSAGE } from "@/lib/domain/token-options";
import { createAccessToken, revokeAccessToken } from "@/lib/domain/tokens";
import { changePassword } from "@/lib/domain/users";

const changePasswordSchema = z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) });

export const changePasswordAction = actorAction(changePasswordSchema, async (actor, input) => {
  // A stolen session must not become a stolen account by guessing the current password: same throttle as sign-in.
  const address = requestAddress(await headers());
  const wait = reserveSignInAttempt(actor.email, address);
  if (wait > 0) return { ok: false, error: `Too many failed attempts. Wait ${describeWait(wait)}, then try again.`, code: "throttled" };
  try {
    await changePassword(await getDb(), actor, input);
  } catch (error) {
    if (!isDomainError(error, "wrong_password")) cancelSignInAttempt(actor.email, address);
    throw error;
  }
  signInAttemptSucceeded(actor.email, address);
  // The change ended every session of this user, this one too: this browser gets a fresh session id.
  try {
    await signIn("ticket", { ticket: issueSignInTicket(actor.userId), redirectTo: "/settings/password?changed=1" });
  } catch (error) {
    unstable_rethrow(error); // the redirect, with the new session cookie
  }
  redirect("/login");
});

export const createAccessTokenAction = actorAction(
  z.object({ name: z.string(), expiresInDays: z.string(), expiresOn: z.string().optional(), scope: z.enum(ACCESS_TOKEN_SCOPES, { error: SCOPE_MESSAGE }) }),
  async (actor, { expiresInDays, expiresOn, ...input }) => {
    // "on a date": the token lasts to the end of that day (UTC); the domain checks the date.
    const expiry = expiresInDays === "date" ? { expiresAt: `${expiresOn ?? ""}T23:59:59Z` } : { expiresInDays };
    const { token, accessToken } = await createAccessToken(await getDb(), actor, { ...input, ...expiry });
    revalidatePath("/settings/tokens");
    return { ok: true, message: `Token ${accessToken.name} created.`, data: { token, name: accessToken.name } };
  },
);

export const revokeAccessTokenAction = actorAction(z.object({ tokenId: z.string() }), async (actor, { tokenId }) => {
  await revokeAccessToken(await getDb(), actor, tokenId);
  revalidatePath("/settings/tokens");
  return { ok: true, message: "Token revoked: it no longer works." };
});
