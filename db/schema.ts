import { type Column, sql } from "drizzle-orm";
import {
  type ExtraConfigColumn,
  bigint,
  check,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true });

export const profileEnum = pgEnum("profile", ["portal", "manager", "admin"]);
export const roleEnum = pgEnum("member_role", ["owner", "api-developer", "client-developer", "viewer"]);
export const apiVersionStatusEnum = pgEnum("api_version_status", ["Created", "Published", "Retired"]);
export const planVersionStatusEnum = pgEnum("plan_version_status", ["Created", "Locked"]);
export const accessTokenScopeEnum = pgEnum("access_token_scope", ["read", "write"]);
/**
 * A contract's status. Kept as text with a check constraint rather than a Postgres enum, so a new
 * status can be added and used in the same migration (an enum's new value cannot be).
 */
export const CONTRACT_STATUSES = [
  "AwaitingApproval",
  "Active",
  "Rejected",
  "Withdrawn",
  "Broken",
  // Paused by an API administrator: kept with its plan and counters, refused by the gateway until resumed.
  "Suspended",
  // Past its end date: ended, like Broken; a new request renews it.
  "Expired",
] as const;

/** The order contract lists sort statuses in: requests first, then running, then ended. */
export const CONTRACT_STATUS_SORT_ORDER: readonly (typeof CONTRACT_STATUSES)[number][] = ["AwaitingApproval", "Active", "Suspended", "Rejected", "Withdrawn", "Broken", "Expired"];

/**
 * A contract status as its rank in CONTRACT_STATUS_SORT_ORDER: what contract lists sort by (the
 * column is text, so it would sort alphabetically). Written with literals, so that the lists'
 * ORDER BY and the index on it are the same expression.
 */
export const contractStatusRankSql = (status: Column) =>
  sql<number>`(case ${status} ${sql.raw(CONTRACT_STATUS_SORT_ORDER.map((name, i) => `when '${name}' then ${i}`).join(" "))} end)`;

/**
 * A trigram index on a text column: it finds the rows whose column contains a word anywhere
 * (ILIKE '%word%'), which the lists' searches ask of names and versions (pg_trgm).
 */
const trigramIndex = (name: string, column: ExtraConfigColumn) => index(name).using("gin", column.op("gin_trgm_ops"));

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    profile: profileEnum("profile").notNull().default("portal"),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [trigramIndex("users_name_trgm_idx", t.name)],
);

/**
 * Signed-in sessions. The session cookie carries a random id; only its SHA-256 digest is kept here,
 * and a session whose row is gone (sign-out, password change, disabled user) is refused.
 */
export const sessions = pgTable(
  "sessions",
  {
    idDigest: text("id_digest").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Personal access tokens for the REST API. Only the SHA-256 digest of a token is kept; the token
 * itself is shown once when it is created. A `write` token may also read.
 */
export const accessTokens = pgTable(
  "access_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: accessTokenScopeEnum("scope").notNull(),
    tokenDigest: text("token_digest").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
  },
  (t) => [index("access_tokens_user_idx").on(t.userId, t.createdAt)],
);

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [trigramIndex("organizations_name_trgm_idx", t.name), trigramIndex("organizations_slug_trgm_idx", t.slug)],
);

export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgId] }), index("memberships_org_idx").on(t.orgId)],
);

export const apis = pgTable(
  "apis",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("apis_org_slug_idx").on(t.orgId, t.slug)],
);

export const apiVersions = pgTable(
  "api_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    apiId: uuid("api_id")
      .notNull()
      .references(() => apis.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    status: apiVersionStatusEnum("status").notNull().default("Created"),
    endpoint: text("endpoint"),
    isPublic: boolean("is_public").notNull().default(false),
    docs: text("docs").notNull().default(""),
    openapi: text("openapi"),
    publishedAt: at("published_at"),
    retiredAt: at("retired_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_versions_api_version_idx").on(t.apiId, t.version)],
);

export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("plans_org_slug_idx").on(t.orgId, t.slug)],
);

/** A policy of a plan version, applied in order by the gateway. */
export type Policy =
  | { type: "rate-limit"; limit: number; period: "second" | "minute" | "hour" }
  | { type: "quota"; limit: number; period: "day" | "month" };

