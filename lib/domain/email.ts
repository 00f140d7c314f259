import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { EMAIL_KINDS, emailPreferences, outboxMessages, users } from "@/db/schema";
import { type MailConfig, readMailConfig } from "@/lib/config";
import type { NotificationInput } from "./audit";
import { keyVault } from "./key-vault";

/**
 * Email for notifications: called by notify() in the transaction that notifies, it writes one
 * outbox message per recipient who wants this kind of email (Settings → Notifications), when mail
 * is configured (SMTP_URL and MAIL_FROM). A rolled-back change therefore sends nothing, and the
 * outbox worker (lib/outbox/email.ts) delivers what was committed.
 */

export type EmailKind = (typeof EMAIL_KINDS)[number];
/** An email kind the user may turn off, or "account" (password reset), which is always sent. */
export type OutboxEmailType = EmailKind | "account";

/** Which email kind each notification kind is; a kind missing here sends no email. */
const EMAIL_KIND_OF: Record<string, { kind: EmailKind; subject: string }> = {
  approval_requested: { kind: "approval_requests", subject: "A contract request is waiting for your approval" },
  plan_change_requested: { kind: "approval_requests", subject: "A plan change is waiting for your approval" },
  contract_approved: { kind: "decisions", subject: "Your contract was approved" },
  contract_rejected: { kind: "decisions", subject: "Your contract was rejected" },
  plan_change_approved: { kind: "decisions", subject: "Your plan change was approved" },
  plan_change_rejected: { kind: "decisions", subject: "Your plan change was rejected" },
  contract_broken: { kind: "contract_changes", subject: "Your contract was ended by the provider" },
  contract_suspended: { kind: "contract_changes", subject: "Your contract was suspended" },
  contract_resumed: { kind: "contract_changes", subject: "Your contract was resumed" },
  contract_plan_changed: { kind: "contract_changes", subject: "Your contract moved to another plan" },
  contract_end_date_set: { kind: "contract_changes", subject: "Your contract's end date changed" },
  contract_expiring: { kind: "contract_changes", subject: "Your contract ends soon" },
  contract_expired: { kind: "contract_changes", subject: "Your contract has ended" },
  key_grace_ending: { kind: "key_expiry", subject: "A previous API key stops working soon" },
};

/** The email kind of a notification kind, or null when that notification sends no email. */
export function emailKindOf(notificationKind: string): EmailKind | null {
  return EMAIL_KIND_OF[notificationKind]?.kind ?? null;
}

/** Whether this server sends email at all. */
export function isMailConfigured(): boolean {
  return readMailConfig() !== null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A portal address for a notification's link: only same-site paths, anything else is the portal's home. */
export function portalLink(mail: Pick<MailConfig, "portalUrl">, link: string | undefined): string {
  return link && link.startsWith("/") && !link.startsWith("//") && !link.startsWith("/\\") ? `${mail.portalUrl}${link}` : `${mail.portalUrl}/`;
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** One short email: a greeting, the paragraphs, a button-like link, and a footer line; HTML escapes everything. */
export function composeEmail(input: { subject: string; name: string; paragraphs: string[]; action: { label: string; url: string }; footer: string }): EmailContent {
  const text = [`Hello ${input.name},`, ...input.paragraphs, `${input.action.label}: ${input.action.url}`, `-- \n${input.footer}`].join("\n\n") + "\n";
  const p = (content: string) => `<p style="margin:0 0 16px">${content}</p>`;
  const html = [
    `<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#0f172a">`,
    p(`Hello ${escapeHtml(input.name)},`),
    ...input.paragraphs.map((paragraph) => p(escapeHtml(paragraph))),
    p(`<a href="${escapeHtml(input.action.url)}" style="color:#1d4ed8;font-weight:600">${escapeHtml(input.action.label)}</a>`),
    `<p style="margin:24px 0 0;font-size:13px;color:#64748b">${escapeHtml(input.footer)}</p>`,
    `</body></html>`,
  ].join("\n");
  return { subject: input.subject, text, html };
}

/**
 * Writes one email to the outbox in the caller's transaction. `sealBody` keeps the body encrypted
 * at rest (a password reset link is a credential until it is used).
 */
export async function enqueueEmail(
  tx: Queryable,
  input: { to: string; type: OutboxEmailType; content: EmailContent; sealBody?: boolean },
  now?: Date,
): Promise<string> {
  const eventId = randomUUID();
  const { subject, text, html } = input.content;
  const body = input.sealBody ? { sealedBody: keyVault().seal(JSON.stringify({ text, html }), `email:${eventId}`) } : { text, html };
  await tx.insert(outboxMessages).values({ channel: "email", eventId, type: input.type, payload: { to: input.to, subject, ...body }, ...(now && { createdAt: now, nextAttemptAt: now }) });
  return eventId;
}

/** The body of an outbox email, opened when it was sealed. */
export function openEmailBody(message: { eventId: string; payload: Record<string, unknown> }): { text: string; html: string } {
  const { sealedBody, text, html } = message.payload;
  if (typeof sealedBody === "string") return JSON.parse(keyVault().open(sealedBody, `email:${message.eventId}`)) as { text: string; html: string };
  return { text: String(text ?? ""), html: String(html ?? "") };
}

export async function enqueueNotificationEmails(
  tx: Queryable,
  recipientIds: readonly string[],
  notification: NotificationInput,
  mail: MailConfig | null = readMailConfig(),
): Promise<void> {
  const mapping = EMAIL_KIND_OF[notification.kind];
  if (!mail || !mapping || recipientIds.length === 0) return;
  const recipients = await tx
    .select({ email: users.email, name: users.name, disabledKinds: emailPreferences.disabledKinds })
    .from(users)
    .leftJoin(emailPreferences, eq(emailPreferences.userId, users.id))
    .where(and(inArray(users.id, [...recipientIds]), eq(users.disabled, false)));
  for (const recipient of recipients) {
    if (recipient.disabledKinds?.includes(mapping.kind)) continue;
    const content = composeEmail({
      subject: mapping.subject,
      name: recipient.name,
      paragraphs: [notification.text],
      action: { label: "Open it in Portico", url: portalLink(mail, notification.link) },
      footer: `You receive this email because of your notification settings: ${mail.portalUrl}/settings/notifications`,
    });
    await enqueueEmail(tx, { to: recipient.email, type: mapping.kind, content });
  }
}
