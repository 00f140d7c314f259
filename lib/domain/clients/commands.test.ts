import { and, eq, or } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, isUniqueViolation, type OpenDatabase } from "@/db/client";
import { auditEvents, clients, clientVersions, contracts } from "@/db/schema";
import { retireApiVersion } from "../apis";
import {
  createClient,
  createClientVersion,
  deleteClient,
  retireClientVersion,
  revealApiKey,
  rotateApiKey,
} from "../clients";
import { approveContract, breakContract, clientVersionStatus, createContract, rejectContract, withdrawContract } from "../contracts";
import { onChanges } from "../events";
import { digestApiKey } from "../key-vault";
import { MAX_KEY_GRACE_SECONDS } from "../keys";
import { addMember } from "../organizations";
import type { Actor } from "../permissions";
import { expectCode, makeClient, makeOrg, makePublishedApi, makeUser, openTestDb, personalOrgId, refresh } from "../test-fixtures";

let open: OpenDatabase;
let db: Db;
let provider: Actor; // manager, owner of the API organization
let consumer: Actor; // portal user, owner of a personal organization
let providerOrg: string;
let consumerOrg: string;
let openApi: { apiVersionId: string; planVersionId: string };
let approvalApi: { apiVersionId: string; planVersionId: string };

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  const [p, c] = await Promise.all([makeUser(db, "manager"), makeUser(db, "portal")]);
  ({ org: { id: providerOrg }, owner: provider } = await makeOrg(db, p));
  consumer = c;
  consumerOrg = personalOrgId(consumer);
  openApi = await makePublishedApi(db, provider, providerOrg);
  approvalApi = await makePublishedApi(db, provider, providerOrg, { requiresApproval: true });
});
afterAll(() => open?.close());

/** The status a user sees, derived from the stored version and its contracts. */
async function statusOf(clientVersionId: string) {
  const [version] = await db.select().from(clientVersions).where(eq(clientVersions.id, clientVersionId));
  const rows = await db.select({ status: contracts.status }).from(contracts).where(eq(contracts.clientVersionId, clientVersionId));
  return clientVersionStatus(version, rows.map((r) => r.status));
}

async function readVersion(id: string) {
  const [row] = await db.select().from(clientVersions).where(eq(clientVersions.id, id));
  return row;
}

async function auditOf(entityId: string) {
  return db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId));
}

const sign = (clientVersionId: string, api: { apiVersionId: string; planVersionId: string }, actor = consumer) =>
  createContract(db, actor, { clientVersionId, ...api });

describe("client version status, derived from its contracts", () => {
  it("Created → AwaitingApproval → Registered, and back as contracts end", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    expect(await statusOf(clientVersionId)).toBe("Created");

    const pending = await sign(clientVersionId, approvalApi);
    expect(await statusOf(clientVersionId)).toBe("AwaitingApproval");
    await approveContract(db, provider, pending.id);
    expect(await statusOf(clientVersionId)).toBe("Registered");

    // A pending request outranks an active contract.
    const other = await makePublishedApi(db, provider, providerOrg, { requiresApproval: true });
    const second = await sign(clientVersionId, other);
    expect(await statusOf(clientVersionId)).toBe("AwaitingApproval");
    await withdrawContract(db, consumer, second.id);
    expect(await statusOf(clientVersionId)).toBe("Registered");

    await breakContract(db, consumer, { contractId: pending.id });
    expect(await statusOf(clientVersionId)).toBe("Created");
  });

  it("a rejected request leaves it Created", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    const request = await sign(clientVersionId, approvalApi);
    await rejectContract(db, provider, { contractId: request.id, reason: "Ask for bronze" });
    expect(await statusOf(clientVersionId)).toBe("Created");
  });

  it("Retired wins over any contract", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    await sign(clientVersionId, openApi);
    expect(await statusOf(clientVersionId)).toBe("Registered");
    await retireClientVersion(db, consumer, clientVersionId);
    expect(await statusOf(clientVersionId)).toBe("Retired");
  });
});

