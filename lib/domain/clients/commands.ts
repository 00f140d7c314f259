import { randomUUID } from "node:crypto";
import { and, eq, inArray, or } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { clients, clientVersions, contracts } from "@/db/schema";
import { audit } from "../audit";
import { copyLiveContracts } from "../contracts/commands";
import { LIVE_CONTRACT_STATUSES } from "../contracts/statuses";
import { DomainError, parseInput } from "../errors";
import { publishChanges } from "../events";
import { digestApiKey, sealApiKey } from "../key-vault";
import { generateApiKey, importedApiKeySchema, MAX_KEY_GRACE_SECONDS, readStoredApiKey } from "../keys";
import { type Actor, hasPermission, isAdmin, requirePermission } from "../permissions";
import { descriptionSchema, firstFreeSlug, nameSchema, slugify, slugSchema, versionSchema } from "../slugs";
import { type Client, findClientVersion, type IssuedClientVersion, requireClientVersion } from "./records";

const createClientSchema = z.object({
  orgId: z.string().uuid(),
  name: nameSchema,
  /** Derived from the name when absent. */
  slug: slugSchema.optional(),
  description: descriptionSchema,
  version: versionSchema.default("1.0"),
  /** A key brought from elsewhere instead of a generated one: organization owners (and admins) only. */
  apiKey: importedApiKeySchema.optional(),
});

/** A key for a client version (the imported one, else a new one): its digest to find it by, and a copy sealed for that row alone. */
function issueApiKey(clientVersionId: string, imported?: string) {
  const apiKey = imported ?? generateApiKey();
  return { apiKey, stored: { apiKeyDigest: digestApiKey(apiKey), apiKeySealed: sealApiKey(apiKey, clientVersionId) } };
}

/**
 * Importing a key is for owners of the client's organization, and admins: a chosen key is a weaker
 * secret than a generated one, and bringing keys over is a migration decision.
 */
function requireKeyImporter(actor: Actor, orgId: string): void {
  if (!isAdmin(actor) && actor.roles.get(orgId) !== "owner") throw new DomainError("forbidden", "Only an owner of the organization can import an API key.");
}

const KEY_TAKEN_FIELD = { apiKey: "That API key cannot be used; choose another one." };

/** An imported key must be unique among every key, current or in its grace period; the answer says nothing of whose. */
async function requireFreeKey(tx: Queryable, apiKey: string): Promise<void> {
  const digest = digestApiKey(apiKey);
  const [taken] = await tx
    .select({ id: clientVersions.id })
    .from(clientVersions)
    .where(or(eq(clientVersions.apiKeyDigest, digest), eq(clientVersions.previousApiKeyDigest, digest)))
    .limit(1);
  if (taken) throw new DomainError("key_taken", undefined, KEY_TAKEN_FIELD);
}

/** Two imports of one key racing: the unique digest lets one through. */
function isKeyViolation(error: unknown): boolean {
  return isUniqueViolation(error, "client_versions_api_key_digest_unique") || isUniqueViolation(error, "client_versions_previous_api_key_digest_unique");
}

/** Inserts a client version with its key; its id is chosen first, since the sealed key is bound to it. */
async function insertClientVersion(tx: Queryable, clientId: string, version: string, imported?: string): Promise<IssuedClientVersion> {
  const id = randomUUID();
  if (imported) await requireFreeKey(tx, imported);
  const { apiKey, stored } = issueApiKey(id, imported);
  const [row] = await tx.insert(clientVersions).values({ id, clientId, version, ...stored }).returning();
  return { ...row, apiKey };
}

