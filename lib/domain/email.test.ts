import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { outboxMessages } from "@/db/schema";
import { readMailConfig } from "@/lib/config";
import { createEmailSender } from "@/lib/outbox/email";
import { startTestSmtpServer, type TestSmtpServer } from "@/lib/outbox/test-smtp-server";
import { registerSender, runOutboxOnce } from "@/lib/outbox/worker";
import { notify } from "./audit";
import { approveContract, createContract, rejectContract } from "./contracts";
import { emailKindOf } from "./email";
import { getEmailPreferences, updateEmailPreferences } from "./email-preferences";
import type { Actor } from "./permissions";
import { expectCode, makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let smtp: TestSmtpServer;
let sender: ReturnType<typeof createEmailSender>;
const PORTAL = "https://portal.example.test";
/** A moment just ahead: outbox rows are stamped by the database's clock, which may run a little ahead of this one. */
const soon = () => new Date(Date.now() + 1_000);

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  smtp = await startTestSmtpServer();
  Object.assign(process.env, { SMTP_URL: smtp.url, MAIL_FROM: "Portico <portico@example.test>", PORTAL_URL: PORTAL });
  sender = createEmailSender(readMailConfig()!);
  registerSender("email", sender);
});
afterAll(async () => {
  sender.close();
  await smtp.stop();
  await open.close();
});
beforeEach(() => {
  smtp.rejecting = false;
});

/** A provider whose API needs approval, and a consumer with a client. */
async function approvalStory() {
  const { org, owner: approver } = await makeOrg(db, await makeUser(db, "manager"));
  const api = await makePublishedApi(db, approver, org.id, { requiresApproval: true });
  const consumer = await makeUser(db, "portal");
  const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
  const request = () => createContract(db, consumer, { clientVersionId, apiVersionId: api.apiVersionId, planVersionId: api.planVersionId });
  return { approver, consumer, request };
}

const pendingEmailsTo = (to: string) =>
  db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.channel, "email"))
    .then((rows) => rows.filter((row) => row.payload.to === to));