describe("createClient", () => {
  it("creates version 1.0 with a ptk_ key of at least 128 bits; audited; the gateway is told", async () => {
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    const { client, version } = await createClient(db, consumer, { orgId: consumerOrg, name: "Weather Dashboard" });
    stop();
    expect(client).toMatchObject({ orgId: consumerOrg, slug: "weather-dashboard", name: "Weather Dashboard" });
    expect(version).toMatchObject({ clientId: client.id, version: "1.0", retiredAt: null, previousApiKeyDigest: null });
    expect(version.apiKey).toMatch(/^ptk_[A-Za-z0-9_-]{22,}$/);
    expect(Buffer.from(version.apiKey.slice(4), "base64url").length).toBeGreaterThanOrEqual(16);
    expect(seen).toContain(`clientVersion:${version.id}`);
    const events = await auditOf(client.id);
    expect(events.map((e) => e.action)).toContain("client.created");
    expect(JSON.stringify(events)).not.toContain(version.apiKey);
  });

  it("gives every client version its own key", async () => {
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => createClient(db, consumer, { orgId: consumerOrg, name: "Many", slug: `many-${i}` })));
    const { client } = made[0];
    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0" });
    const keys = [...made.map((m) => m.version.apiKey), v2.apiKey];
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key.startsWith("ptk_")).toBe(true);
  });

  it("the database refuses a key that is already in use", async () => {
    const a = await makeClient(db, consumer, consumerOrg);
    const b = await makeClient(db, consumer, consumerOrg);
    const error = await db
      .update(clientVersions)
      .set({ apiKeyDigest: digestApiKey(a.apiKey) })
      .where(eq(clientVersions.id, b.clientVersionId))
      .then(() => null, (e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("derives the slug from the name, suffixed when taken; a given slug must be free (slug_taken)", async () => {
    const first = await createClient(db, consumer, { orgId: consumerOrg, name: "Mobile App" });
    const second = await createClient(db, consumer, { orgId: consumerOrg, name: "Mobile app!" });
    expect([first.client.slug, second.client.slug]).toEqual(["mobile-app", "mobile-app-2"]);
    await expectCode(createClient(db, consumer, { orgId: consumerOrg, name: "Third", slug: "mobile-app" }), "slug_taken", 409);
  });
});

describe("createClientVersion", () => {
  it("a new version gets a new key and starts Created; a version number is used once (version_exists)", async () => {
    const { client, apiKey } = await makeClient(db, consumer, consumerOrg);
    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0" });
    expect(v2.apiKey).not.toBe(apiKey);
    expect(await statusOf(v2.id)).toBe("Created");
    expect((await auditOf(v2.id)).map((e) => e.action)).toContain("client_version.created");
    await expectCode(createClientVersion(db, consumer, { clientId: client.id, version: "2.0" }), "version_exists", 409);
  });

  it("copying contracts signs the live ones again under the rules: active stays active, pending asks again, ended ones stay behind", async () => {
    const { client, clientVersionId: v1 } = await makeClient(db, consumer, consumerOrg);
    const ended = await makePublishedApi(db, provider, providerOrg);
    await sign(v1, openApi);
    await sign(v1, approvalApi);
    const gone = await sign(v1, ended);
    await breakContract(db, consumer, { contractId: gone.id });

    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0", copyContractsFromVersionId: v1 });
    const copied = await db.select().from(contracts).where(eq(contracts.clientVersionId, v2.id));
    expect(copied.map((c) => [c.apiVersionId, c.planVersionId, c.status]).sort()).toEqual(
      [
        [openApi.apiVersionId, openApi.planVersionId, "Active"],
        [approvalApi.apiVersionId, approvalApi.planVersionId, "AwaitingApproval"],
      ].sort(),
    );
    expect(await statusOf(v2.id)).toBe("AwaitingApproval");
    // The source keeps its own contracts.
    expect(await statusOf(v1)).toBe("AwaitingApproval");
  });

  it("refuses the copy when a contract's API was retired in between, and leaves no half-made version", async () => {
    const { client, clientVersionId: v1 } = await makeClient(db, consumer, consumerOrg);
    const retiring = await makePublishedApi(db, provider, providerOrg);
    await sign(v1, openApi);
    await sign(v1, retiring);
    await retireApiVersion(db, provider, retiring.apiVersionId);

    await expectCode(
      createClientVersion(db, consumer, { clientId: client.id, version: "2.0", copyContractsFromVersionId: v1 }),
      "api_not_published",
      409,
    );
    expect(await db.select().from(clientVersions).where(and(eq(clientVersions.clientId, client.id), eq(clientVersions.version, "2.0")))).toEqual([]);
    // Once the dead contract is ended, the same copy goes through.
    const [dead] = await db.select().from(contracts).where(and(eq(contracts.clientVersionId, v1), eq(contracts.apiVersionId, retiring.apiVersionId)));
    await breakContract(db, consumer, { contractId: dead.id });
    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0", copyContractsFromVersionId: v1 });
    expect(await statusOf(v2.id)).toBe("Registered");
  });

  it("copies only from a version of the same client (client_not_found), leaving nothing behind", async () => {
    const { client } = await makeClient(db, consumer, consumerOrg);
    const other = await makeClient(db, consumer, consumerOrg);
    await expectCode(
      createClientVersion(db, consumer, { clientId: client.id, version: "2.0", copyContractsFromVersionId: other.clientVersionId }),
      "client_not_found",
    );
    expect(await db.select().from(clientVersions).where(eq(clientVersions.clientId, client.id))).toHaveLength(1);
  });
});

describe("retireClientVersion", () => {
  it("retires at once: the version is marked retired, audited, and the gateway is told", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    await sign(clientVersionId, openApi);
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    await retireClientVersion(db, consumer, clientVersionId);
    stop();
    expect((await readVersion(clientVersionId)).retiredAt).toBeInstanceOf(Date);
    expect(seen).toContain(`clientVersion:${clientVersionId}`);
    expect((await auditOf(clientVersionId)).map((e) => e.action)).toContain("client_version.retired");
  });

  it("is final: no second retire, no new key, no new contract", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    await retireClientVersion(db, consumer, clientVersionId);
    const retiredAt = (await readVersion(clientVersionId)).retiredAt;
    await expectCode(retireClientVersion(db, consumer, clientVersionId), "client_retired", 409);
    await expectCode(rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 0 }), "client_retired");
    await expectCode(sign(clientVersionId, openApi), "client_retired");
    expect((await readVersion(clientVersionId)).retiredAt).toEqual(retiredAt);
  });
});

