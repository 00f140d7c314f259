import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages } from "@/db/schema";
import { composeEmail, enqueueEmail } from "@/lib/domain/email";
import { openTestDb } from "@/lib/domain/test-fixtures";
import { createEmailSender, EMAIL_RETRY_FOR_MS, messageIdOf } from "./email";
import { startTestSmtpServer, type TestSmtpServer } from "./test-smtp-server";
import { registerSender, runOutboxOnce, startOutboxWorker } from "./worker";

let open: OpenDatabase;
let db: Db;
let smtp: TestSmtpServer;
let sender: ReturnType<typeof createEmailSender>;
const PORTAL = "https://portal.example.test";

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  smtp = await startTestSmtpServer();
  sender = createEmailSender({ smtpUrl: smtp.url, mailFrom: "Portico <portico@example.test>", portalUrl: PORTAL });
  registerSender("email", sender);
});
afterAll(async () => {
  sender.close();
  await smtp.stop();
  await open.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

let counter = 0;
async function enqueue(options: { sealBody?: boolean } = {}) {
  const to = `person${++counter}@example.test`;
  const content = composeEmail({ subject: `Hello ${counter}`, name: "Ada <Lovelace>", paragraphs: ["A line & another"], action: { label: "Open", url: `${PORTAL}/x?a=1&b=2` }, footer: "Footer" });
  // Written at the test's clock: due at `now`, whatever the database server's clock says.
  const now = new Date();
  const eventId = await enqueueEmail(db, { to, type: "decisions", content, ...options }, now);
  const row = async () => (await db.select().from(outboxMessages).where(eq(outboxMessages.eventId, eventId)))[0];
  return { to, eventId, row, now };
}

describe("the email sender", () => {
  it("sends the text and HTML parts from MAIL_FROM with a Message-ID made from the eventId, then marks the row sent", async () => {
    const { to, eventId, row, now } = await enqueue();
    expect(await runOutboxOnce(db, now)).toEqual({ sent: 1, failed: 0 });
    const [mail] = smtp.to(to);
    expect(mail.subject).toMatch(/^Hello \d+$/);
    expect(mail.messageId).toBe(`<${eventId}@portal.example.test>`);
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.text).toContain("Hello Ada <Lovelace>,");
    expect(mail.text).toContain(`Open: ${PORTAL}/x?a=1&b=2`);
    expect(mail.html).toContain("Hello Ada &lt;Lovelace&gt;,");
    expect(mail.html).toContain(`href="${PORTAL}/x?a=1&amp;b=2"`);
    expect(await row()).toMatchObject({ status: "sent", attempts: 1, sentAt: now, lockedUntil: null });
    expect(EMAIL_RETRY_FOR_MS).toBe(24 * 60 * 60_000);
  });

  it("opens a sealed body to send it", async () => {
    const { to } = await enqueue({ sealBody: true });
    await runOutboxOnce(db);
    expect(smtp.to(to)[0].text).toContain("A line & another");
  });

  it("a message another run holds is left alone until its lease expires: a crash before sending loses nothing", async () => {
    const { to, row, now } = await enqueue();
    await db.update(outboxMessages).set({ lockedUntil: new Date(now.getTime() + 60_000) }).where(eq(outboxMessages.id, (await row()).id));
    expect(await runOutboxOnce(db, now)).toEqual({ sent: 0, failed: 0 });
    expect(await runOutboxOnce(db, new Date(now.getTime() + 60_000))).toEqual({ sent: 1, failed: 0 });
    expect(smtp.to(to)).toHaveLength(1);
  });

  it("a crash between the server's acceptance and marking sent resends it once, with the same Message-ID", async () => {
    const { to, eventId, row, now } = await enqueue();
    expect(await runOutboxOnce(db, now)).toEqual({ sent: 1, failed: 0 });
    // As if the process had stopped right after the SMTP server accepted: still pending, lease expired.
    await db.update(outboxMessages).set({ status: "pending", sentAt: null, lockedUntil: new Date(now.getTime() + 60_000) }).where(eq(outboxMessages.id, (await row()).id));
    expect(await runOutboxOnce(db, new Date(now.getTime() + 60_000))).toEqual({ sent: 1, failed: 0 });
    expect(smtp.to(to).map((m) => m.messageId)).toEqual([messageIdOf(eventId, PORTAL), messageIdOf(eventId, PORTAL)]);
  });

  it("two runs at once send a message once", async () => {
    const { to, now } = await enqueue();
    const results = await Promise.all([runOutboxOnce(db, now), runOutboxOnce(db, now), runOutboxOnce(db, now)]);
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(1);
    expect(smtp.to(to)).toHaveLength(1);
  });

  it("does not touch the messages of a channel without a sender", async () => {
    await db.insert(outboxMessages).values({ channel: "webhook", eventId: "msg_test", type: "contract.approved", payload: {} });
    expect(await runOutboxOnce(db)).toEqual({ sent: 0, failed: 0 });
    const [row] = await db.select().from(outboxMessages).where(eq(outboxMessages.eventId, "msg_test"));
    expect(row).toMatchObject({ status: "pending", attempts: 0, lockedUntil: null });
    await db.delete(outboxMessages).where(eq(outboxMessages.eventId, "msg_test"));
  });

  it("the worker sends on its own, and stopping it waits for the run in progress", async () => {
    const { to, row } = await enqueue();
    const stop = startOutboxWorker(async () => db, 5);
    try {
      await vi.waitFor(() => expect(smtp.to(to)).toHaveLength(1), { timeout: 5_000, interval: 5 });
    } finally {
      await stop();
    }
    expect((await row()).status).toBe("sent");
  });
});