/** Creates a client and its first version, which gets a new API key, or the imported one (owners only). */
export async function createClient(db: Db, actor: Actor, input: z.input<typeof createClientSchema>): Promise<{ client: Client; version: IssuedClientVersion }> {
  const data = parseInput(createClientSchema, input);
  requirePermission(actor, data.orgId, "clientEdit");
  if (data.apiKey !== undefined) requireKeyImporter(actor, data.orgId);
  try {
    const result = await db.transaction(async (tx) => {
      let slug = data.slug;
      if (!slug) {
        const base = slugify(data.name);
        const taken = await tx.select({ slug: clients.slug }).from(clients).where(eq(clients.orgId, data.orgId));
        slug = firstFreeSlug(base, new Set(taken.map((r) => r.slug)));
      }
      const [client] = await tx.insert(clients).values({ orgId: data.orgId, slug, name: data.name, description: data.description }).returning();
      const version = await insertClientVersion(tx, client.id, data.version, data.apiKey);
      await audit(tx, actor, { orgId: data.orgId, action: "client.created", entityType: "client", entityId: client.id, details: { slug, version: data.version, ...(data.apiKey ? { importedKey: true } : {}) } });
      return { client, version };
    });
    await publishChanges({ kind: "clientVersion", id: result.version.id });
    return result;
  } catch (error) {
    if (isKeyViolation(error)) throw new DomainError("key_taken", undefined, KEY_TAKEN_FIELD);
    if (isUniqueViolation(error)) {
      throw new DomainError("slug_taken", `A client with the identifier "${data.slug ?? slugify(data.name)}" already exists in this organization.`);
    }
    throw error;
  }
}

const createVersionSchema = z.object({
  clientId: z.string().uuid(),
  version: versionSchema,
  /** Copies the live contracts of this version; each is checked again by the contract rules. */
  copyContractsFromVersionId: z.string().uuid().optional(),
  /** A key brought from elsewhere instead of a generated one: organization owners (and admins) only. */
  apiKey: importedApiKeySchema.optional(),
});

export async function createClientVersion(db: Db, actor: Actor, input: z.input<typeof createVersionSchema>): Promise<IssuedClientVersion> {
  const data = parseInput(createVersionSchema, input);
  const [client] = await db.select().from(clients).where(eq(clients.id, data.clientId));
  if (!client || !hasPermission(actor, client.orgId, "clientView")) throw new DomainError("client_not_found", "That client does not exist.");
  requirePermission(actor, client.orgId, "clientEdit");
  if (data.apiKey !== undefined) requireKeyImporter(actor, client.orgId);
  let created: { version: IssuedClientVersion; contractIds: string[] };
  try {
    // One transaction: a copied contract that the rules now refuse leaves no half-made version behind.
    created = await db.transaction(async (tx) => {
      const version = await insertClientVersion(tx, client.id, data.version, data.apiKey);
      await audit(tx, actor, { orgId: client.orgId, action: "client_version.created", entityType: "client_version", entityId: version.id, details: { client: client.slug, version: data.version, ...(data.apiKey ? { importedKey: true } : {}) } });
      const contractIds: string[] = [];
      if (data.copyContractsFromVersionId) {
        const source = await findClientVersion(tx, data.copyContractsFromVersionId);
        if (source?.client.id !== client.id) throw new DomainError("client_not_found");
        contractIds.push(...(await copyLiveContracts(tx, actor, source.version.id, version.id)));
      }
      return { version, contractIds };
    });
  } catch (error) {
    if (isKeyViolation(error)) throw new DomainError("key_taken", undefined, KEY_TAKEN_FIELD);
    if (isUniqueViolation(error, "client_versions_client_version_idx")) throw new DomainError("version_exists", `Version ${data.version} of this client already exists.`);
    throw error;
  }
  // Told again after the commit: the copies announced themselves before it.
  await publishChanges({ kind: "clientVersion", id: created.version.id }, ...created.contractIds.map((id) => ({ kind: "contract" as const, id })));
  return created.version;
}

/** Retiring is final and kills the version's keys at once. */
export async function retireClientVersion(db: Db, actor: Actor, clientVersionId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), clientVersionId);
  await db.transaction(async (tx) => {
    const { client, version } = await requireClientVersion(tx, actor, id);
    requirePermission(actor, client.orgId, "clientAdmin");
    if (version.retiredAt) throw new DomainError("client_retired", "That client version is already retired.");
    await tx.update(clientVersions).set({ retiredAt: new Date() }).where(eq(clientVersions.id, id));
    await audit(tx, actor, { orgId: client.orgId, action: "client_version.retired", entityType: "client_version", entityId: id, details: { client: client.slug, version: version.version } });
  });
  await publishChanges({ kind: "clientVersion", id });
}