describe("deleteClient", () => {
  it("is refused while a version has a live contract (client_has_contracts), allowed once they end", async () => {
    const { client, clientVersionId } = await makeClient(db, consumer, consumerOrg);
    const active = await sign(clientVersionId, openApi);
    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0" });
    const pending = await sign(v2.id, approvalApi);

    await expectCode(deleteClient(db, consumer, client.id), "client_has_contracts", 409);
    await breakContract(db, consumer, { contractId: active.id });
    await expectCode(deleteClient(db, consumer, client.id), "client_has_contracts");
    await withdrawContract(db, consumer, pending.id);

    await deleteClient(db, consumer, client.id);
    expect(await db.select().from(clients).where(eq(clients.id, client.id))).toEqual([]);
    expect(await db.select().from(clientVersions).where(eq(clientVersions.clientId, client.id))).toEqual([]);
    expect((await auditOf(client.id)).map((e) => e.action)).toContain("client.deleted");
  });

  it("a client that never signed is deleted at once; an unknown one is client_not_found", async () => {
    const { client } = await makeClient(db, consumer, consumerOrg);
    await deleteClient(db, consumer, client.id);
    await expectCode(deleteClient(db, consumer, client.id), "client_not_found", 404);
  });
});

describe("rotateApiKey", () => {
  it("with grace 0 the old key dies at once", async () => {
    const { clientVersionId, apiKey: old } = await makeClient(db, consumer, consumerOrg);
    const rotated = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 0 });
    expect(rotated.apiKey).not.toBe(old);
    expect(rotated.apiKey.startsWith("ptk_")).toBe(true);
    expect(rotated).toMatchObject({ previousApiKeyDigest: null, previousApiKeySealed: null, previousApiKeyExpiresAt: null });
    const holders = await db.select().from(clientVersions).where(or(eq(clientVersions.apiKeyDigest, digestApiKey(old)), eq(clientVersions.previousApiKeyDigest, digestApiKey(old))));
    expect(holders).toEqual([]);
    expect(await revealApiKey(db, consumer, clientVersionId)).toEqual({ apiKey: rotated.apiKey, previousApiKey: null, previousApiKeyExpiresAt: null });
  });

  it("with a grace period the old key is kept until it expires", async () => {
    const { clientVersionId, apiKey: old } = await makeClient(db, consumer, consumerOrg);
    const before = Date.now();
    const rotated = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 3600 });
    const after = Date.now();
    expect(rotated.apiKey).not.toBe(old);
    expect(rotated.previousApiKeyDigest).toBe(digestApiKey(old));
    const expires = rotated.previousApiKeyExpiresAt!.getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(after + 3600_000 + 1000);
    expect(await revealApiKey(db, consumer, clientVersionId)).toMatchObject({ apiKey: rotated.apiKey, previousApiKey: old });
  });

  it("a second rotation replaces the previous key with the one just retired", async () => {
    const { clientVersionId, apiKey: first } = await makeClient(db, consumer, consumerOrg);
    const second = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 600 });
    const third = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 600 });
    expect(await revealApiKey(db, consumer, clientVersionId)).toMatchObject({ apiKey: third.apiKey, previousApiKey: second.apiKey });
    expect(new Set([first, second.apiKey, third.apiKey]).size).toBe(3);
    const holders = await db.select().from(clientVersions).where(or(eq(clientVersions.apiKeyDigest, digestApiKey(first)), eq(clientVersions.previousApiKeyDigest, digestApiKey(first))));
    expect(holders).toEqual([]);
  });

  it("once the grace period is over, the previous key is no longer shown", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 60 });
    await db.update(clientVersions).set({ previousApiKeyExpiresAt: new Date(Date.now() - 1000) }).where(eq(clientVersions.id, clientVersionId));
    expect(await revealApiKey(db, consumer, clientVersionId)).toMatchObject({ previousApiKey: null, previousApiKeyExpiresAt: null });
  });

  it("accepts up to 7 days, refuses more, negatives and fractions (validation_failed)", async () => {
    const { clientVersionId } = await makeClient(db, consumer, consumerOrg);
    await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: MAX_KEY_GRACE_SECONDS });
    const before = await readVersion(clientVersionId);
    for (const graceSeconds of [MAX_KEY_GRACE_SECONDS + 1, 30 * 24 * 3600, -1, 1.5]) {
      const error = await expectCode(rotateApiKey(db, consumer, { clientVersionId, graceSeconds }), "validation_failed", 400);
      expect(error.fields).toHaveProperty("graceSeconds");
    }
    expect((await readVersion(clientVersionId)).apiKeyDigest).toBe(before.apiKeyDigest);
  });

  it("is audited with the grace period, never with a key; the gateway is told", async () => {
    const { clientVersionId, apiKey: old } = await makeClient(db, consumer, consumerOrg);
    const seen: string[] = [];
    const stop = onChanges((changes) => changes.forEach((c) => seen.push(`${c.kind}:${c.id}`)));
    const rotated = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 120 });
    stop();
    expect(seen).toContain(`clientVersion:${clientVersionId}`);
    const events = await auditOf(clientVersionId);
    expect(events.find((e) => e.action === "client_version.key_rotated")?.details).toMatchObject({ graceSeconds: 120 });
    expect(JSON.stringify(events)).not.toContain(old);
    expect(JSON.stringify(events)).not.toContain(rotated.apiKey);
  });
});