export const planVersions = pgTable(
  "plan_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    status: planVersionStatusEnum("status").notNull().default("Created"),
    policies: jsonb("policies").$type<Policy[]>().notNull().default([]),
    /** Contracts on this plan version end this many days after they start (a trial); null: no end. */
    durationDays: integer("duration_days"),
    /** Terms of use in Markdown, accepted when a contract is requested or moved to this plan; empty: none. */
    terms: text("terms").notNull().default(""),
    lockedAt: at("locked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("plan_versions_plan_version_idx").on(t.planId, t.version)],
);

export const apiPlans = pgTable(
  "api_plans",
  {
    apiVersionId: uuid("api_version_id")
      .notNull()
      .references(() => apiVersions.id, { onDelete: "cascade" }),
    // A plan version that an API offers cannot disappear under it.
    planVersionId: uuid("plan_version_id")
      .notNull()
      .references(() => planVersions.id, { onDelete: "restrict" }),
    requiresApproval: boolean("requires_approval").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.apiVersionId, t.planVersionId] }), index("api_plans_plan_idx").on(t.planVersionId)],
);

export const clients = pgTable(
  "clients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("clients_org_slug_idx").on(t.orgId, t.slug), index("clients_org_name_idx").on(t.orgId, t.name, t.id), index("clients_name_idx").on(t.name), trigramIndex("clients_name_trgm_idx", t.name)],
);

export const clientVersions = pgTable(
  "client_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    // The key is never stored as such: its SHA-256 digest (hex) finds it, and Reveal decrypts the sealed copy
    // (AES-256-GCM under a secret kept outside the database; lib/domain/key-vault.ts).
    apiKeyDigest: text("api_key_digest").notNull().unique(),
    apiKeySealed: text("api_key_sealed"),
    apiKeyCreatedAt: at("api_key_created_at").notNull().defaultNow(),
    apiKeyLastUsedAt: at("api_key_last_used_at"),
    // The key replaced by the last rotation, accepted until previousApiKeyExpiresAt.
    previousApiKeyDigest: text("previous_api_key_digest").unique(),
    previousApiKeySealed: text("previous_api_key_sealed"),
    previousApiKeyExpiresAt: at("previous_api_key_expires_at"),
    previousApiKeyLastUsedAt: at("previous_api_key_last_used_at"),
    retiredAt: at("retired_at"),
    // Plain-text keys from before keys were sealed; emptied by sealLegacyApiKeys at start-up.
    legacyApiKey: text("api_key"),
    legacyPreviousApiKey: text("previous_api_key"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("client_versions_client_version_idx").on(t.clientId, t.version),
    // The version labels in order, skipped through one by one (contracts sorted by client version).
    index("client_versions_version_idx").on(t.version),
    trigramIndex("client_versions_version_trgm_idx", t.version),
  ],
);

export const contracts = pgTable(
  "contracts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientVersionId: uuid("client_version_id")
      .notNull()
      .references(() => clientVersions.id, { onDelete: "cascade" }),
    apiVersionId: uuid("api_version_id")
      .notNull()
      .references(() => apiVersions.id, { onDelete: "cascade" }),
    planVersionId: uuid("plan_version_id")
      .notNull()
      .references(() => planVersions.id, { onDelete: "restrict" }),
    status: text("status", { enum: CONTRACT_STATUSES }).notNull(),
    createdById: uuid("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    decidedById: uuid("decided_by_id").references(() => users.id, { onDelete: "set null" }),
    decidedAt: at("decided_at"),
    reason: text("reason"),
    endedById: uuid("ended_by_id").references(() => users.id, { onDelete: "set null" }),
    endedAt: at("ended_at"),
    /** After this moment the gateway refuses the contract (contract_expired) and it becomes Expired. */
    endsAt: at("ends_at"),
    /** The last expiry warning sent to the consumer, in days before the end (7, then 1); null: none yet. */
    expiryWarnedDays: integer("expiry_warned_days"),
    /** A plan change waiting for approval: the contract stays on planVersionId until it is decided. */
    pendingPlanVersionId: uuid("pending_plan_version_id").references(() => planVersions.id, { onDelete: "restrict" }),
    pendingPlanRequestedById: uuid("pending_plan_requested_by_id").references(() => users.id, { onDelete: "set null" }),
    pendingPlanRequestedAt: at("pending_plan_requested_at"),
  },
  (t) => [
    // One live contract per client version and API version, whatever the plan.
    uniqueIndex("contracts_live_idx")
      .on(t.clientVersionId, t.apiVersionId)
      .where(sql`${t.status} in ('AwaitingApproval', 'Active', 'Suspended')`),
    check("contracts_status_check", sql.raw(`status in (${CONTRACT_STATUSES.map((status) => `'${status}'`).join(", ")})`)),
    index("contracts_ends_at_idx").on(t.endsAt).where(sql`${t.endsAt} is not null`),
    index("contracts_pending_plan_idx").on(t.pendingPlanRequestedAt).where(sql`${t.pendingPlanVersionId} is not null`),
    // The lists of an API version's contracts: by status (and its filter), newest first, by status rank.
    index("contracts_api_version_idx").on(t.apiVersionId, t.status, t.createdAt),
    index("contracts_api_version_created_idx").on(t.apiVersionId, t.createdAt, t.id),
    // Filtered by plan, or sorted by plan or by creator: an API version's contracts are read plan by
    // plan, creator by creator, newest first (contracts/queries.ts, walkedPage).
    index("contracts_api_version_plan_idx").on(t.apiVersionId, t.planVersionId, t.createdAt.desc().nullsFirst(), t.id),
    index("contracts_api_version_creator_idx").on(t.apiVersionId, t.createdById, t.createdAt.desc().nullsFirst(), t.id),
    index("contracts_api_version_status_rank_idx").on(t.apiVersionId, contractStatusRankSql(t.status), t.createdAt.desc().nullsFirst()),
    index("contracts_client_version_idx").on(t.clientVersionId, t.status),
    // Requests awaiting a decision, oldest first: new contracts and plan changes of running ones.
    index("contracts_requests_idx")
      .on(sql`coalesce(${t.pendingPlanRequestedAt}, ${t.createdAt})`, t.id)
      .where(sql`${t.status} = 'AwaitingApproval' or (${t.pendingPlanVersionId} is not null and ${t.status} in ('Active', 'Suspended'))`),
  ],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    orgId: uuid("org_id").references(() => organizations.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_events_entity_idx").on(t.entityType, t.entityId, t.at), index("audit_events_org_idx").on(t.orgId, t.at)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recipientId: uuid("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    text: text("text").notNull(),
    link: text("link"),
    read: boolean("read").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("notifications_recipient_idx").on(t.recipientId, t.read, t.createdAt), index("notifications_recipient_created_idx").on(t.recipientId, t.createdAt, t.id)],
);