describe("notification email", () => {
  it("the approval story: the approver is asked, the requester told of the decision, each once, with a link to the exact page", async () => {
    const { approver, consumer, request } = await approvalStory();
    const contract = await request();
    expect(await runOutboxOnce(db, soon())).toEqual({ sent: 1, failed: 0 });
    const [asked] = smtp.to(approver.email);
    expect(asked.subject).toBe("A contract request is waiting for your approval");
    expect(asked.from?.text).toBe('"Portico" <portico@example.test>');
    expect(asked.text).toContain(`${consumer.name} asks for the Bronze plan`);
    expect(asked.text).toContain(`${PORTAL}/manage/approvals`);
    expect(asked.html).toContain(`href="${PORTAL}/manage/approvals?contract=${contract.id}"`);

    await approveContract(db, approver, contract.id);
    expect(await runOutboxOnce(db, soon())).toEqual({ sent: 1, failed: 0 });
    expect(await runOutboxOnce(db, soon())).toEqual({ sent: 0, failed: 0 });
    expect(smtp.to(approver.email)).toHaveLength(1);
    const told = smtp.to(consumer.email);
    expect(told).toHaveLength(1);
    expect(told[0].subject).toBe("Your contract was approved");
    expect(told[0].text).toContain(`${PORTAL}/my-clients`);
    const [row] = await pendingEmailsTo(consumer.email);
    expect(row).toMatchObject({ status: "sent", attempts: 1, type: "decisions" });
    expect(told[0].messageId).toBe(`<${row.eventId}@portal.example.test>`);
  });

  it("escapes everything in the HTML part and keeps the plain text as written", async () => {
    const { approver, consumer, request } = await approvalStory();
    const contract = await request();
    await rejectContract(db, approver, { contractId: contract.id, reason: `<script>alert("x")</script> & more` });
    await runOutboxOnce(db, soon());
    const [told] = smtp.to(consumer.email);
    expect(told.subject).toBe("Your contract was rejected");
    expect(told.text).toContain(`<script>alert("x")</script> & more`);
    expect(told.html).not.toContain("<script>");
    expect(told.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
  });

  it("sends nothing of a kind the recipient turned off, and the other kinds still", async () => {
    const { approver, consumer, request } = await approvalStory();
    const saved = await updateEmailPreferences(db, consumer, { enabled: ["approval_requests", "contract_changes"] });
    expect(saved.find((p) => p.kind === "decisions")?.enabled).toBe(false);
    const contract = await request();
    await approveContract(db, approver, contract.id);
    await runOutboxOnce(db, soon());
    expect(await pendingEmailsTo(consumer.email)).toEqual([]);
    expect(smtp.to(consumer.email)).toEqual([]);
    expect(smtp.to(approver.email)).toHaveLength(1);
  });

  it("preferences: every kind on until turned off, saved per user, only known kinds", async () => {
    const alice = await makeUser(db, "portal");
    const bob = await makeUser(db, "portal");
    expect((await getEmailPreferences(db, alice)).every((p) => p.enabled)).toBe(true);
    await updateEmailPreferences(db, alice, {});
    expect((await getEmailPreferences(db, alice)).some((p) => p.enabled)).toBe(false);
    await updateEmailPreferences(db, alice, { enabled: "key_expiry" });
    expect((await getEmailPreferences(db, alice)).filter((p) => p.enabled).map((p) => p.kind)).toEqual(["key_expiry"]);
    expect((await getEmailPreferences(db, bob)).every((p) => p.enabled)).toBe(true);
    await expectCode(updateEmailPreferences(db, alice, { enabled: ["decisions", "everything"] }), "validation_failed", 400);
    await expectCode(updateEmailPreferences(db, alice, { enabled: { $ne: 1 } }), "validation_failed", 400);
  });

  it("writes nothing when mail is not configured, for unknown kinds, or when the change is rolled back", async () => {
    const user: Actor = await makeUser(db, "portal");
    const saved = process.env.SMTP_URL;
    delete process.env.SMTP_URL;
    try {
      await notify(db, [user.userId], { kind: "contract_approved", text: "Not configured", link: "/my-clients" });
    } finally {
      process.env.SMTP_URL = saved;
    }
    await notify(db, [user.userId], { kind: "something_new", text: "Unknown kind" });
    await expect(
      db.transaction(async (tx) => {
        await notify(tx, [user.userId], { kind: "contract_approved", text: "Rolled back", link: "/my-clients" });
        throw new Error("the change fails");
      }),
    ).rejects.toThrow("the change fails");
    expect(await pendingEmailsTo(user.email)).toEqual([]);
    expect(emailKindOf("contract_suspended")).toBe("contract_changes");
    expect(emailKindOf("plan_change_requested")).toBe("approval_requests");
    expect(emailKindOf("something_new")).toBeNull();
  });
});

describe("delivery through an SMTP outage", () => {
  it("keeps a decision's email pending with backoff while the server is down, then delivers it exactly once", async () => {
    const { approver, consumer, request } = await approvalStory();
    const contract = await request();
    await runOutboxOnce(db, soon());
    await smtp.stop();
    let down = true;
    try {
      await approveContract(db, approver, contract.id);
      const now = soon();
      expect(await runOutboxOnce(db, now)).toEqual({ sent: 0, failed: 1 });
      const [row] = await pendingEmailsTo(consumer.email);
      expect(row).toMatchObject({ status: "pending", attempts: 1, lockedUntil: null });
      expect(row.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
      expect(row.lastError).not.toContain("smtp-test-password");
      expect(row.nextAttemptAt.getTime()).toBe(now.getTime() + 5_000);
      // Not due yet: the backoff holds it.
      expect(await runOutboxOnce(db, new Date(now.getTime() + 4_000))).toEqual({ sent: 0, failed: 0 });
      expect(await runOutboxOnce(db, new Date(now.getTime() + 5_000))).toEqual({ sent: 0, failed: 1 });
      const [again] = await pendingEmailsTo(consumer.email);
      expect(again.nextAttemptAt.getTime()).toBe(now.getTime() + 15_000);
      await smtp.start();
      down = false;
      expect(await runOutboxOnce(db, new Date(now.getTime() + 15_000))).toEqual({ sent: 1, failed: 0 });
      expect(await runOutboxOnce(db, new Date(now.getTime() + 60 * 60_000))).toEqual({ sent: 0, failed: 0 });
    } finally {
      if (down) await smtp.start();
    }
    expect(smtp.to(consumer.email)).toHaveLength(1);
    expect((await pendingEmailsTo(consumer.email))[0]).toMatchObject({ status: "sent", attempts: 3, lastError: null });
  });

  it("a server refusing with a temporary error delays the email; after it accepts, the email is sent once", async () => {
    const { approver, consumer, request } = await approvalStory();
    const contract = await request();
    await runOutboxOnce(db, soon());
    smtp.rejecting = true;
    await rejectContract(db, approver, { contractId: contract.id, reason: "Not now" });
    const now = soon();
    expect(await runOutboxOnce(db, now)).toEqual({ sent: 0, failed: 1 });
    const [row] = await pendingEmailsTo(consumer.email);
    expect(row.status).toBe("pending");
    expect(row.lastError).toContain("451");
    smtp.rejecting = false;
    expect(await runOutboxOnce(db, new Date(now.getTime() + 5_000))).toEqual({ sent: 1, failed: 0 });
    expect(await runOutboxOnce(db, new Date(now.getTime() + 10 * 60_000))).toEqual({ sent: 0, failed: 0 });
    expect(smtp.to(consumer.email)).toHaveLength(1);
  });

  it("gives an email up as failed after a day of refusals", async () => {
    const { consumer, request } = await approvalStory();
    await request();
    await runOutboxOnce(db, soon());
    smtp.rejecting = true;
    await notify(db, [consumer.userId], { kind: "contract_suspended", text: "Suspended", link: "/my-clients" });
    const [row] = await pendingEmailsTo(consumer.email);
    const later = new Date(row.createdAt.getTime() + 24 * 60 * 60_000 + 1);
    expect(await runOutboxOnce(db, later)).toEqual({ sent: 0, failed: 1 });
    expect((await pendingEmailsTo(consumer.email))[0].status).toBe("failed");
  });
});