describe("revealApiKey", () => {
  let orgId: string;
  let owner: Actor;
  let clientVersionId: string;
  let apiKey: string;
  const memberWith = async (role: "viewer" | "api-developer" | "client-developer", profile: "portal" | "manager") => {
    const user = await makeUser(db, profile);
    await addMember(db, owner, { orgId, email: user.email, role });
    return refresh(db, user);
  };

  beforeAll(async () => {
    ({ org: { id: orgId }, owner } = await makeOrg(db, await makeUser(db, "manager")));
    ({ clientVersionId, apiKey } = await makeClient(db, owner, orgId));
  });

  it("shows the key to users with clientView in the client's organization, and to admins", async () => {
    for (const actor of [owner, await memberWith("viewer", "portal"), await memberWith("client-developer", "manager"), await makeUser(db, "admin")]) {
      expect((await revealApiKey(db, actor, clientVersionId)).apiKey).toBe(apiKey);
    }
  });

  it("hides it, and the client's existence, from everyone else (client_not_found)", async () => {
    for (const actor of [await memberWith("api-developer", "manager"), consumer, provider]) {
      await expectCode(revealApiKey(db, actor, clientVersionId), "client_not_found", 404);
    }
  });

  it("an unknown client version is client_not_found", async () => {
    await expectCode(revealApiKey(db, owner, crypto.randomUUID()), "client_not_found");
  });
});

