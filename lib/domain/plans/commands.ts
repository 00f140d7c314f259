import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { plans, planVersions, type Policy } from "@/db/schema";
import { audit } from "../audit";
import { DomainError, parseInput } from "../errors";
import { checkIfMatch } from "../etags";
import { publishChanges } from "../events";
import { type Actor, requirePermission } from "../permissions";
import { descriptionSchema, nameSchema, slugSchema, versionSchema } from "../slugs";
import { multilineText, TEXT_LIMITS } from "../text";
import { findPlanVersion, type Plan, type PlanVersion, planVersionEtag } from "./records";

export const policySchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("rate-limit"),
    limit: z.number().int("Whole numbers only").min(1, "At least 1").max(1_000_000, "At most 1,000,000"),
    period: z.enum(["second", "minute", "hour"]),
  }),
  z.object({
    type: z.literal("quota"),
    limit: z.number().int("Whole numbers only").min(1, "At least 1").max(1_000_000_000, "At most 1,000,000,000"),
    period: z.enum(["day", "month"]),
  }),
]);
export const policiesSchema = z.array(policySchema).max(10, "At most 10 policies");

/** How long contracts on the plan version last, in days (a trial); null: they do not end. */
export const durationDaysSchema = z.number().int("Whole days only").min(1, "At least 1 day").max(3650, "At most 3,650 days").nullable();

/** Terms of use in Markdown, accepted by whoever signs or moves a contract to the plan version; empty: none. */
export const termsSchema = multilineText({ max: TEXT_LIMITS.docs });

export const createPlanSchema = z.object({
  orgId: z.string().uuid(),
  slug: slugSchema,
  name: nameSchema,
  description: descriptionSchema,
  version: versionSchema.default("1.0"),
  policies: policiesSchema.default([]),
  durationDays: durationDaysSchema.optional(),
  terms: termsSchema.optional(),
});

