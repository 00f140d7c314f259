import { z } from "zod";
import type { Queryable } from "@/db/client";
import { EMAIL_KINDS, emailPreferences } from "@/db/schema";
import { eq } from "drizzle-orm";
import type { EmailKind } from "./email";
import { parseInput } from "./errors";
import type { Actor } from "./permissions";

/** What each kind of email is, as Settings → Notifications shows it. Every kind is on until turned off. */
export const EMAIL_KIND_LABELS: Record<EmailKind, { label: string; hint: string }> = {
  approval_requests: { label: "Requests waiting for my approval", hint: "Contract requests and plan changes for APIs whose requests you decide." },
  decisions: { label: "Decisions on my requests", hint: "Your contract requests and plan changes approved or rejected." },
  contract_changes: { label: "Changes to my contracts", hint: "Suspended, resumed, ended, moved to another plan, expiring or expired." },
  key_expiry: { label: "API keys about to stop working", hint: "The grace period of a rotated key ending." },
};

export interface EmailPreference {
  kind: EmailKind;
  label: string;
  hint: string;
  enabled: boolean;
}

/** The signed-in user's email preferences, one per kind. */
export async function getEmailPreferences(db: Queryable, actor: Actor): Promise<EmailPreference[]> {
  const [row] = await db.select({ disabledKinds: emailPreferences.disabledKinds }).from(emailPreferences).where(eq(emailPreferences.userId, actor.userId));
  const disabled = new Set(row?.disabledKinds ?? []);
  return EMAIL_KINDS.map((kind) => ({ kind, ...EMAIL_KIND_LABELS[kind], enabled: !disabled.has(kind) }));
}

// A form sends nothing for no box checked, a string for one, an array for several.
const preferencesSchema = z.object({
  enabled: z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.enum(EMAIL_KINDS, { error: "Choose among the listed kinds of email" })).max(EMAIL_KINDS.length)),
});

/** Saves which kinds of email the signed-in user wants: the kinds not listed are turned off. */
export async function updateEmailPreferences(db: Queryable, actor: Actor, input: { enabled?: unknown }, now = new Date()): Promise<EmailPreference[]> {
  const data = parseInput(preferencesSchema, input);
  const wanted = new Set(data.enabled);
  const disabledKinds = EMAIL_KINDS.filter((kind) => !wanted.has(kind));
  await db
    .insert(emailPreferences)
    .values({ userId: actor.userId, disabledKinds, updatedAt: now })
    .onConflictDoUpdate({ target: emailPreferences.userId, set: { disabledKinds, updatedAt: now } });
  return getEmailPreferences(db, actor);
}
