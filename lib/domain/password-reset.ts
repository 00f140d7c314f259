import { hash, randomBytes } from "node:crypto";
import { and, count, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { passwordResets, users } from "@/db/schema";
import { readMailConfig } from "@/lib/config";
import { audit } from "./audit";
import { composeEmail, enqueueEmail } from "./email";
import { DomainError, parseInput } from "./errors";
import { revokeUserSessions } from "./sessions";
import { emailSchema, hashPassword, passwordSchema } from "./users";

/**
 * Password reset by email. A link holds a random token; only its SHA-256 is kept. It works once,
 * for 30 minutes, and setting a new password with it ends every session of the account. Asking
 * for a link answers the same whether or not the account exists.
 */

export const RESET_LINK_LIFETIME_MS = 30 * 60_000;
/** Links one account may be sent per hour: more requests answer the same and send nothing. */
export const RESETS_PER_ACCOUNT_PER_HOUR = 3;

const digest = (token: string) => hash("sha256", token, "hex");
// 32 random bytes in base64url: 43 characters. Anything else is not one of ours.
const isResetToken = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);

const requestSchema = z.object({ email: emailSchema });

/**
 * Sends a reset link to the account with that email, if there is one, it is enabled, mail is
 * configured and it was not sent too many links this hour. Answers nothing either way: the caller
 * shows one sentence, and the email is sent later by the outbox, so the answer takes as long for
 * an unknown address as for a known one.
 */
export async function requestPasswordReset(db: Db, input: { email?: unknown }, now = new Date()): Promise<void> {
  const { email } = parseInput(requestSchema, input);
  const mail = readMailConfig();
  const token = randomBytes(32).toString("base64url");
  const [user] = await db.select({ id: users.id, name: users.name, email: users.email, disabled: users.disabled }).from(users).where(eq(users.email, email));
  if (!mail || !user || user.disabled) return;
  await db.transaction(async (tx) => {
    const [recent] = await tx
      .select({ n: count() })
      .from(passwordResets)
      .where(and(eq(passwordResets.userId, user.id), gt(passwordResets.createdAt, new Date(now.getTime() - 60 * 60_000))));
    if (recent.n >= RESETS_PER_ACCOUNT_PER_HOUR) return;
    await tx.insert(passwordResets).values({ userId: user.id, tokenDigest: digest(token), createdAt: now, expiresAt: new Date(now.getTime() + RESET_LINK_LIFETIME_MS) });
    const content = composeEmail({
      subject: "Reset your Portico password",
      name: user.name,
      paragraphs: [
        "Someone, probably you, asked to reset the password of your Portico account. The link below works once, for 30 minutes; using it signs you out everywhere.",
        "If you did not ask for it, ignore this email: your password stays as it is.",
      ],
      action: { label: "Choose a new password", url: `${mail.portalUrl}/reset-password?token=${token}` },
      footer: `Sent to ${user.email} by Portico at ${mail.portalUrl}.`,
    });
    await enqueueEmail(tx, { to: user.email, type: "account", content, sealBody: true }, now);
    await audit(tx, null, { orgId: null, action: "user.password_reset_requested", entityType: "user", entityId: user.id });
  });
}

export type ResetLinkState = "valid" | "invalid" | "used" | "expired";

async function findLink(db: Db, token: unknown) {
  if (!isResetToken(token)) return undefined;
  const [link] = await db
    .select({ id: passwordResets.id, userId: passwordResets.userId, expiresAt: passwordResets.expiresAt, usedAt: passwordResets.usedAt, disabled: users.disabled })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenDigest, digest(token)));
  return link && !link.disabled ? link : undefined;
}

function stateOf(link: Awaited<ReturnType<typeof findLink>>, now: Date): ResetLinkState {
  if (!link) return "invalid";
  if (link.usedAt) return "used";
  return link.expiresAt <= now ? "expired" : "valid";
}

const REFUSAL = { invalid: "reset_link_invalid", used: "reset_link_used", expired: "reset_link_expired" } as const;

/** Whether a reset link can still be used, so its page can say so before a password is typed. */
export async function checkPasswordResetLink(db: Db, token: unknown, now = new Date()): Promise<ResetLinkState> {
  return stateOf(await findLink(db, token), now);
}

const resetSchema = z.object({ token: z.string().max(100), password: passwordSchema });

/**
 * Sets a new password with a reset link. The link is spent in the same transaction (two
 * submissions of one link: one wins), every other unused link of the account is spent too, and
 * every session of the account ends. Access tokens and API keys stay as they are.
 */
export async function resetPassword(db: Db, input: { token?: unknown; password?: unknown }, now = new Date()): Promise<{ userId: string }> {
  const data = parseInput(resetSchema, input);
  const link = await findLink(db, data.token);
  const state = stateOf(link, now);
  if (state !== "valid") throw new DomainError(REFUSAL[state]);
  const passwordHash = await hashPassword(data.password);
  await db.transaction(async (tx) => {
    const spent = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.id, link!.id), isNull(passwordResets.usedAt)))
      .returning({ id: passwordResets.id });
    if (spent.length === 0) throw new DomainError("reset_link_used");
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, link!.userId), isNull(passwordResets.usedAt)));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, link!.userId));
    await revokeUserSessions(tx, link!.userId);
    await audit(tx, null, { orgId: null, action: "user.password_reset", entityType: "user", entityId: link!.userId });
  });
  return { userId: link!.userId };
}
