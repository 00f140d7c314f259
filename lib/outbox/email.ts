import nodemailer from "nodemailer";
import type { MailConfig } from "@/lib/config";
import { openEmailBody } from "@/lib/domain/email";
import { type ChannelSender, type DeliveryResult, type OutboxMessage, registerSender } from "./worker";

/**
 * The email channel of the outbox: each message goes to the SMTP server of SMTP_URL, and counts as
 * sent only once that server accepted it. Its Message-ID comes from the message's eventId, so if
 * Portico stops between the server's acceptance and marking the row sent, the one resend is the
 * same message to anyone deduplicating on Message-ID.
 */

/** Email is retried for a day: an SMTP outage delays mail, it does not lose it. */
export const EMAIL_RETRY_FOR_MS = 24 * 60 * 60_000;

/** `<eventId@portal-host>`: the same id on every attempt of one message. */
export function messageIdOf(eventId: string, portalUrl: string): string {
  let host = "portico.invalid";
  try {
    host = new URL(portalUrl).hostname || host;
  } catch {}
  return `<${eventId}@${host}>`;
}

/** Why a delivery failed, for the outbox row: the SMTP server's answer or the network error, never the URL and its password. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return "delivery failed";
  const smtp = error as Error & { code?: string; responseCode?: number; response?: string };
  const answer = smtp.response ? `${smtp.responseCode ?? ""} ${smtp.response}`.trim() : smtp.message;
  return [smtp.code, answer].filter(Boolean).join(": ").slice(0, 500);
}

export function createEmailSender(mail: MailConfig): ChannelSender & { close(): void } {
  const url = new URL(mail.smtpUrl);
  const secure = url.protocol === "smtps:";
  const transport = nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port) || (secure ? 465 : 587),
    // smtps: TLS from the first byte; smtp: STARTTLS whenever the server offers it.
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // Every wait stays well under the outbox lease (60 s), so no other run takes a message still being sent.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    retryForMs: EMAIL_RETRY_FOR_MS,
    async send(_db, message: OutboxMessage): Promise<DeliveryResult> {
      const { to, subject } = message.payload;
      if (typeof to !== "string" || typeof subject !== "string") return { ok: false, error: "the message has no recipient or subject" };
      let body: { text: string; html: string };
      try {
        body = openEmailBody(message);
      } catch {
        return { ok: false, error: "the message body cannot be opened with this server's key secret" };
      }
      try {
        await transport.sendMail({
          from: mail.mailFrom,
          to,
          subject,
          text: body.text,
          html: body.html,
          messageId: messageIdOf(message.eventId, mail.portalUrl),
          headers: { "Auto-Submitted": "auto-generated", "X-Portico-Kind": message.type },
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: describeFailure(error) };
      }
    },
    close: () => transport.close(),
  };
}

/** Installs the email sender in the outbox worker (scripts/start.ts, when mail is configured); answers how to close its transport. */
export function registerEmailSender(mail: MailConfig): () => void {
  const sender = createEmailSender(mail);
  registerSender("email", sender);
  return sender.close;
}
