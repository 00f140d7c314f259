import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages, passwordResets } from "@/db/schema";
import { readMailConfig } from "@/lib/config";
import { createEmailSender } from "@/lib/outbox/email";
import { startTestSmtpServer, type TestSmtpServer } from "@/lib/outbox/test-smtp-server";
import { registerSender, runOutboxOnce } from "@/lib/outbox/worker";
import { updateEmailPreferences } from "./email-preferences";
import { checkPasswordResetLink, requestPasswordReset, resetPassword } from "./password-reset";
import type { Actor } from "./permissions";
import { createSession, verifySession } from "./sessions";
import { expectCode, makeUser, openTestDb } from "./test-fixtures";
import { authenticateAccessToken, createAccessToken } from "./tokens";
import { verifyCredentials } from "./users";

let open: OpenDatabase;
let db: Db;
let smtp: TestSmtpServer;
let sender: ReturnType<typeof createEmailSender>;
const PORTAL = "https://portal.example.test";

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  smtp = await startTestSmtpServer();
  Object.assign(process.env, { SMTP_URL: smtp.url, MAIL_FROM: "portico@example.test", PORTAL_URL: PORTAL });
  sender = createEmailSender(readMailConfig()!);
  registerSender("email", sender);
});
afterAll(async () => {
  sender.close();
  await smtp.stop();
  await open.close();
});

/** Asks for a link, lets the outbox send it, and reads the token out of the email. */
async function mailedToken(user: Actor, now = new Date()): Promise<string> {
  await requestPasswordReset(db, { email: ` ${user.email.toUpperCase()} ` }, now);
  await runOutboxOnce(db, now);
  const mails = smtp.to(user.email);
  const link = /https:\/\/portal\.example\.test\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mails.at(-1)?.text ?? "");
  expect(link, "a reset link in the email").not.toBeNull();
  return link![1];
}

describe("password reset", () => {
  it("works once: the new password signs in, every session ends, access tokens stay; the link then fails", async () => {
    const user = await makeUser(db, "portal");
    const { sessionId } = await createSession(db, user.userId);
    const { token: pat } = await createAccessToken(db, user, { name: "CI", expiresInDays: "30", scope: "read" });
    const token = await mailedToken(user);
    const [mail] = smtp.to(user.email);
    expect(mail.subject).toBe("Reset your Portico password");
    expect(mail.html).toContain(`href="${PORTAL}/reset-password?token=${token}"`);

    expect(await checkPasswordResetLink(db, token)).toBe("valid");
    await resetPassword(db, { token, password: "a brand new password" });
    expect(await verifyCredentials(db, user.email, "a brand new password")).toMatchObject({ id: user.userId });
    expect(await verifyCredentials(db, user.email, "correct horse battery")).toBeNull();
    expect(await verifySession(db, sessionId)).toBeNull();
    expect((await authenticateAccessToken(db, pat)).actor.userId).toBe(user.userId);

    expect(await checkPasswordResetLink(db, token)).toBe("used");
    await expectCode(resetPassword(db, { token, password: "another new password" }), "reset_link_used", 410);
    expect(await verifyCredentials(db, user.email, "a brand new password")).not.toBeNull();
  });

  it("keeps only the SHA-256 of the token, and the email body sealed until it is sent", async () => {
    const user = await makeUser(db, "portal");
    await requestPasswordReset(db, { email: user.email });
    const [row] = await db.select().from(outboxMessages).where(eq(outboxMessages.type, "account")).then((rows) => rows.filter((r) => r.payload.to === user.email));
    expect(row.payload.sealedBody).toEqual(expect.any(String));
    expect(JSON.stringify(row.payload)).not.toContain("reset-password?token=");
    await runOutboxOnce(db);
    const token = /token=([A-Za-z0-9_-]+)/.exec(smtp.to(user.email)[0].text ?? "")![1];
    const stored = await db.select({ tokenDigest: passwordResets.tokenDigest }).from(passwordResets).where(eq(passwordResets.userId, user.userId));
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenDigest).not.toContain(token);
    expect(stored[0].tokenDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an expired link says so; a link of another request still works, and using it spends every link of the account", async () => {
    const user = await makeUser(db, "portal");
    const start = new Date(Date.now() - 40 * 60_000);
    const old = await mailedToken(user, start);
    const fresh = await mailedToken(user);
    expect(await checkPasswordResetLink(db, old)).toBe("expired");
    await expectCode(resetPassword(db, { token: old, password: "a brand new password" }), "reset_link_expired", 410);
    const third = await mailedToken(user);
    await resetPassword(db, { token: fresh, password: "a brand new password" });
    await expectCode(resetPassword(db, { token: third, password: "yet another password" }), "reset_link_used", 410);
    // 30 minutes exactly is already too late.
    const other = await makeUser(db, "portal");
    const now = new Date();
    const token = await mailedToken(other, now);
    expect(await checkPasswordResetLink(db, token, new Date(now.getTime() + 30 * 60_000 - 1))).toBe("valid");
    await expectCode(resetPassword(db, { token, password: "a brand new password" }, new Date(now.getTime() + 30 * 60_000)), "reset_link_expired");
  });

  it("an unknown email gets the same answer and no email; a malformed one is refused as such", async () => {
    const before = smtp.messages.length;
    await expect(requestPasswordReset(db, { email: "nobody@example.test" })).resolves.toBeUndefined();
    await runOutboxOnce(db);
    expect(smtp.messages.length).toBe(before);
    await expectCode(requestPasswordReset(db, { email: "not an email" }), "validation_failed", 400);
    await expectCode(requestPasswordReset(db, { email: ["a@example.test"] }), "validation_failed", 400);
  });

  it("is sent even when every optional kind of email is turned off", async () => {
    const user = await makeUser(db, "portal");
    await updateEmailPreferences(db, user, { enabled: [] });
    await mailedToken(user);
    expect(smtp.to(user.email)).toHaveLength(1);
  });

  it("sends an account at most three links an hour; the answer stays the same", async () => {
    const user = await makeUser(db, "portal");
    const now = new Date();
    for (let i = 0; i < 5; i++) await requestPasswordReset(db, { email: user.email }, new Date(now.getTime() + i * 1000));
    await runOutboxOnce(db, new Date(now.getTime() + 10_000));
    expect(smtp.to(user.email)).toHaveLength(3);
    await requestPasswordReset(db, { email: user.email }, new Date(now.getTime() + 61 * 60_000));
    await runOutboxOnce(db, new Date(now.getTime() + 61 * 60_000));
    expect(smtp.to(user.email)).toHaveLength(4);
  });

  it("refuses a made-up token, and a new password that breaks the rules", async () => {
    await expectCode(resetPassword(db, { token: "x".repeat(43), password: "a brand new password" }), "reset_link_invalid", 400);
    await expectCode(resetPassword(db, { token: "../../etc", password: "a brand new password" }), "reset_link_invalid", 400);
    expect(await checkPasswordResetLink(db, undefined)).toBe("invalid");
    const user = await makeUser(db, "portal");
    const token = await mailedToken(user);
    await expectCode(resetPassword(db, { token, password: "short" }), "validation_failed", 400);
    expect(await checkPasswordResetLink(db, token)).toBe("valid");
  });

  it("two submissions of one link at once: one wins", async () => {
    const user = await makeUser(db, "portal");
    const token = await mailedToken(user);
    const results = await Promise.allSettled([resetPassword(db, { token, password: "first new password" }), resetPassword(db, { token, password: "second new password" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "reset_link_used" } });
  });
});
