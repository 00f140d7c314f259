import { hash, verify } from "@node-rs/argon2";
import { eq, like, or } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { memberships, organizations, users } from "@/db/schema";
import { audit } from "./audit";
import { DomainError, parseInput } from "./errors";
import { revokeUserSessions } from "./sessions";
import { revokeUserAccessTokens } from "./tokens";
import { firstFreeSlug, nameSchema, slugify } from "./slugs";
import { type Actor, type Profile, requireAdmin } from "./permissions";

export const emailSchema = z.string().trim().toLowerCase().email("Enter a valid email address").max(254);
export const passwordSchema = z.string().min(10, "At least 10 characters").max(200, "At most 200 characters");

const signUpSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  password: passwordSchema,
});

export type PublicUser = Pick<typeof users.$inferSelect, "id" | "email" | "name" | "profile">;

// OWASP's argon2id baseline: 19 MiB, 2 iterations.
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password. Unknown and disabled accounts cost one argon2 verification too,
 * so timing does not tell which emails have accounts.
 */
export async function verifyCredentials(db: Queryable, email: string, password: string): Promise<PublicUser | null> {
  const parsed = emailSchema.safeParse(email);
  const [user] = parsed.success ? await db.select().from(users).where(eq(users.email, parsed.data)) : [];
  if (!user || user.disabled) {
    dummyHash ??= hashPassword("portico-dummy-password");
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, password).catch(() => false);
  return ok ? { id: user.id, email: user.email, name: user.name, profile: user.profile } : null;
}

/** Creates the user's personal organization (slug from the email's local part) with role owner. */
async function createPersonalOrganization(tx: Queryable, user: PublicUser): Promise<string> {
  const base = slugify(user.email.split("@")[0]);
  const rows = await tx
    .select({ slug: organizations.slug })
    .from(organizations)
    .where(or(eq(organizations.slug, base), like(organizations.slug, `${base}-%`)));
  const slug = firstFreeSlug(base, new Set(rows.map((r) => r.slug)));
  const [org] = await tx
    .insert(organizations)
    .values({ slug, name: user.name, description: `Personal organization of ${user.name}` })
    .returning();
  await tx.insert(memberships).values({ userId: user.id, orgId: org.id, role: "owner" });
  return org.id;
}

/**
 * Inserts a user with its personal organization, inside the caller's transaction: what sign-up and a
 * first single sign-on both do. The email must be normalized (emailSchema) and free.
 */
export async function insertAccount(
  tx: Queryable,
  values: { email: string; name: string; passwordHash: string; profile: Profile },
  details: Record<string, unknown> = {},
): Promise<PublicUser> {
  const [user] = await tx.insert(users).values(values).returning({ id: users.id, email: users.email, name: users.name, profile: users.profile });
  const orgId = await createPersonalOrganization(tx, user);
  await audit(tx, null, { orgId, action: "user.created", entityType: "user", entityId: user.id, details: { email: user.email, profile: values.profile, ...details } });
  return user;
}

/** Creates an account and its personal organization. Sign-up gives the portal profile. */
export async function createUser(
  db: Db,
  input: { email: string; name: string; password: string },
  profile: Profile = "portal",
): Promise<PublicUser> {
  const data = parseInput(signUpSchema, input);
  const passwordHash = await hashPassword(data.password);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => insertAccount(tx, { email: data.email, name: data.name, passwordHash, profile }));
    } catch (error) {
      if (isUniqueViolation(error, "users_email_unique")) throw new DomainError("email_taken");
      // Someone signing up at the same moment took the same personal slug: pick the next free one.
      if (isUniqueViolation(error, "organizations_slug_unique") && attempt < 5) continue;
      throw error;
    }
  }
}

export const signUp = (db: Db, input: { email: string; name: string; password: string }) => createUser(db, input, "portal");

const profileSchema = z.object({ userId: z.string().uuid(), profile: z.enum(["portal", "manager", "admin"]), disabled: z.boolean().optional() });

/**
 * Admin only: changes a user's profile or disables the account; effective on the user's next
 * request. Disabling also ends every session and every access token of the user.
 */
export async function updateUserAccess(db: Db, actor: Actor, input: z.input<typeof profileSchema>): Promise<void> {
  requireAdmin(actor);
  const data = parseInput(profileSchema, input);
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ profile: data.profile, ...(data.disabled === undefined ? {} : { disabled: data.disabled }) })
      .where(eq(users.id, data.userId))
      .returning({ id: users.id });
    if (updated.length === 0) throw new DomainError("user_not_found");
    if (data.disabled) {
      await revokeUserSessions(tx, data.userId);
      await revokeUserAccessTokens(tx, data.userId);
    }
    await audit(tx, actor, { orgId: null, action: "user.access_changed", entityType: "user", entityId: data.userId, details: data });
  });
}

const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(200, "At most 200 characters"),
    newPassword: passwordSchema,
  })
  .refine((input) => input.newPassword !== input.currentPassword, { path: ["newPassword"], message: "Choose a password other than the current one" });

/**
 * The signed-in user replaces their password, proving they know the current one. Every session of
 * the user ends, the caller's included: whoever holds an old session cookie must sign in again.
 */
export async function changePassword(db: Db, actor: Actor, input: z.input<typeof changePasswordSchema>): Promise<void> {
  const data = parseInput(changePasswordSchema, input);
  const [user] = await db.select({ passwordHash: users.passwordHash, disabled: users.disabled }).from(users).where(eq(users.id, actor.userId));
  if (!user || user.disabled) throw new DomainError("user_not_found");
  if (!(await verify(user.passwordHash, data.currentPassword).catch(() => false))) {
    throw new DomainError("wrong_password", undefined, { currentPassword: "That is not your current password." });
  }
  const passwordHash = await hashPassword(data.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
    await revokeUserSessions(tx, actor.userId);
    await audit(tx, actor, { orgId: null, action: "user.password_changed", entityType: "user", entityId: actor.userId });
  });
}
