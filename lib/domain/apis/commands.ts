import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { apiPlans, apis, apiVersions, planVersions } from "@/db/schema";
import { readConfig } from "@/lib/config";
import { audit } from "../audit";
import { DomainError, parseInput } from "../errors";
import { checkIfMatch } from "../etags";
import { publishChanges } from "../events";
import { findPlanVersion } from "../plans/records";
import { type Actor, hasPermission, requirePermission } from "../permissions";
import { descriptionSchema, nameSchema, slugSchema, versionSchema } from "../slugs";
import { requireAllowedEndpoint, upstreamRulesFor } from "../upstream-rules";
import { CONTROL_CHARACTER_MESSAGE, multilineText, plainText, TEXT_LIMITS, textProblem } from "../text";
import { apiVersionReadiness, countOfferedPlans } from "./readiness";
import { type Api, type ApiVersion, apiVersionEtag, canSeeApiVersion, findApiVersion } from "./records";

const endpointSchema = z
  .string()
  .trim()
  .max(2000)
  .url("Enter an http:// or https:// URL")
  .refine((u) => /^https?:\/\//i.test(u), "Enter an http:// or https:// URL")
  .refine((u) => !textProblem(u), CONTROL_CHARACTER_MESSAGE);
/** Refuses an endpoint the gateway may not forward to; the settings are read each time, so a changed allow list applies at once. */
function requireUsableEndpoint(endpoint: string | null | undefined): void {
  requireAllowedEndpoint(upstreamRulesFor(readConfig()), endpoint);
}

const tagsSchema = z.array(plainText({ max: TEXT_LIMITS.tag, min: 1 }).toLowerCase()).max(20, "At most 20 tags").default([]);
const docsSchema = multilineText({ max: TEXT_LIMITS.docs, trim: false });
const openapiSchema = multilineText({ max: TEXT_LIMITS.openapi, trim: false })
  .refine((text) => {
    try {
      const doc = JSON.parse(text);
      return typeof doc === "object" && doc !== null && ("openapi" in doc || "swagger" in doc);
    } catch {
      return false;
    }
  }, "Give an OpenAPI document in JSON")
  .nullable()
  .optional();

// No defaults here: zod applies them even under .partial(), and an update that names only the
// docs must not reset the visibility (or a copied version lose its source's docs).
export const versionFieldsSchema = z.object({
  endpoint: endpointSchema.nullable().optional(),
  isPublic: z.boolean().optional(),
  docs: docsSchema.optional(),
  openapi: openapiSchema,
});

export const createApiSchema = z.object({
  orgId: z.string().uuid(),
  slug: slugSchema,
  name: nameSchema,
  description: descriptionSchema,
  tags: tagsSchema,
  version: versionSchema.default("1.0"),
}).merge(versionFieldsSchema);

/** Creates an API with its first version (status Created). */
export async function createApi(db: Db, actor: Actor, input: z.input<typeof createApiSchema>): Promise<{ api: Api; version: ApiVersion }> {
  const data = parseInput(createApiSchema, input);
  requirePermission(actor, data.orgId, "apiEdit");
  requireUsableEndpoint(data.endpoint);
  try {
    return await db.transaction(async (tx) => {
      const [api] = await tx
        .insert(apis)
        .values({ orgId: data.orgId, slug: data.slug, name: data.name, description: data.description, tags: [...new Set(data.tags)] })
        .returning();
      const [version] = await tx
        .insert(apiVersions)
        .values({ apiId: api.id, version: data.version, endpoint: data.endpoint ?? null, isPublic: data.isPublic ?? false, docs: data.docs ?? "", openapi: data.openapi ?? null })
        .returning();
      await audit(tx, actor, { orgId: data.orgId, action: "api.created", entityType: "api", entityId: api.id, details: { slug: api.slug, version: data.version } });
      return { api, version };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("slug_taken", `An API with the identifier "${data.slug}" already exists in this organization.`);
    throw error;
  }
}

async function requireEditableVersion(tx: Queryable, actor: Actor, apiVersionId: string, permission: "apiEdit" | "apiAdmin", options: { forUpdate?: boolean } = {}) {
  const row = await findApiVersion(tx, apiVersionId, options);
  if (!row || !canSeeApiVersion(actor, row.api, row.version)) throw new DomainError("api_not_found");
  requirePermission(actor, row.api.orgId, permission);
  return row;
}

export const createVersionSchema = z.object({
  apiId: z.string().uuid(),
  version: versionSchema,
  /** Copies endpoint, visibility, docs and offered plans of this version of the same API. */
  copyFromVersionId: z.string().uuid().optional(),
}).merge(versionFieldsSchema.partial());

export async function createApiVersion(db: Db, actor: Actor, input: z.input<typeof createVersionSchema>): Promise<ApiVersion> {
  const data = parseInput(createVersionSchema, input);
  const [api] = await db.select().from(apis).where(eq(apis.id, data.apiId));
  if (!api || !hasPermission(actor, api.orgId, "apiView")) throw new DomainError("not_found", "That API does not exist.");
  requirePermission(actor, api.orgId, "apiEdit");
  try {
    return await db.transaction(async (tx) => {
      const source = data.copyFromVersionId ? await findApiVersion(tx, data.copyFromVersionId) : undefined;
      if (data.copyFromVersionId && source?.api.id !== api.id) throw new DomainError("api_not_found");
      // A copied endpoint is checked too: it may predate the rules, or the allow list may have changed.
      const endpoint = data.endpoint !== undefined ? data.endpoint : (source?.version.endpoint ?? null);
      requireUsableEndpoint(endpoint);
      const [version] = await tx
        .insert(apiVersions)
        .values({
          apiId: api.id,
          version: data.version,
          endpoint,
          isPublic: data.isPublic ?? source?.version.isPublic ?? false,
          docs: data.docs ?? source?.version.docs ?? "",
          openapi: data.openapi !== undefined ? data.openapi : (source?.version.openapi ?? null),
        })
        .returning();
      if (source) {
        const offered = await tx.select().from(apiPlans).where(eq(apiPlans.apiVersionId, source.version.id));
        if (offered.length > 0) await tx.insert(apiPlans).values(offered.map((p) => ({ ...p, apiVersionId: version.id })));
      }
      await audit(tx, actor, { orgId: api.orgId, action: "api_version.created", entityType: "api_version", entityId: version.id, details: { api: api.slug, version: data.version, copiedFrom: source?.version.version } });
      return version;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("version_exists", `Version ${data.version} of this API already exists.`);
    throw error;
  }
}

export const updateVersionSchema = z.object({ apiVersionId: z.string().uuid() }).merge(versionFieldsSchema.partial());

/**
 * Changes the fields named in `input`; the others stay as they are. Endpoint and visibility are
 * frozen once published; docs may change until retired. With `ifMatch` (an ETag from
 * apiVersionEtag), a version changed since it was read is refused with precondition_failed.
 */
export async function updateApiVersion(db: Db, actor: Actor, input: z.input<typeof updateVersionSchema>, options: { ifMatch?: string } = {}): Promise<ApiVersion> {
  const data = parseInput(updateVersionSchema, input);
  const updated = await db.transaction(async (tx) => {
    const { version, api } = await requireEditableVersion(tx, actor, data.apiVersionId, "apiEdit", { forUpdate: true });
    checkIfMatch(options.ifMatch, apiVersionEtag(version));
    const freezes = data.endpoint !== undefined || data.isPublic !== undefined;
    if (version.status === "Retired") throw new DomainError("invalid_state", "A retired API version cannot change.");
    if (freezes && version.status !== "Created") throw new DomainError("invalid_state", "The endpoint and visibility of a published API version are frozen.");
    if (data.isPublic && !version.isPublic && (await countOfferedPlans(tx, version.id)) > 0) {
      throw new DomainError("invalid_state", "A public API offers no plans: withdraw its plans before making it public.");
    }
    requireUsableEndpoint(data.endpoint);
    const { apiVersionId, ...fields } = data;
    // Nothing named: nothing to write (an empty SET is not SQL).
    if (Object.keys(fields).length === 0) return version;
    const [row] = await tx.update(apiVersions).set(fields).where(eq(apiVersions.id, apiVersionId)).returning();
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.updated", entityType: "api_version", entityId: apiVersionId, details: { fields: Object.keys(fields) } });
    return row;
  });
  await publishChanges({ kind: "apiVersion", id: data.apiVersionId });
  return updated;
}

export const offerPlanSchema = z.object({ apiVersionId: z.string().uuid(), planVersionId: z.string().uuid(), requiresApproval: z.boolean().default(false) });

/** Offers a locked plan version of the same organization on an API version that is not yet published. */
export async function offerPlan(db: Db, actor: Actor, input: z.input<typeof offerPlanSchema>): Promise<void> {
  const data = parseInput(offerPlanSchema, input);
  await db.transaction(async (tx) => {
    const { version, api } = await requireEditableVersion(tx, actor, data.apiVersionId, "apiEdit");
    if (version.status !== "Created") throw new DomainError("invalid_state", "The plans of a published API version are frozen.");
    if (version.isPublic) throw new DomainError("api_is_public", "A public API offers no plans.");
    const plan = await findPlanVersion(tx, data.planVersionId);
    if (!plan || plan.plan.orgId !== api.orgId) throw new DomainError("plan_not_found");
    if (plan.version.status !== "Locked") throw new DomainError("plan_not_locked", "Only locked plan versions can be offered.");
    const sameplan = await tx
      .select({ id: planVersions.id })
      .from(apiPlans)
      .innerJoin(planVersions, eq(planVersions.id, apiPlans.planVersionId))
      .where(and(eq(apiPlans.apiVersionId, version.id), eq(planVersions.planId, plan.plan.id)));
    if (sameplan.length > 0) throw new DomainError("invalid_state", `This API version already offers a version of the plan ${plan.plan.name}.`);
    await tx.insert(apiPlans).values(data);
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.plan_offered", entityType: "api_version", entityId: version.id, details: { plan: plan.plan.slug, planVersion: plan.version.version, requiresApproval: data.requiresApproval } });
  });
}

export const planRefSchema = z.object({ apiVersionId: z.string().uuid(), planVersionId: z.string().uuid() });

export async function withdrawPlanOffer(db: Db, actor: Actor, input: z.input<typeof planRefSchema>): Promise<void> {
  const data = parseInput(planRefSchema, input);
  await db.transaction(async (tx) => {
    const { version, api } = await requireEditableVersion(tx, actor, data.apiVersionId, "apiEdit");
    if (version.status !== "Created") throw new DomainError("invalid_state", "The plans of a published API version are frozen.");
    const removed = await tx.delete(apiPlans).where(and(eq(apiPlans.apiVersionId, data.apiVersionId), eq(apiPlans.planVersionId, data.planVersionId))).returning();
    if (removed.length === 0) throw new DomainError("plan_not_offered");
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.plan_withdrawn", entityType: "api_version", entityId: version.id, details: { planVersionId: data.planVersionId } });
  });
}

export const approvalSchema = planRefSchema.extend({ requiresApproval: z.boolean() });

/** Whether new contracts on this plan need approval; may change after publishing. */
export async function setRequiresApproval(db: Db, actor: Actor, input: z.input<typeof approvalSchema>): Promise<void> {
  const data = parseInput(approvalSchema, input);
  await db.transaction(async (tx) => {
    const { api } = await requireEditableVersion(tx, actor, data.apiVersionId, "apiEdit");
    const updated = await tx
      .update(apiPlans)
      .set({ requiresApproval: data.requiresApproval })
      .where(and(eq(apiPlans.apiVersionId, data.apiVersionId), eq(apiPlans.planVersionId, data.planVersionId)))
      .returning();
    if (updated.length === 0) throw new DomainError("plan_not_offered");
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.approval_changed", entityType: "api_version", entityId: data.apiVersionId, details: { planVersionId: data.planVersionId, requiresApproval: data.requiresApproval } });
  });
}

export async function publishApiVersion(db: Db, actor: Actor, apiVersionId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), apiVersionId);
  await db.transaction(async (tx) => {
    const { version, api } = await requireEditableVersion(tx, actor, id, "apiAdmin");
    const { status } = apiVersionReadiness(version, await countOfferedPlans(tx, id));
    if (status === "Published" || status === "Retired") throw new DomainError("invalid_state", `That API version is already ${status.toLowerCase()}.`);
    if (status !== "Ready") throw new DomainError("api_not_ready");
    requireUsableEndpoint(version.endpoint);
    await tx.update(apiVersions).set({ status: "Published", publishedAt: new Date() }).where(eq(apiVersions.id, id));
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.published", entityType: "api_version", entityId: id, details: { api: api.slug, version: version.version } });
  });
  await publishChanges({ kind: "apiVersion", id });
}

/** Retiring is final: the gateway answers 410 from then on. */
export async function retireApiVersion(db: Db, actor: Actor, apiVersionId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), apiVersionId);
  await db.transaction(async (tx) => {
    const { version, api } = await requireEditableVersion(tx, actor, id, "apiAdmin");
    if (version.status !== "Published") throw new DomainError("invalid_state", "Only a published API version can be retired.");
    await tx.update(apiVersions).set({ status: "Retired", retiredAt: new Date() }).where(eq(apiVersions.id, id));
    await audit(tx, actor, { orgId: api.orgId, action: "api_version.retired", entityType: "api_version", entityId: id, details: { api: api.slug, version: version.version } });
  });
  await publishChanges({ kind: "apiVersion", id });
}
