import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { auditEvents, clientVersions } from "@/db/schema";
import { listMyClients } from "./clients";
import { createClientVersion, revealApiKey, rotateApiKey } from "./clients";
import {
  createKeyVault,
  digestApiKey,
  installKeyVault,
  KEY_SECRET_FILE,
  KeyUnreadableError,
  loadKeySecret,
  parseKeySecret,
  sealLegacyApiKeys,
} from "./key-vault";
import { generateApiKey, keyFingerprint } from "./keys";
import type { Actor } from "./permissions";
import { makeClient, makeUser, openTestDb, personalOrgId, testKeyVault } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let consumer: Actor;

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  consumer = await makeUser(db, "portal");
});
afterAll(() => open?.close());
afterEach(() => installKeyVault(testKeyVault));

/** Every row of client_versions, every column, as the text a dump would hold. */
async function dumpClientVersions(): Promise<string> {
  const result = (await db.execute(sql`select row_to_json(cv)::text as row from client_versions cv`)) as unknown as { rows: { row: string }[] };
  return result.rows.map((r) => r.row).join("\n");
}

/** The key in clear, and its random part alone in the encodings a careless column might use. */
function tracesOf(key: string): string[] {
  const secret = key.slice(4);
  return [key, secret, Buffer.from(secret, "base64url").toString("hex"), Buffer.from(secret, "base64url").toString("base64")];
}

describe("digestApiKey", () => {
  it("is SHA-256 in hex, as the migration computes it in SQL for existing keys", async () => {
    const key = generateApiKey();
    const result = (await db.execute(sql`select encode(sha256(convert_to(${key}::text, 'UTF8')), 'hex') as digest`)) as unknown as { rows: { digest: string }[] };
    expect(digestApiKey(key)).toBe(result.rows[0].digest);
    expect(digestApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives the fingerprint logs carry: its first 12 hex digits, as before", () => {
    const key = generateApiKey();
    expect(keyFingerprint(key)).toBe(digestApiKey(key).slice(0, 12));
  });
});

describe("keys at rest", () => {
  it("a dump of client_versions after creating and rotating keys holds none of them as text", async () => {
    const { client, clientVersionId, apiKey: first } = await makeClient(db, consumer, personalOrgId(consumer));
    const second = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 3600 });
    const third = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 3600 });
    const other = await createClientVersion(db, consumer, { clientId: client.id, version: "2.0" });
    const dump = await dumpClientVersions();
    const audit = JSON.stringify(await db.select().from(auditEvents));
    for (const key of [first, second.apiKey, third.apiKey, other.apiKey]) {
      for (const trace of tracesOf(key)) {
        expect(dump).not.toContain(trace);
        expect(audit).not.toContain(trace);
      }
    }
    // What is there instead: the digests the gateway looks keys up by, and sealed copies.
    expect(dump).toContain(digestApiKey(third.apiKey));
    expect(dump).toContain(digestApiKey(second.apiKey));
    const [row] = await db.select().from(clientVersions).where(eq(clientVersions.id, clientVersionId));
    expect(row).toMatchObject({ legacyApiKey: null, legacyPreviousApiKey: null });
    expect(row.apiKeySealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(row.previousApiKeySealed).toMatch(/^v1\./);
  });

  it("reveal opens the sealed copies: the key, and the previous one during its grace period", async () => {
    const { clientVersionId, apiKey: old } = await makeClient(db, consumer, personalOrgId(consumer));
    expect(await revealApiKey(db, consumer, clientVersionId)).toMatchObject({ apiKey: old, previousApiKey: null });
    const rotated = await rotateApiKey(db, consumer, { clientVersionId, graceSeconds: 600 });
    expect(await revealApiKey(db, consumer, clientVersionId)).toMatchObject({ apiKey: rotated.apiKey, previousApiKey: old });
  });

  it("a sealed key copied to another client version's row cannot be opened there", async () => {
    const a = await makeClient(db, consumer, personalOrgId(consumer));
    const b = await makeClient(db, consumer, personalOrgId(consumer));
    const [source] = await db.select().from(clientVersions).where(eq(clientVersions.id, a.clientVersionId));
    await db.update(clientVersions).set({ apiKeySealed: source.apiKeySealed }).where(eq(clientVersions.id, b.clientVersionId));
    const error = await revealApiKey(db, consumer, b.clientVersionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyUnreadableError);
    expect(testKeyVault.open(source.apiKeySealed!, a.clientVersionId)).toBe(a.apiKey);
    expect(() => testKeyVault.open(source.apiKeySealed!, b.clientVersionId)).toThrow(KeyUnreadableError);
  });

  it("a key sealed under another secret fails with a sentence naming PORTICO_KEY_SECRET; lists show it masked without its tail", async () => {
    const { client, clientVersionId, apiKey } = await makeClient(db, consumer, personalOrgId(consumer));
    installKeyVault(createKeyVault(randomBytes(32)));
    const error = await revealApiKey(db, consumer, clientVersionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyUnreadableError);
    expect((error as KeyUnreadableError).code).toBe("key_unreadable");
    expect((error as Error).message).toMatch(/sealed with another secret \(PORTICO_KEY_SECRET\)/);
    expect((error as Error).message).not.toContain(apiKey);
    const listed = (await listMyClients(db, consumer, { q: client.name })).clients.find((c) => c.id === client.id)!;
    expect(listed.selected.key.masked).toBe("ptk_••••••••");
    installKeyVault(testKeyVault);
    expect((await revealApiKey(db, consumer, clientVersionId)).apiKey).toBe(apiKey);
  });

  it("a damaged or unknown sealed format is unreadable, not a crash", () => {
    const id = randomUUID();
    const sealed = testKeyVault.seal("ptk_x", id);
    expect(sealed).not.toBe(testKeyVault.seal("ptk_x", id));
    const [version, iv, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body, "base64url").map((byte, i) => (i === 0 ? byte ^ 1 : byte));
    const tampered = [version, iv, tag, Buffer.from(flipped).toString("base64url")].join(".");
    for (const bad of ["", `v2${sealed.slice(2)}`, tampered, `${sealed}.x`, "v1.a.b.c"]) {
      expect(() => testKeyVault.open(bad, id), bad).toThrow(KeyUnreadableError);
    }
  });
});