export const contractEventKindEnum = pgEnum("contract_event_kind", [
  "requested",
  "approved",
  "rejected",
  "withdrawn",
  "broken",
  "terms_accepted",
  "plan_change_requested",
  "plan_change_approved",
  "plan_change_rejected",
  "plan_change_cancelled",
  "plan_changed",
  "suspended",
  "resumed",
  "end_date_set",
  "expiry_warned",
  "expired",
]);

/**
 * A contract's story, one row per thing that happened to it: who, when, why, and the plans and
 * end date involved. Written in the same transaction as the change it tells.
 */
export const contractEvents = pgTable(
  "contract_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    contractId: uuid("contract_id")
      .notNull()
      .references(() => contracts.id, { onDelete: "cascade" }),
    kind: contractEventKindEnum("kind").notNull(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    reason: text("reason"),
    /** The plan version the event is about: the one accepted, requested or moved to. */
    planVersionId: uuid("plan_version_id").references(() => planVersions.id, { onDelete: "set null" }),
    /** For plan changes: the plan version left. */
    fromPlanVersionId: uuid("from_plan_version_id").references(() => planVersions.id, { onDelete: "set null" }),
    /** For end_date_set: the new end (null: the end was removed); for expiry_warned: the end warned of. */
    endsAt: at("ends_at"),
  },
  (t) => [index("contract_events_contract_idx").on(t.contractId, t.at)],
);

/**
 * Upper bounds (ms) of the gateway's latency histogram buckets; a last bucket counts everything
 * slower. Fixed, so histograms of different minutes and gateway processes add up bucket by bucket
 * and percentiles can be read from the sum.
 */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** The counters of one contract or API version over one period: minute, hour or day. */
const usageCounters = () => ({
  requests: integer("requests").notNull().default(0),
  status2xx: integer("status_2xx").notNull().default(0),
  status3xx: integer("status_3xx").notNull().default(0),
  status4xx: integer("status_4xx").notNull().default(0),
  status5xx: integer("status_5xx").notNull().default(0),
  latencyMsSum: bigint("latency_ms_sum", { mode: "number" }).notNull().default(0),
  /** Counts per LATENCY_BUCKETS_MS bucket, plus one for slower; empty for rows written before histograms. */
  latencyBuckets: integer("latency_buckets").array().notNull().default(sql`'{}'::integer[]`),
  /** Requests the gateway itself refused, by problem code (rate_limited, quota_exceeded…); included in status4xx. */
  refusals: jsonb("refusals").$type<Record<string, number>>().notNull().default({}),
});

const contractUsageKey = () => ({
  contractId: uuid("contract_id")
    .notNull()
    .references(() => contracts.id, { onDelete: "cascade" }),
});

const apiVersionUsageKey = () => ({
  apiVersionId: uuid("api_version_id")
    .notNull()
    .references(() => apiVersions.id, { onDelete: "cascade" }),
});

/*
 * Usage is kept at three grains, each complete: the gateway adds every batch to the minute, hour
 * and day rows at once, so any range reads the one table of its step. Retention deletes minute
 * rows after 48 hours and hourly rows after 90 days (lib/domain/usage/settings.ts); daily rows
 * stay as long as their contract or API version.
 */