describe("imported API keys", () => {
  const importedKey = () => `legacy-${"k".repeat(20)}.${crypto.randomUUID()}`;

  it("an owner imports a key for a new client and a new version; it is stored like any key and revealed as given", async () => {
    const key = importedKey();
    const { client, version } = await createClient(db, consumer, { orgId: consumerOrg, name: "Imported", apiKey: key });
    expect(version.apiKey).toBe(key);
    const [row] = await db.select().from(clientVersions).where(eq(clientVersions.id, version.id));
    expect(row.apiKeyDigest).toBe(digestApiKey(key));
    expect(row.apiKeySealed).not.toContain(key);
    expect((await revealApiKey(db, consumer, version.id)).apiKey).toBe(key);
    const second = importedKey();
    const v2 = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0", apiKey: second });
    expect(v2.apiKey).toBe(second);
  });

  it("only owners (and admins) may import: a client developer is forbidden", async () => {
    const developer = await makeUser(db, "portal");
    await addMember(db, provider, { orgId: providerOrg, email: developer.email, role: "client-developer" });
    await expectCode(createClient(db, await refresh(db, developer), { orgId: providerOrg, name: "No import", apiKey: importedKey() }), "forbidden", 403);
    const admin = await makeUser(db, "admin");
    expect((await createClient(db, admin, { orgId: providerOrg, name: "Admin import", apiKey: importedKey() })).version.apiKey).toBeDefined();
  });

  it("checks length and characters, with a field error on apiKey", async () => {
    for (const bad of ["short", "x".repeat(129), `${"a".repeat(40)} space`, `${"a".repeat(40)}/slash`, `${"a".repeat(40)}é`]) {
      const error = await expectCode(createClient(db, consumer, { orgId: consumerOrg, name: "Bad key", apiKey: bad }), "validation_failed", 400);
      expect(Object.keys(error.fields ?? {})).toEqual(["apiKey"]);
    }
    expect((await createClient(db, consumer, { orgId: consumerOrg, name: "Edge", apiKey: "A-z0._~".padEnd(32, "9") })).version.apiKey).toHaveLength(32);
  });

  it("refuses a key already in use, current or previous (key_taken), without saying whose", async () => {
    const { clientVersionId, apiKey } = await makeClient(db, provider, providerOrg);
    const error = await expectCode(createClient(db, consumer, { orgId: consumerOrg, name: "Copycat", apiKey }), "key_taken", 409);
    expect(error.message).not.toContain(clientVersionId);
    expect(error.fields?.apiKey).toBeDefined();
    await rotateApiKey(db, provider, { clientVersionId, graceSeconds: 60 });
    await expectCode(createClient(db, consumer, { orgId: consumerOrg, name: "Copycat 2", apiKey }), "key_taken");
    const key = importedKey();
    const results = await Promise.allSettled([1, 2].map((n) => createClient(db, consumer, { orgId: consumerOrg, name: `Race ${n}`, apiKey: key })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
