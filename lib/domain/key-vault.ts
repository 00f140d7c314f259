import { createCipheriv, createDecipheriv, createSecretKey, hash, hkdfSync, type KeyObject, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isNotNull, or, sql } from "drizzle-orm";
import { type Db, databaseSettingsFromEnv } from "@/db/client";
import { clientVersions } from "@/db/schema";
import { DomainError } from "./errors";

/**
 * API keys at rest. The database holds two things per key: its SHA-256 digest, which is all the
 * gateway needs to recognise it, and a copy sealed with AES-256-GCM under a secret that never
 * enters the database, which only Reveal (and the mask's last four characters) opens.
 */

/** The environment variable that gives the secret; without it, one is generated in the data directory. */
export const KEY_SECRET_ENV = "PORTICO_KEY_SECRET";
export const KEY_SECRET_FILE = "key-secret";
const MIN_SECRET_BYTES = 32;
const SEALED_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the gateway looks a key up by: SHA-256 of the key string, in hex (the migration computes the same in SQL). */
export function digestApiKey(key: string): string {
  return hash("sha256", key, "hex");
}

/** A sealed key that this secret cannot open: sealed under another secret, for another row, or damaged. */
export class KeyUnreadableError extends DomainError {
  constructor() {
    super(
      "key_unreadable",
      `This key was sealed with another secret (${KEY_SECRET_ENV}), or belongs to another client version, so it cannot be read here. ` +
        "The gateway still accepts it; rotate the key to get one that can be revealed.",
    );
  }
}

export interface KeyVault {
  /** Encrypts a key for one client version's row: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  seal(key: string, clientVersionId: string): string;
  /** The key sealed for this client version; KeyUnreadableError when it cannot be opened. */
  open(sealed: string, clientVersionId: string): string;
}

/** Reads a secret given as hex or base64(url); a clear error when it is malformed or too short. */
export function parseKeySecret(text: string, source = KEY_SECRET_ENV): Buffer {
  const value = text.trim();
  let bytes: Buffer | undefined;
  if (/^(?:[0-9a-f]{2})+$/i.test(value) && value.length >= MIN_SECRET_BYTES * 2) bytes = Buffer.from(value, "hex");
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) bytes = Buffer.from(value, "base64");
  if (!bytes) throw new Error(`${source} is not hex or base64url. Generate one with: openssl rand -base64 32`);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`${source} holds ${bytes.length} bytes; it needs at least ${MIN_SECRET_BYTES} random bytes. Generate one with: openssl rand -base64 32`);
  }
  return bytes;
}

export function createKeyVault(secret: Uint8Array): KeyVault {
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`The key secret needs at least ${MIN_SECRET_BYTES} bytes`);
  // Derived rather than used as is: the secret could then serve another purpose without the two ever meeting.
  const key: KeyObject = createSecretKey(Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "portico api key seal v1", 32)));
  return {
    seal(apiKey, clientVersionId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(clientVersionId, "utf8"));
      const body = Buffer.concat([cipher.update(apiKey, "utf8"), cipher.final()]);
      return [SEALED_VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
    },
    open(sealed, clientVersionId) {
      const [version, iv, tag, body, ...rest] = sealed.split(".");
      if (version !== SEALED_VERSION || body === undefined || rest.length > 0) throw new KeyUnreadableError();
      const ivBytes = Buffer.from(iv, "base64url");
      const tagBytes = Buffer.from(tag, "base64url");
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new KeyUnreadableError();
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, ivBytes, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(clientVersionId, "utf8"));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new KeyUnreadableError();
      }
    },
  };
}

/**
 * The secret of this deployment: PORTICO_KEY_SECRET when set, else the one kept in
 * `<dataDir>/key-secret`, generated (mode 0600) on first use like the auth secret.
 */
export function loadKeySecret(options: { env?: NodeJS.ProcessEnv; dataDir?: string } = {}): Buffer {
  const env = options.env ?? process.env;
  const given = env[KEY_SECRET_ENV];
  if (given?.trim()) return parseKeySecret(given);
  const dataDir = options.dataDir ?? databaseSettingsFromEnv(env).dataDir;
  const file = path.join(/*turbopackIgnore: true*/ dataDir, KEY_SECRET_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    // Written aside and linked into place: two processes starting together keep whichever came first, whole.
    const draft = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(draft, randomBytes(32).toString("base64url"), { mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      fs.unlinkSync(draft);
    }
  }
  return parseKeySecret(fs.readFileSync(file, "utf8"), file);
}

// One vault per process, shared by the portal's bundled code and the server entry, which load
// this module separately: hence globalThis (as for the database in db/client.ts).
interface ProcessKeyVault {
  vault?: KeyVault;
}
const processKeyVault: ProcessKeyVault = ((globalThis as Record<string, unknown>).__porticoKeyVault ??= {}) as ProcessKeyVault;

/** Makes `vault` the one this process seals and opens keys with (start-up, scripts and tests). */
export function installKeyVault(vault: KeyVault): void {
  processKeyVault.vault = vault;
}

/** The vault of this process, made on first use from the environment (see loadKeySecret). */
export function keyVault(): KeyVault {
  return (processKeyVault.vault ??= createKeyVault(loadKeySecret()));
}

export function sealApiKey(key: string, clientVersionId: string): string {
  return keyVault().seal(key, clientVersionId);
}

export function openApiKey(sealed: string, clientVersionId: string): string {
  return keyVault().open(sealed, clientVersionId);
}

/**
 * Seals the keys of rows written before keys were sealed, and empties their plain-text columns.
 * Idempotent, and safe at every start-up and in several processes at once: each batch is one
 * transaction over rows it locks, skipping those another process is sealing. Returns how many
 * rows it sealed.
 */
export async function sealLegacyApiKeys(db: Db, options: { vault?: KeyVault; batchSize?: number } = {}): Promise<number> {
  const vault = options.vault ?? keyVault();
  const batchSize = options.batchSize ?? 500;
  let sealed = 0;
  for (;;) {
    const count = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: clientVersions.id, key: clientVersions.legacyApiKey, previousKey: clientVersions.legacyPreviousApiKey })
        .from(clientVersions)
        .where(or(isNotNull(clientVersions.legacyApiKey), isNotNull(clientVersions.legacyPreviousApiKey)))
        .orderBy(clientVersions.id)
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return 0;
      const values = sql.join(
        rows.map(
          (r) =>
            sql`(${r.id}::uuid, ${r.key ? digestApiKey(r.key) : null}::text, ${r.key ? vault.seal(r.key, r.id) : null}::text,
                 ${r.previousKey ? digestApiKey(r.previousKey) : null}::text, ${r.previousKey ? vault.seal(r.previousKey, r.id) : null}::text)`,
        ),
        sql`, `,
      );
      // A column without plain text keeps what it has: only the keys found in plain text are replaced.
      await tx.execute(sql`
        update client_versions cv set
          api_key_digest = coalesce(v.digest, cv.api_key_digest),
          api_key_sealed = coalesce(v.sealed, cv.api_key_sealed),
          previous_api_key_digest = coalesce(v.previous_digest, cv.previous_api_key_digest),
          previous_api_key_sealed = coalesce(v.previous_sealed, cv.previous_api_key_sealed),
          api_key = null,
          previous_api_key = null
        from (values ${values}) as v(id, digest, sealed, previous_digest, previous_sealed)
        where cv.id = v.id`);
      return rows.length;
    });
    sealed += count;
    if (count < batchSize) return sealed;
  }
}