/** Deletes a client and all its versions; refused while any version has a live contract. */
export async function deleteClient(db: Db, actor: Actor, clientId: string): Promise<void> {
  const id = parseInput(z.string().uuid(), clientId);
  const versionIds = await db.transaction(async (tx) => {
    const [client] = await tx.select().from(clients).where(eq(clients.id, id));
    if (!client || !hasPermission(actor, client.orgId, "clientView")) throw new DomainError("client_not_found", "That client does not exist.");
    requirePermission(actor, client.orgId, "clientAdmin");
    const versions = await tx.select({ id: clientVersions.id }).from(clientVersions).where(eq(clientVersions.clientId, id));
    const ids = versions.map((v) => v.id);
    if (ids.length > 0) {
      const live = await tx
        .select({ id: contracts.id })
        .from(contracts)
        .where(and(inArray(contracts.clientVersionId, ids), inArray(contracts.status, LIVE_CONTRACT_STATUSES)))
        .limit(1);
      if (live.length > 0) throw new DomainError("client_has_contracts");
    }
    await tx.delete(clients).where(eq(clients.id, id));
    await audit(tx, actor, { orgId: client.orgId, action: "client.deleted", entityType: "client", entityId: id, details: { slug: client.slug, name: client.name } });
    return ids;
  });
  await publishChanges(...versionIds.map((vid) => ({ kind: "clientVersion" as const, id: vid })));
}

const rotateSchema = z.object({
  clientVersionId: z.string().uuid(),
  /** How long the old key keeps working: 0 (it dies now) to 7 days. */
  graceSeconds: z.number().int().min(0).max(MAX_KEY_GRACE_SECONDS, "At most 7 days"),
});

/** Issues a new key at once; the old one works for the grace period, then dies. */
export async function rotateApiKey(db: Db, actor: Actor, input: z.input<typeof rotateSchema>): Promise<IssuedClientVersion> {
  const data = parseInput(rotateSchema, input);
  const updated = await db.transaction(async (tx) => {
    const { client, version } = await requireClientVersion(tx, actor, data.clientVersionId);
    requirePermission(actor, client.orgId, "clientEdit");
    if (version.retiredAt) throw new DomainError("client_retired");
    const now = new Date();
    const grace = data.graceSeconds > 0;
    const { apiKey, stored } = issueApiKey(version.id);
    // The sealed copy moves as it is (it is bound to the row, not to the column); a row not sealed yet gets sealed here.
    const previousSealed = version.apiKeySealed ?? (version.legacyApiKey ? sealApiKey(version.legacyApiKey, version.id) : null);
    const [row] = await tx
      .update(clientVersions)
      .set({
        ...stored,
        apiKeyCreatedAt: now,
        apiKeyLastUsedAt: null,
        previousApiKeyDigest: grace ? version.apiKeyDigest : null,
        previousApiKeySealed: grace ? previousSealed : null,
        previousApiKeyExpiresAt: grace ? new Date(now.getTime() + data.graceSeconds * 1000) : null,
        previousApiKeyLastUsedAt: grace ? version.apiKeyLastUsedAt : null,
        legacyApiKey: null,
        legacyPreviousApiKey: null,
      })
      .where(eq(clientVersions.id, version.id))
      .returning();
    await audit(tx, actor, { orgId: client.orgId, action: "client_version.key_rotated", entityType: "client_version", entityId: version.id, details: { graceSeconds: data.graceSeconds } });
    return { ...row, apiKey };
  });
  await publishChanges({ kind: "clientVersion", id: updated.id });
  return updated;
}

/** The key, for users with clientView in the client's organization; nobody else ever sees it. */
export async function revealApiKey(db: Queryable, actor: Actor, clientVersionId: string): Promise<{ apiKey: string; previousApiKey: string | null; previousApiKeyExpiresAt: Date | null }> {
  const id = parseInput(z.string().uuid(), clientVersionId);
  const { version } = await requireClientVersion(db, actor, id);
  const inGrace = Boolean(version.previousApiKeyDigest && version.previousApiKeyExpiresAt && version.previousApiKeyExpiresAt > new Date());
  const apiKey = readStoredApiKey(id, { sealed: version.apiKeySealed, legacy: version.legacyApiKey });
  // Every row has a key: a row with neither copy was written by hand and cannot be revealed.
  if (apiKey === null) throw new DomainError("invalid_state", "This client version has no key that can be revealed; rotate it to issue one.");
  return {
    apiKey,
    previousApiKey: inGrace ? readStoredApiKey(id, { sealed: version.previousApiKeySealed, legacy: version.legacyPreviousApiKey }) : null,
    previousApiKeyExpiresAt: inGrace ? version.previousApiKeyExpiresAt : null,
  };
}