/** Gateway traffic per contract and minute. */
export const contractUsage = pgTable(
  "contract_usage",
  { ...contractUsageKey(), ...usageCounters(), minute: timestamp("minute", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.contractId, t.minute] })],
);

/** Gateway traffic per contract and hour. */
export const contractUsageHourly = pgTable(
  "contract_usage_hourly",
  { ...contractUsageKey(), ...usageCounters(), hour: timestamp("hour", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.contractId, t.hour] })],
);

/** Gateway traffic per contract and UTC day. */
export const contractUsageDaily = pgTable(
  "contract_usage_daily",
  { ...contractUsageKey(), ...usageCounters(), day: timestamp("day", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.contractId, t.day] })],
);

/**
 * Gateway traffic per API version and minute: the sum of its contracts' rows, written with them,
 * so an API version's usage reads a row per point however many contracts call it. It outlives a
 * deleted contract: the traffic happened.
 */
export const apiVersionUsage = pgTable(
  "api_version_usage",
  { ...apiVersionUsageKey(), ...usageCounters(), minute: timestamp("minute", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.apiVersionId, t.minute] })],
);

/** Gateway traffic per API version and hour. */
export const apiVersionUsageHourly = pgTable(
  "api_version_usage_hourly",
  { ...apiVersionUsageKey(), ...usageCounters(), hour: timestamp("hour", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.apiVersionId, t.hour] })],
);

/** Gateway traffic per API version and UTC day. */
export const apiVersionUsageDaily = pgTable(
  "api_version_usage_daily",
  { ...apiVersionUsageKey(), ...usageCounters(), day: timestamp("day", { withTimezone: true }).notNull() },
  (t) => [primaryKey({ columns: [t.apiVersionId, t.day] })],
);

/**
 * Answers of /api/v1 POST requests sent with an Idempotency-Key, kept 24 hours so a retried
 * request gets the first answer instead of acting twice. `status` is null while the first
 * request is still running.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 of the method, path and body: the same key with another request is refused. */
    fingerprint: text("fingerprint").notNull(),
    status: integer("status"),
    headers: jsonb("headers").$type<Record<string, string>>(),
    body: text("body"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("idempotency_keys_user_key_idx").on(t.userId, t.key), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/** Accounts of an OpenID Connect provider linked to Portico users: one per issuer and subject. */
export const userIdentities = pgTable(
  "user_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    /** The email the provider vouched for when the identity was linked. */
    email: text("email").notNull(),
    createdAt: createdAt(),
    lastSignInAt: at("last_sign_in_at"),
  },
  (t) => [uniqueIndex("user_identities_issuer_subject_idx").on(t.issuer, t.subject), index("user_identities_user_idx").on(t.userId)],
);

/** One-time password reset links: only the SHA-256 of the token is kept. */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenDigest: text("token_digest").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    usedAt: at("used_at"),
  },
  (t) => [index("password_resets_user_idx").on(t.userId, t.createdAt)],
);

/** The kinds of email a user may turn off on Settings → Notifications; every kind is on until turned off. */
export const EMAIL_KINDS = ["approval_requests", "decisions", "contract_changes", "key_expiry"] as const;

export const emailPreferences = pgTable("email_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** Kinds of EMAIL_KINDS this user does not want. */
  disabledKinds: text("disabled_kinds").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** HTTPS endpoints an organization's owner registered to receive Portico's events (Standard Webhooks). */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Event types delivered, such as contract.approved; empty: every event. */
    events: text("events").array().notNull().default(sql`'{}'::text[]`),
    /** The signing secret (whsec_…), sealed like API keys: it must be read to sign. */
    secretSealed: text("secret_sealed").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdById: uuid("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId)],
);

/**
 * The durable outbox of email and webhook deliveries. A row is written in the transaction of the
 * change it tells; a worker sends due rows with retries and backoff, so a restart or an outage
 * delays a message and never loses it. `eventId` is the webhook-id a receiver deduplicates on
 * (kept by redeliveries); `lockedUntil` leases a row to one sender at a time.
 */
export const outboxMessages = pgTable(
  "outbox_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    channel: text("channel", { enum: ["email", "webhook"] }).notNull(),
    eventId: text("event_id").notNull(),
    /** For webhooks: the event type (contract.approved); for email: the EMAIL_KINDS kind or "account". */
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    webhookEndpointId: uuid("webhook_endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: at("locked_until"),
    lastError: text("last_error"),
    lastStatusCode: integer("last_status_code"),
    createdAt: createdAt(),
    sentAt: at("sent_at"),
  },
  (t) => [
    index("outbox_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("outbox_webhook_endpoint_idx").on(t.webhookEndpointId, t.createdAt),
  ],
);
