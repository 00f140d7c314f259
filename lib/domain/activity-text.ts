import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, organizations, plans, planVersions, users } from "@/db/schema";
import type { ActivityEntry } from "./activity";
import { withContractJoins } from "./contracts/queries";

/**
 * Activity as people read it: each audit event becomes one sentence ("Offered the plan Gold 1.0 on
 * Weather 1.0; its contracts need approval") and, where the event carries them, a few notes (the
 * reason given). Things are named by their names, read when the activity is shown; identifiers and
 * stored values (slugs, `AwaitingApproval`) never reach the page.
 */

export interface ActivityLine {
  id: number;
  at: Date;
  /** Who did it; null for Portico itself (a trial that ended, a job). */
  who: string | null;
  whoEmail: string | null;
  sentence: string;
  notes: string[];
}

/** Names of the things a page of events is about, as they are now. */
export interface ActivityNames {
  /** `${entityType}:${entityId}` -> "Weather 1.0", "Weather Dashboard 1.0", "Bronze 1.0", "Acme", "Nina Newcomer". */
  subjects: Map<string, string>;
  /** API version id -> the plans of its organization, by slug -> name. */
  plansBySlug: Map<string, Map<string, string>>;
  /** Plan version id -> "Gold 1.0". */
  planVersions: Map<string, string>;
}

const key = (entityType: string, entityId: string) => `${entityType}:${entityId}`;

function idsOf(entries: readonly ActivityEntry[], entityType: string): string[] {
  return [...new Set(entries.filter((e) => e.entityType === entityType).map((e) => e.entityId))];
}

/** Ids are uuids; anything else (an old or hand-made row) is left out of the queries. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuids = (ids: readonly unknown[]) => [...new Set(ids.filter((id): id is string => typeof id === "string" && UUID.test(id)))];

/** Reads the names the sentences of `entries` need, in a few queries whatever the page size. */
export async function loadActivityNames(db: Queryable, entries: readonly ActivityEntry[]): Promise<ActivityNames> {
  const subjects = new Map<string, string>();
  const plansBySlug = new Map<string, Map<string, string>>();
  const planVersionNames = new Map<string, string>();

  const apiIds = uuids(idsOf(entries, "api"));
  if (apiIds.length > 0) {
    for (const row of await db.select({ id: apis.id, name: apis.name }).from(apis).where(inArray(apis.id, apiIds))) subjects.set(key("api", row.id), row.name);
  }

  const apiVersionIds = uuids(idsOf(entries, "api_version"));
  if (apiVersionIds.length > 0) {
    const rows = await db
      .select({ id: apiVersions.id, name: apis.name, version: apiVersions.version, orgId: apis.orgId })
      .from(apiVersions)
      .innerJoin(apis, eq(apis.id, apiVersions.apiId))
      .where(inArray(apiVersions.id, apiVersionIds));
    for (const row of rows) subjects.set(key("api_version", row.id), `${row.name} ${row.version}`);
    // Offering a plan names it by slug: the API's organization's plans, read once.
    const orgIds = [...new Set(rows.map((r) => r.orgId))];
    const orgPlans = orgIds.length > 0 ? await db.select({ orgId: plans.orgId, slug: plans.slug, name: plans.name }).from(plans).where(inArray(plans.orgId, orgIds)) : [];
    for (const row of rows) plansBySlug.set(row.id, new Map(orgPlans.filter((p) => p.orgId === row.orgId).map((p) => [p.slug, p.name])));
  }

  const planIds = uuids(idsOf(entries, "plan"));
  if (planIds.length > 0) {
    for (const row of await db.select({ id: plans.id, name: plans.name }).from(plans).where(inArray(plans.id, planIds))) subjects.set(key("plan", row.id), row.name);
  }

  const namedPlanVersionIds = entries.filter((e) => e.entityType === "api_version").map((e) => e.details.planVersionId);
  const planVersionIds = uuids([...idsOf(entries, "plan_version"), ...namedPlanVersionIds]);
  if (planVersionIds.length > 0) {
    const rows = await db
      .select({ id: planVersions.id, name: plans.name, version: planVersions.version })
      .from(planVersions)
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .where(inArray(planVersions.id, planVersionIds));
    for (const row of rows) {
      subjects.set(key("plan_version", row.id), `${row.name} ${row.version}`);
      planVersionNames.set(row.id, `${row.name} ${row.version}`);
    }
  }

  const clientIds = uuids(idsOf(entries, "client"));
  if (clientIds.length > 0) {
    for (const row of await db.select({ id: clients.id, name: clients.name }).from(clients).where(inArray(clients.id, clientIds))) subjects.set(key("client", row.id), row.name);
  }

  const clientVersionIds = uuids(idsOf(entries, "client_version"));
  if (clientVersionIds.length > 0) {
    const rows = await db
      .select({ id: clientVersions.id, name: clients.name, version: clientVersions.version })
      .from(clientVersions)
      .innerJoin(clients, eq(clients.id, clientVersions.clientId))
      .where(inArray(clientVersions.id, clientVersionIds));
    for (const row of rows) subjects.set(key("client_version", row.id), `${row.name} ${row.version}`);
  }

  const contractIds = uuids(idsOf(entries, "contract"));
  if (contractIds.length > 0) {
    const rows = await withContractJoins(
      db
        .select({ id: contracts.id, client: clients.name, clientVersion: clientVersions.version, api: apis.name, apiVersion: apiVersions.version, plan: plans.name })
        .from(contracts)
        .$dynamic(),
    ).where(inArray(contracts.id, contractIds));
    for (const row of rows) subjects.set(key("contract", row.id), `${row.client} ${row.clientVersion} → ${row.api} ${row.apiVersion} (${row.plan})`);
  }

  const orgIds = uuids(idsOf(entries, "organization"));
  if (orgIds.length > 0) {
    for (const row of await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, orgIds))) {
      subjects.set(key("organization", row.id), row.name);
    }
  }

  const userIds = uuids(idsOf(entries, "user"));
  if (userIds.length > 0) {
    for (const row of await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds))) subjects.set(key("user", row.id), row.name);
  }

  return { subjects, plansBySlug, planVersions: planVersionNames };
}