/** Creates a plan with its first version (status Created). */
export async function createPlan(db: Db, actor: Actor, input: z.input<typeof createPlanSchema>): Promise<{ plan: Plan; version: PlanVersion }> {
  const data = parseInput(createPlanSchema, input);
  requirePermission(actor, data.orgId, "planEdit");
  try {
    return await db.transaction(async (tx) => {
      const [plan] = await tx.insert(plans).values({ orgId: data.orgId, slug: data.slug, name: data.name, description: data.description }).returning();
      const [version] = await tx
        .insert(planVersions)
        .values({ planId: plan.id, version: data.version, policies: data.policies, durationDays: data.durationDays ?? null, terms: data.terms ?? "" })
        .returning();
      await audit(tx, actor, { orgId: data.orgId, action: "plan.created", entityType: "plan", entityId: plan.id, details: { slug: plan.slug, version: data.version } });
      return { plan, version };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("slug_taken", `A plan with the identifier "${data.slug}" already exists in this organization.`);
    throw error;
  }
}

export const createPlanVersionSchema = z.object({
  planId: z.string().uuid(),
  version: versionSchema,
  /** Copies the policies, duration and terms of this version of the same plan. */
  copyFromVersionId: z.string().uuid().optional(),
  policies: policiesSchema.optional(),
  durationDays: durationDaysSchema.optional(),
  terms: termsSchema.optional(),
});

export async function createPlanVersion(db: Db, actor: Actor, input: z.input<typeof createPlanVersionSchema>): Promise<PlanVersion> {
  const data = parseInput(createPlanVersionSchema, input);
  const [plan] = await db.select().from(plans).where(eq(plans.id, data.planId));
  if (!plan) throw new DomainError("plan_not_found", "That plan does not exist.");
  requirePermission(actor, plan.orgId, "planEdit");
  let policies: Policy[] = data.policies ?? [];
  let durationDays = data.durationDays ?? null;
  let terms = data.terms ?? "";
  if (data.copyFromVersionId) {
    const [source] = await db.select().from(planVersions).where(and(eq(planVersions.id, data.copyFromVersionId), eq(planVersions.planId, plan.id)));
    if (!source) throw new DomainError("plan_not_found");
    ({ policies, durationDays, terms } = source);
  }
  try {
    return await db.transaction(async (tx) => {
      const [version] = await tx.insert(planVersions).values({ planId: plan.id, version: data.version, policies, durationDays, terms }).returning();
      await audit(tx, actor, { orgId: plan.orgId, action: "plan_version.created", entityType: "plan_version", entityId: version.id, details: { plan: plan.slug, version: data.version } });
      return version;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("version_exists", `Version ${data.version} of this plan already exists.`);
    throw error;
  }
}

export const updatePoliciesSchema = z.object({ planVersionId: z.string().uuid(), policies: policiesSchema });

/**
 * Policies change only while the plan version is not locked. With `ifMatch` (an ETag from
 * planVersionEtag), a version changed since it was read is refused with precondition_failed.
 */
export async function updatePlanPolicies(db: Db, actor: Actor, input: z.input<typeof updatePoliciesSchema>, options: { ifMatch?: string } = {}): Promise<PlanVersion> {
  const data = parseInput(updatePoliciesSchema, input);
  return db.transaction(async (tx) => {
    const row = await findPlanVersion(tx, data.planVersionId, { forUpdate: true });
    if (!row) throw new DomainError("plan_not_found");
    requirePermission(actor, row.plan.orgId, "planEdit");
    checkIfMatch(options.ifMatch, planVersionEtag(row.version));
    if (row.version.status === "Locked") throw new DomainError("invalid_state", "The policies of a locked plan version never change.");
    const [version] = await tx.update(planVersions).set({ policies: data.policies }).where(eq(planVersions.id, data.planVersionId)).returning();
    await audit(tx, actor, { orgId: row.plan.orgId, action: "plan_version.policies_updated", entityType: "plan_version", entityId: data.planVersionId, details: { policies: data.policies } });
    return version;
  });
}

export const updatePlanVersionSettingsSchema = z.object({
  planVersionId: z.string().uuid(),
  /** Absent: unchanged; null: contracts do not end. */
  durationDays: durationDaysSchema.optional(),
  /** Absent: unchanged; empty: no terms. */
  terms: termsSchema.optional(),
});

/**
 * The duration and terms of use of a plan version (planEdit), while it is not locked: like its
 * policies, what a contract agreed to never changes under it. With `ifMatch`, as updatePlanPolicies.
 */
export async function updatePlanVersionSettings(db: Db, actor: Actor, input: z.input<typeof updatePlanVersionSettingsSchema>, options: { ifMatch?: string } = {}): Promise<PlanVersion> {
  const data = parseInput(updatePlanVersionSettingsSchema, input);
  return db.transaction(async (tx) => {
    const row = await findPlanVersion(tx, data.planVersionId, { forUpdate: true });
    if (!row) throw new DomainError("plan_not_found");
    requirePermission(actor, row.plan.orgId, "planEdit");
    checkIfMatch(options.ifMatch, planVersionEtag(row.version));
    if (row.version.status === "Locked") throw new DomainError("invalid_state", "The duration and terms of a locked plan version never change.");
    const changes = { ...(data.durationDays !== undefined ? { durationDays: data.durationDays } : {}), ...(data.terms !== undefined ? { terms: data.terms } : {}) };
    if (Object.keys(changes).length === 0) return row.version;
    const [version] = await tx.update(planVersions).set(changes).where(eq(planVersions.id, data.planVersionId)).returning();
    await audit(tx, actor, {
      orgId: row.plan.orgId,
      action: "plan_version.settings_updated",
      entityType: "plan_version",
      entityId: data.planVersionId,
      details: { ...(data.durationDays !== undefined ? { durationDays: data.durationDays } : {}), ...(data.terms !== undefined ? { termsLength: data.terms.length } : {}) },
    });
    return version;
  });
}

export async function lockPlanVersion(db: Db, actor: Actor, planVersionId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), planVersionId);
  await db.transaction(async (tx) => {
    const row = await findPlanVersion(tx, id);
    if (!row) throw new DomainError("plan_not_found");
    requirePermission(actor, row.plan.orgId, "planAdmin");
    if (row.version.status === "Locked") throw new DomainError("invalid_state", "That plan version is already locked.");
    await tx.update(planVersions).set({ status: "Locked", lockedAt: new Date() }).where(eq(planVersions.id, id));
    await audit(tx, actor, { orgId: row.plan.orgId, action: "plan_version.locked", entityType: "plan_version", entityId: id, details: { plan: row.plan.slug, version: row.version.version } });
  });
  await publishChanges({ kind: "planVersion", id });
}

/** "5 requests per second · 1,000 per day" */
export function describePolicies(policies: readonly Policy[]): string {
  if (policies.length === 0) return "Unlimited";
  return policies
    .map((p) => {
      const limit = p.limit.toLocaleString("en-US");
      if (p.type === "quota") return `${limit} per ${p.period}`;
      return `${limit} ${p.limit === 1 ? "request" : "requests"} per ${p.period}`;
    })
    .join(" · ");
}
