import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { isUniqueViolation } from "@/db/client";
import { userIdentities, users } from "@/db/schema";
import { audit } from "./audit";
import { DomainError } from "./errors";
import type { Profile } from "./permissions";
import { isStorableText, TEXT_LIMITS } from "./text";
import { emailSchema, hashPassword, insertAccount, type PublicUser } from "./users";

/**
 * Single sign-on: an identity at an OpenID Connect provider (issuer + subject) belongs to one
 * Portico account. The first sign-in creates the account, or links an existing one with the same
 * email when the provider vouches for that email; later sign-ins find it by issuer and subject.
 */

/** What Portico reads from the provider's claims; lib/auth turns the raw claims into this. */
export interface IdentityClaims {
  issuer: string;
  subject: string;
  email?: unknown;
  emailVerified?: unknown;
  name?: unknown;
  /** The groups claim as the provider sent it: a list of names, or one name. */
  groups?: unknown;
}

/** AUTH_OIDC_ADMIN_GROUP and AUTH_OIDC_MANAGER_GROUP. */
export interface GroupMapping {
  adminGroup?: string;
  managerGroup?: string;
}

const claimsSchema = z.object({
  issuer: z.string().min(1).max(2000),
  // OpenID Connect caps the subject at 255 ASCII characters.
  subject: z.string().min(1).max(255),
});

/** The groups claim as a set of names; anything that is not a name is ignored. */
function groupNames(value: unknown): Set<string> {
  const list = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return new Set(list.filter((entry): entry is string => typeof entry === "string"));
}

/**
 * The profile a sign-in leaves the user with. Each group setting manages its own profile: when it is
 * set, membership of the group grants the profile and its absence takes it away, at every sign-in.
 * A profile whose group setting is unset is left as an administrator set it.
 */
export function profileFromGroups(current: Profile, groups: unknown, mapping: GroupMapping): Profile {
  const { adminGroup, managerGroup } = mapping;
  if (!adminGroup && !managerGroup) return current;
  const names = groupNames(groups);
  if (adminGroup && names.has(adminGroup)) return "admin";
  if (!adminGroup && current === "admin") return "admin";
  if (managerGroup && names.has(managerGroup)) return "manager";
  if (!managerGroup && current === "manager") return "manager";
  return "portal";
}

/** The account's display name: the provider's name when it can be stored, else the email's local part. */
function displayName(name: unknown, email: string): string {
  const text = typeof name === "string" ? name.trim().slice(0, TEXT_LIMITS.name).replace(/[\ud800-\udbff]$/, "") : "";
  if (text && isStorableText(text)) return text;
  return email.split("@")[0].slice(0, TEXT_LIMITS.name) || "User";
}

type Account = typeof users.$inferSelect;

const publicUser = (user: Pick<Account, "id" | "email" | "name" | "profile">): PublicUser => ({ id: user.id, email: user.email, name: user.name, profile: user.profile });

/** Applies the group mapping to a signed-in account, recording a change in the audit log. */
async function applyGroups(tx: Queryable, user: Account, groups: unknown, mapping: GroupMapping): Promise<Account> {
  const profile = profileFromGroups(user.profile, groups, mapping);
  if (profile === user.profile) return user;
  await tx.update(users).set({ profile }).where(eq(users.id, user.id));
  await audit(tx, null, {
    orgId: null,
    action: "user.access_changed",
    entityType: "user",
    entityId: user.id,
    details: { userId: user.id, profile, from: user.profile, by: "single-sign-on-groups" },
  });
  return { ...user, profile };
}

/**
 * Signs in with a provider's identity: finds the linked account, links an existing account whose
 * email the provider says is verified, or creates an account (profile and personal organization, as
 * sign-up does). Refuses disabled accounts, and an unverified email that an account already holds.
 */
export async function signInWithIdentity(db: Db, claims: IdentityClaims, mapping: GroupMapping = {}, now = new Date()): Promise<PublicUser> {
  const parsed = claimsSchema.safeParse(claims);
  // The provider's answer was already checked by the sign-in library; a broken one is not the user's doing.
  if (!parsed.success) throw new DomainError("validation_failed", "Your identity provider sent an answer Portico cannot use.");
  const { issuer, subject } = parsed.data;

  const linked = await findLinkedAccount(db, issuer, subject);
  if (linked) {
    if (linked.disabled) throw new DomainError("account_disabled");
    return db.transaction(async (tx) => {
      await tx
        .update(userIdentities)
        .set({ lastSignInAt: now })
        .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)));
      return publicUser(await applyGroups(tx, linked, claims.groups, mapping));
    });
  }

  const email = emailSchema.safeParse(claims.email);
  if (!email.success) throw new DomainError("sso_email_missing");
  const verified = claims.emailVerified === true || claims.emailVerified === "true";

  // An account made here has no password of its own: the hash of a secret nobody keeps never matches.
  const passwordHash = await hashPassword(randomBytes(32).toString("base64url"));
  // An account made at the same moment (another tab, a sign-up) takes the email: look again once.
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const [existing] = await tx.select().from(users).where(eq(users.email, email.data));
        if (existing) {
          if (!verified) throw new DomainError("sso_email_unverified");
          if (existing.disabled) throw new DomainError("account_disabled");
          // Another subject of this provider already owns the account: the provider changed, or someone poses as its user.
          const [other] = await tx
            .select({ id: userIdentities.id })
            .from(userIdentities)
            .where(and(eq(userIdentities.userId, existing.id), eq(userIdentities.issuer, issuer)));
          if (other) throw new DomainError("sso_identity_conflict");
          await tx.insert(userIdentities).values({ userId: existing.id, issuer, subject, email: email.data, createdAt: now, lastSignInAt: now });
          await audit(tx, null, { orgId: null, action: "user.identity_linked", entityType: "user", entityId: existing.id, details: { issuer } });
          return publicUser(await applyGroups(tx, existing, claims.groups, mapping));
        }
        const profile = profileFromGroups("portal", claims.groups, mapping);
        const user = await insertAccount(tx, { email: email.data, name: displayName(claims.name, email.data), passwordHash, profile }, { issuer });
        await tx.insert(userIdentities).values({ userId: user.id, issuer, subject, email: email.data, createdAt: now, lastSignInAt: now });
        return user;
      });
    } catch (error) {
      const raced =
        isUniqueViolation(error, "users_email_unique") ||
        isUniqueViolation(error, "organizations_slug_unique") ||
        isUniqueViolation(error, "user_identities_issuer_subject_idx");
      if (raced && attempt < 3) {
        // The same identity was linked a moment ago: that link wins.
        const again = await findLinkedAccount(db, issuer, subject);
        if (again) return signInWithIdentity(db, claims, mapping, now);
        continue;
      }
      throw error;
    }
  }
}

async function findLinkedAccount(db: Queryable, issuer: string, subject: string): Promise<Account | undefined> {
  const [row] = await db
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)));
  return row?.user;
}

/** The account an identity is linked to, if it is linked and the account is not disabled. */
export async function linkedUserId(db: Queryable, issuer: string, subject: string): Promise<string | null> {
  const user = await findLinkedAccount(db, issuer, subject);
  return user && !user.disabled ? user.id : null;
}
