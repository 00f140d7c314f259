import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { installDatabase } from "@/db/client";
import { createTestDatabase } from "@/db/test-database";
import { createApi, offerPlan, publishApiVersion } from "./apis";
import { createClient } from "./clients";
import { createKeyVault, installKeyVault } from "./key-vault";
import { createOrganization } from "./organizations";
import { type Actor, loadActor, type Profile } from "./permissions";
import { createPlan, lockPlanVersion } from "./plans";
import { createUser } from "./users";
import { type Policy, users } from "@/db/schema";
import { expect, inject } from "vitest";
import { DomainError } from "./errors";

/** One key secret per test process, made up here: tests never read or write a key-secret file. */
export const testKeyVault = createKeyVault(randomBytes(32));

/** Opens a fresh database for a test file and makes it the process database, with the test key vault. */
export async function openTestDb() {
  const open = await createTestDatabase({ pgliteTemplate: inject("pgliteTemplate") });
  installDatabase(open);
  installKeyVault(testKeyVault);
  return open;
}

const unique = () => randomBytes(4).toString("hex");

export async function makeUser(db: Db, profile: Profile, name = `${profile} ${unique()}`): Promise<Actor> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@example.test`;
  const user = await createUser(db, { email, name, password: "correct horse battery" }, profile);
  return (await loadActor(db, user.id))!;
}

/**
 * A user row without a personal organization or a real password hash: cheap, for tests that only
 * need someone to add to an organization. Cannot sign in.
 */
export async function makeBareUser(db: Db, name = `Bare ${unique()}`) {
  const [user] = await db
    .insert(users)
    .values({ email: `bare.${unique()}@example.test`, name, passwordHash: "not-a-hash" })
    .returning();
  return user;
}

/** Asserts that the promise fails with a DomainError of that code (and status, when given). */
export async function expectCode(promise: Promise<unknown>, code: string, status?: number): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (status) expect((error as DomainError).status).toBe(status);
  return error as DomainError;
}

/** Re-reads an actor after its memberships changed. */
export async function refresh(db: Db, actor: Actor): Promise<Actor> {
  return (await loadActor(db, actor.userId))!;
}

export async function makeOrg(db: Db, owner: Actor) {
  const org = await createOrganization(db, owner, { slug: `org-${unique()}`, name: "Test Org" });
  return { org, owner: await refresh(db, owner) };
}

export async function makeLockedPlan(db: Db, actor: Actor, orgId: string, policies: Policy[] = [{ type: "rate-limit", limit: 5, period: "second" }]) {
  const { plan, version } = await createPlan(db, actor, { orgId, slug: `plan-${unique()}`, name: "Bronze", policies });
  await lockPlanVersion(db, actor, version.id);
  return { plan, planVersionId: version.id };
}

/** A published private API offering one locked plan. */
export async function makePublishedApi(db: Db, actor: Actor, orgId: string, options: { requiresApproval?: boolean } = {}) {
  const { planVersionId } = await makeLockedPlan(db, actor, orgId);
  const { api, version } = await createApi(db, actor, { orgId, slug: `api-${unique()}`, name: "Weather", endpoint: "http://127.0.0.1:9/weather" });
  await offerPlan(db, actor, { apiVersionId: version.id, planVersionId, requiresApproval: options.requiresApproval ?? false });
  await publishApiVersion(db, actor, version.id);
  return { api, apiVersionId: version.id, planVersionId };
}

export async function makeClient(db: Db, actor: Actor, orgId: string) {
  const { client, version } = await createClient(db, actor, { orgId, name: `Client ${unique()}` });
  return { client, clientVersionId: version.id, apiKey: version.apiKey };
}

/** The actor's personal organization id (the one created at sign-up). */
export function personalOrgId(actor: Actor): string {
  return [...actor.roles.keys()][0];
}