const ROLE_WORDS: Record<string, string> = {
  owner: "owner",
  "api-developer": "API developer",
  "client-developer": "client developer",
  viewer: "viewer",
};

const FIELD_WORDS: Record<string, string> = {
  endpoint: "the endpoint",
  isPublic: "who may call it",
  docs: "the documentation",
  openapi: "the OpenAPI document",
};

const moment = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}

/** "a, b and c". */
function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** A grace period in words: "1 day", "6 hours", "90 seconds". */
function duration(seconds: number): string {
  if (seconds % 86400 === 0) return plural(seconds / 86400, "day");
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

/** A plan's policies: "5 requests per second and 1,000 requests per day", or "no limits". */
function limits(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return "no limits";
  return listWords(
    value.map((p: { type?: unknown; limit?: unknown; period?: unknown }) => {
      const count = typeof p.limit === "number" ? p.limit : 0;
      const period = typeof p.period === "string" ? p.period : "period";
      return `${plural(count, "request")} per ${period}${p.type === "quota" ? " in all" : ""}`;
    }),
  );
}

function reasonNote(details: Record<string, unknown>): string[] {
  const reason = text(details.reason);
  return reason ? [`Reason: ${reason}`] : [];
}

/** One event as a sentence, with its notes. Things without a name any more fall back to what the event recorded. */
export function describeActivity(entry: ActivityEntry, names: ActivityNames): ActivityLine {
  const { sentence, notes = [] } = describe(entry, names);
  return { id: entry.id, at: entry.at, who: entry.actorName, whoEmail: entry.actorEmail, sentence, notes };
}

function describe(entry: ActivityEntry, names: ActivityNames): { sentence: string; notes?: string[] } {
  const d = entry.details;
  const subject = names.subjects.get(key(entry.entityType, entry.entityId));
  const version = text(d.version);
  // What the event recorded, for things deleted since (their slug is all that is left).
  const named = (fallback: string) => subject ?? fallback;
  // A contract reads "Weather Dashboard 1.0 → Weather 1.0 (Bronze)".
  const contract = () => subject ?? text(d.contract) ?? (text(d.client) ? `the contract of ${d.client}${text(d.plan) ? ` on ${d.plan}` : ""}` : "a contract");
  const titled = (kind: string) => (subject ? `the ${kind} ${subject}` : `a ${kind}`);
  const withVersion = version ? ` with version ${version}` : "";

  switch (entry.action) {
    case "organization.created":
      return { sentence: subject ? `Created the organization ${subject}` : "Created the organization" };
    case "member.added":
      return { sentence: `Added a member: ${[subject, text(d.email) && `(${d.email})`].filter(Boolean).join(" ") || "someone"}, as ${ROLE_WORDS[String(d.role)] ?? "a member"}` };
    case "member.role_changed":
      return { sentence: `Changed a member's role: ${named("someone")}, from ${ROLE_WORDS[String(d.from)] ?? "another role"} to ${ROLE_WORDS[String(d.to)] ?? "another role"}` };
    case "member.removed":
      return { sentence: subject ? `Removed a member: ${subject}` : "Removed a member" };

    case "api.created":
      return { sentence: `Created ${titled("API")}${withVersion}` };
    case "api_version.created": {
      const copied = text(d.copiedFrom);
      return { sentence: `Created ${named(version ? `version ${version}` : "a version")}${copied ? `, copied from version ${copied}` : ""}` };
    }
    case "api_version.updated": {
      const fields = Array.isArray(d.fields) ? d.fields.map((f) => FIELD_WORDS[String(f)] ?? String(f)) : [];
      return { sentence: fields.length > 0 ? `Changed ${listWords(fields)} of ${named("the API version")}` : `Edited ${named("the API version")}` };
    }
    case "api_version.plan_offered": {
      const planName = names.plansBySlug.get(entry.entityId)?.get(String(d.plan));
      const plan = `${planName}${text(d.planVersion) ? ` ${d.planVersion}` : ""}`;
      return { sentence: `Offered a plan${planName ? `, ${plan},` : ""} on ${named("the API version")}${d.requiresApproval === true ? "; its contracts need approval" : ""}` };
    }
    case "api_version.plan_withdrawn": {
      const plan = names.planVersions.get(String(d.planVersionId));
      return { sentence: `Stopped offering ${plan ? `the plan ${plan}` : "a plan"} on ${named("the API version")}` };
    }
    case "api_version.approval_changed": {
      const plan = names.planVersions.get(String(d.planVersionId));
      const which = plan ? `Contracts on ${plan}` : "Contracts on a plan";
      return { sentence: `${which} for ${named("the API version")} ${d.requiresApproval === true ? "now need approval" : "no longer need approval"}` };
    }
    case "api_version.published":
      return { sentence: `Published the API version${subject ? ` ${subject}` : ""}: it is in the catalog and the gateway serves it` };
    case "api_version.retired":
      return { sentence: `Retired the API version${subject ? ` ${subject}` : ""}: the gateway no longer serves it` };

    case "plan.created":
      return { sentence: `Created ${titled("plan")}${withVersion}` };
    case "plan_version.created":
      return { sentence: `Created ${named(version ? `plan version ${version}` : "a plan version")}` };
    case "plan_version.policies_updated":
      return { sentence: `Set the limits of ${named("the plan version")} to ${limits(d.policies)}` };
    case "plan_version.locked":
      return { sentence: `Locked ${named("the plan version")}: APIs may offer it, and its limits no longer change` };
    case "plan_version.settings_updated": {
      const changes: string[] = [];
      if ("durationDays" in d) changes.push(typeof d.durationDays === "number" ? `contracts on it end after ${plural(d.durationDays, "day")}` : "contracts on it have no end");
      if ("termsLength" in d) changes.push(typeof d.termsLength === "number" && d.termsLength > 0 ? "its terms of use changed" : "it has no terms of use");
      return { sentence: `Changed ${named("the plan version")}${changes.length > 0 ? `: ${listWords(changes)}` : ""}` };
    }

    case "client.created":
      return { sentence: `Created ${titled("client")}${withVersion}${d.importedKey === true ? ", bringing its own API key" : ""}` };
    case "client_version.created":
      return { sentence: `Created ${named(version ? `client version ${version}` : "a client version")}${d.importedKey === true ? ", bringing its own API key" : ""}` };
    case "client_version.retired":
      return { sentence: `Retired the client version${subject ? ` ${subject}` : ""}: its API key no longer works` };
    case "client.deleted":
      return { sentence: text(d.name) ? `Deleted the client ${d.name}` : "Deleted a client" };
    case "client_version.key_rotated": {
      const grace = typeof d.graceSeconds === "number" ? d.graceSeconds : 0;
      return {
        sentence: `Rotated the API key${subject ? ` of ${subject}` : ""}`,
        notes: [grace > 0 ? `The old key's grace period: ${duration(grace)}` : "The old key stopped working at once"],
      };
    }

    case "contract.created":
      return d.status === "AwaitingApproval"
        ? { sentence: `Requested a contract: ${contract()}. It awaits the provider's approval` }
        : { sentence: `Created a contract: ${contract()}` };
    case "contract.approved":
      return { sentence: `Approved a contract: ${contract()}` };
    case "contract.rejected":
      return { sentence: `Rejected a contract request: ${contract()}`, notes: reasonNote(d) };
    case "contract.withdrawn":
      return { sentence: `Withdrew a contract request: ${contract()}` };
    case "contract.broken":
      return { sentence: `Broke a contract: ${contract()}`, notes: reasonNote(d) };
    case "contract.plan_change_requested":
      return { sentence: `Asked to move ${contract()} from ${text(d.from) ?? "its plan"} to ${text(d.to) ?? "another plan"}` };
    case "contract.plan_change_approved":
      return { sentence: `Approved moving ${contract()} to ${text(d.to) ?? "another plan"}` };
    case "contract.plan_change_rejected":
      return { sentence: `Turned down moving ${contract()} to ${text(d.to) ?? "another plan"}`, notes: reasonNote(d) };
    case "contract.plan_change_cancelled":
      return { sentence: `Cancelled the move of ${contract()} to ${text(d.to) ?? "another plan"}` };
    case "contract.plan_changed":
      return { sentence: `Moved ${contract()} from ${text(d.from) ?? "its plan"} to ${text(d.to) ?? "another plan"}`, notes: reasonNote(d) };
    case "contract.suspended":
      return { sentence: `Suspended ${contract()}: its key is refused until it resumes`, notes: reasonNote(d) };
    case "contract.resumed":
      return { sentence: `Resumed ${contract()}` };
    case "contract.end_date_set":
      return typeof d.endsAt === "string"
        ? { sentence: `Set ${contract()} to end on ${moment.format(new Date(d.endsAt))} UTC` }
        : { sentence: `Removed the end date of ${contract()}` };
    case "contract.expired":
      return { sentence: `${contract()} ended on its end date` };

    case "webhook_endpoint.created": {
      const events = Array.isArray(d.events) ? d.events.map(String) : [];
      return { sentence: text(d.url) ? `Registered the webhook endpoint ${d.url}` : "Registered a webhook endpoint", notes: events.length > 0 ? [`Events: ${events.join(", ")}`] : [] };
    }
    case "webhook_endpoint.updated":
      return { sentence: `Changed the webhook endpoint${text(d.url) ? ` ${d.url}` : ""}` };
    case "webhook_endpoint.secret_rolled":
      return { sentence: "Rolled the signing secret of a webhook endpoint" };
    case "webhook_endpoint.deleted":
      return { sentence: text(d.url) ? `Deleted the webhook endpoint ${d.url}` : "Deleted a webhook endpoint" };

    case "user.created":
      return { sentence: "Signed up" };
    case "user.access_changed":
      return { sentence: `Changed the access of ${named("a user")}` };
    default:
      return { sentence: fallbackSentence(entry.action) };
  }
}

/** An action this file does not know yet: "contract.something_new" -> "Contract: something new". */
function fallbackSentence(action: string): string {
  const [thing, what = ""] = action.split(".");
  const words = `${thing.replace(/_/g, " ")}: ${what.replace(/_/g, " ")}`.trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
