import { randomBytes } from "node:crypto";
import NextAuth, { AuthError, CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { Provider } from "next-auth/providers";
import { headers as requestHeaders } from "next/headers";
import { getDb } from "@/db/client";
import { readConfig } from "@/lib/config";
import { isDomainError } from "@/lib/domain/errors";
import { linkedUserId, signInWithIdentity } from "@/lib/domain/identities";
import { loadActor } from "@/lib/domain/permissions";
import { createSession, revokeSession, SESSION_LIFETIME_MS, verifySession } from "@/lib/domain/sessions";
import { verifyCredentials } from "@/lib/domain/users";
import { readAuthSettings } from "./settings";
import { cancelSignInAttempt, clientAddress, reserveSignInAttempt, signInAttemptSucceeded } from "./throttle";

const settings = { ...readConfig(), ...readAuthSettings() };

/** A sign-in refused before its password was checked; `retryAfter` is in seconds. */
export class TooManyAttempts extends CredentialsSignin {
  code = "throttled";
  constructor(readonly retryAfter: number) {
    super();
  }
}

export function isTooManyAttempts(error: unknown): error is TooManyAttempts {
  return error instanceof CredentialsSignin && error.code === "throttled";
}

/** A password sign-in while AUTH_PASSWORD_SIGNIN=false: refused before anything is checked. */
export class PasswordSignInOff extends CredentialsSignin {
  code = "password_signin_off";
}

/** The id of the OpenID Connect provider: its callback is /api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";

/** What the sign-in page offers: password sign-in, and single sign-on under the provider's name. */
export function signInMethods(): { password: boolean; sso: { name: string } | null } {
  return { password: settings.passwordSignIn, sso: settings.oidc ? { name: settings.oidc.name } : null };
}

/** Where this request comes from, as the sign-in throttle counts it. */
export function requestAddress(headers: Headers): string {
  return clientAddress(headers, settings.trustProxy);
}

// A one-time pass lives a minute, in this process only: it never leaves the server.
const TICKET_LIFETIME_MS = 60_000;
const tickets: Map<string, { userId: string; expiresAt: number }> = ((globalThis as Record<string, unknown>).__porticoSignInTickets ??= new Map()) as Map<
  string,
  { userId: string; expiresAt: number }
>;

/**
 * A one-time pass that signs a user in without a password, for a server action that has just
 * proven who the user is (an account created a moment ago, a password just changed). It is not a
 * password guess, so the throttle does not see it.
 */
export function issueSignInTicket(userId: string): string {
  const now = Date.now();
  for (const [ticket, entry] of tickets) if (entry.expiresAt <= now) tickets.delete(ticket);
  const ticket = randomBytes(32).toString("base64url");
  tickets.set(ticket, { userId, expiresAt: now + TICKET_LIFETIME_MS });
  return ticket;
}

function redeemSignInTicket(ticket: unknown): string | null {
  if (typeof ticket !== "string") return null;
  const entry = tickets.get(ticket);
  tickets.delete(ticket);
  return entry && entry.expiresAt > Date.now() ? entry.userId : null;
}

// The portal's own URL says https, or (behind trusted proxies only) the proxy says the client used it.
const httpsOrigin = /^https:/i.test(process.env.AUTH_URL || settings.portalUrl);

async function servedOverHttps(request: Request | undefined): Promise<boolean> {
  if (httpsOrigin) return true;
  if (settings.trustProxy === 0) return false;
  const protocols = ((request?.headers ?? (await requestHeaders())).get("x-forwarded-proto") ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const client = protocols.length >= settings.trustProxy ? protocols[protocols.length - settings.trustProxy] : protocols[0];
  return client === "https";
}

/**
 * Over https every portal cookie is `__Host-`: Secure, Path=/ and no Domain, so no other host or
 * path can set or read it. Over plain http (local use) browsers refuse those, so the names are bare.
 */
function cookieSettings(secure: boolean): Pick<NextAuthConfig, "useSecureCookies" | "cookies"> {
  const prefix = secure ? "__Host-" : "";
  const options = { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
  return {
    useSecureCookies: secure,
    cookies: {
      sessionToken: { name: `${prefix}authjs.session-token`, options },
      callbackUrl: { name: `${prefix}authjs.callback-url`, options },
      csrfToken: { name: `${prefix}authjs.csrf-token`, options },
    },
  };
}

const SESSION_SECONDS = SESSION_LIFETIME_MS / 1000;

/**
 * The OpenID Connect provider when AUTH_OIDC_ISSUER is set: authorization code flow with PKCE and
 * state. Email, email_verified, name and the groups claim are read from the ID token.
 */
function oidcProviders(): Provider[] {
  const oidc = settings.oidc;
  if (!oidc) return [];
  return [
    {
      id: OIDC_PROVIDER_ID,
      name: oidc.name,
      type: "oidc",
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      checks: ["pkce", "state"],
      authorization: { params: { scope: "openid profile email" } },
    },
  ];
}

const base: NextAuthConfig = {
  session: { strategy: "jwt", maxAge: SESSION_SECONDS },
  // Sign-in errors (a refused or failed single sign-on) land on the sign-in page, which explains them.
  pages: { signIn: "/login", error: "/login" },
  trustHost: true,
  logger: {
    // A failed sign-in is expected traffic, not a server error: one line, no stack, no email.
    error(error) {
      const type = (error as { type?: string }).type;
      if (type === "CredentialsSignin") console.warn("[auth] failed sign-in");
      // One line with the error's kind and message: its cause may carry the provider's answer, tokens included.
      else if (error instanceof AuthError) console.error(`[auth] ${type}: ${error.message.split("\n")[0]}`);
      else console.error(error);
    },
    // Auth.js's debug lines include the submitted form, password and all.
    debug() {},
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        if (!settings.passwordSignIn) throw new PasswordSignInOff();
        const email = String(credentials?.email ?? "");
        const password = String(credentials?.password ?? "");
        const address = requestAddress(request.headers);
        const wait = reserveSignInAttempt(email, address);
        if (wait > 0) throw new TooManyAttempts(wait);
        let user;
        try {
          user = await verifyCredentials(await getDb(), email, password);
        } catch (error) {
          cancelSignInAttempt(email, address);
          throw error;
        }
        if (!user) return null;
        signInAttemptSucceeded(email, address);
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
    Credentials({
      id: "ticket",
      name: "Sign-in ticket",
      credentials: { ticket: {} },
      async authorize(credentials) {
        const userId = redeemSignInTicket(credentials?.ticket);
        // Re-read: an account disabled in the meantime does not get in.
        const actor = userId ? await loadActor(await getDb(), userId) : null;
        return actor ? { id: actor.userId, email: actor.email, name: actor.name } : null;
      },
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    // Single sign-on: the provider's identity becomes a Portico account here, or the sign-in is refused with a code the login page explains.
    async signIn({ account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      const oidc = settings.oidc;
      if (!oidc || !profile) return "/login?error=sso_failed";
      try {
        await signInWithIdentity(
          await getDb(),
          {
            issuer: oidc.issuer,
            subject: account.providerAccountId,
            email: profile.email,
            emailVerified: profile.email_verified,
            name: profile.name ?? profile.preferred_username,
            groups: profile[oidc.groupsClaim],
          },
          { adminGroup: oidc.adminGroup, managerGroup: oidc.managerGroup },
        );
        return true;
      } catch (error) {
        if (isDomainError(error)) {
          console.warn(`[auth] single sign-on refused: ${error.code}`);
          return `/login?error=${error.code}`;
        }
        throw error;
      }
    },
    async jwt({ token, user, account, trigger }) {
      if ((trigger === "signIn" || trigger === "signUp") && account?.provider === OIDC_PROVIDER_ID) {
        // Auth.js gives an OAuth user a random id: the account is the one the signIn callback linked to this subject.
        const db = await getDb();
        const userId = settings.oidc ? await linkedUserId(db, settings.oidc.issuer, account.providerAccountId) : null;
        if (!userId) return null;
        const { sessionId } = await createSession(db, userId);
        return { ...token, sub: userId, uid: userId, sid: sessionId };
      }
      if ((trigger === "signIn" || trigger === "signUp") && user?.id) {
        const { sessionId } = await createSession(await getDb(), user.id);
        return { ...token, uid: user.id, sid: sessionId };
      }
      // Every later read: a session whose row is gone (signed out, password changed, user disabled) is over.
      const userId = await verifySession(await getDb(), token.sid);
      return userId && userId === token.uid ? token : null;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
  events: {
    async signOut(message) {
      if ("token" in message && message.token) await revokeSession(await getDb(), message.token.sid);
    },
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(async (request) => ({ ...base, ...cookieSettings(await servedOverHttps(request)) }));