describe("sealLegacyApiKeys", () => {
  /** A client version as the migration leaves a row written before sealing: plain text, and the digest computed in SQL. */
  async function legacyRow(withPrevious: boolean) {
    const { clientVersionId } = await makeClient(db, consumer, personalOrgId(consumer));
    const key = generateApiKey();
    const previous = withPrevious ? generateApiKey() : null;
    await db.execute(sql`
      update client_versions set
        api_key = ${key}, api_key_sealed = null, api_key_digest = encode(sha256(convert_to(${key}::text, 'UTF8')), 'hex'),
        previous_api_key = ${previous}::text, previous_api_key_sealed = null,
        previous_api_key_digest = case when ${previous}::text is null then null else encode(sha256(convert_to(${previous}::text, 'UTF8')), 'hex') end,
        previous_api_key_expires_at = case when ${previous}::text is null then null else now() + interval '1 hour' end
      where id = ${clientVersionId}::uuid`);
    return { clientVersionId, key, previous };
  }

  it("seals the plain-text keys, empties their columns, and reveal still works; a second run has nothing to do", async () => {
    const single = await legacyRow(false);
    const rotated = await legacyRow(true);
    // Before sealing, reveal and the mask read the plain text.
    expect(await revealApiKey(db, consumer, rotated.clientVersionId)).toMatchObject({ apiKey: rotated.key, previousApiKey: rotated.previous });

    expect(await sealLegacyApiKeys(db)).toBeGreaterThanOrEqual(2);
    const dump = await dumpClientVersions();
    for (const key of [single.key, rotated.key, rotated.previous!]) expect(dump).not.toContain(key.slice(4));
    const [row] = await db.select().from(clientVersions).where(eq(clientVersions.id, rotated.clientVersionId));
    expect(row).toMatchObject({ legacyApiKey: null, legacyPreviousApiKey: null, apiKeyDigest: digestApiKey(rotated.key), previousApiKeyDigest: digestApiKey(rotated.previous!) });
    expect(await revealApiKey(db, consumer, single.clientVersionId)).toMatchObject({ apiKey: single.key, previousApiKey: null });
    expect(await revealApiKey(db, consumer, rotated.clientVersionId)).toMatchObject({ apiKey: rotated.key, previousApiKey: rotated.previous });

    expect(await sealLegacyApiKeys(db)).toBe(0);
    expect(await dumpClientVersions()).toBe(dump);
  });

  it("works in batches until no plain text is left", async () => {
    const rows = await Promise.all(Array.from({ length: 12 }, () => legacyRow(false)));
    expect(await sealLegacyApiKeys(db, { batchSize: 5 })).toBe(12);
    const [{ left }] = ((await db.execute(sql`select count(*)::int as left from client_versions where api_key is not null or api_key_sealed is null`)) as unknown as { rows: { left: number }[] }).rows;
    expect(left).toBe(0);
    for (const { clientVersionId, key } of rows) expect((await revealApiKey(db, consumer, clientVersionId)).apiKey).toBe(key);
  });
});

describe("the key secret", () => {
  const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-key-secret-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("PORTICO_KEY_SECRET is read as hex or base64url, and refused with a sentence when malformed or short", () => {
    const bytes = randomBytes(32);
    expect(parseKeySecret(bytes.toString("hex"))).toEqual(bytes);
    expect(parseKeySecret(bytes.toString("base64url"))).toEqual(bytes);
    expect(parseKeySecret(`${bytes.toString("base64")}\n`)).toEqual(bytes);
    expect(() => parseKeySecret("not a secret!")).toThrow(/PORTICO_KEY_SECRET is not hex or base64url/);
    expect(() => parseKeySecret(randomBytes(16).toString("base64url"))).toThrow(/PORTICO_KEY_SECRET holds 16 bytes; it needs at least 32/);
    expect(() => loadKeySecret({ env: env({ PORTICO_KEY_SECRET: "short" }), dataDir: tempDir() })).toThrow(/PORTICO_KEY_SECRET/);
  });

  it("without PORTICO_KEY_SECRET, one is generated in the data directory (mode 0600) and kept", () => {
    const dataDir = path.join(tempDir(), "data");
    const first = loadKeySecret({ env: env({}), dataDir });
    const file = path.join(dataDir, KEY_SECRET_FILE);
    expect(first.length).toBe(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadKeySecret({ env: env({}), dataDir })).toEqual(first);
    expect(fs.readdirSync(dataDir)).toEqual([KEY_SECRET_FILE]);
    const given = randomBytes(32);
    expect(loadKeySecret({ env: env({ PORTICO_KEY_SECRET: given.toString("hex") }), dataDir })).toEqual(given);
  });

  it("two vaults on the same secret open each other's keys", () => {
    const secret = randomBytes(32);
    const id = randomUUID();
    expect(createKeyVault(secret).open(createKeyVault(secret).seal("ptk_same", id), id)).toBe("ptk_same");
  });
});
