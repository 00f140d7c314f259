/**
 * The sign-in settings: password sign-in and single sign-on with an OpenID Connect provider. Read
 * from the environment here, beside the rest of lib/auth. A half-made single sign-on setting is an
 * error with a sentence in the portal's log, not a sign-in button that fails.
 */

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's name on the sign-in button. */
  name: string;
  /** Members of these groups get the admin or manager profile (see lib/domain/identities.ts). */
  adminGroup?: string;
  managerGroup?: string;
  /** The claim that lists the user's groups. */
  groupsClaim: string;
}

export interface AuthSettings {
  /** AUTH_PASSWORD_SIGNIN=false turns off sign-in and sign-up with email and password. */
  passwordSignIn: boolean;
  /** Single sign-on, or null when AUTH_OIDC_ISSUER is not set. */
  oidc: OidcSettings | null;
}

export function readAuthSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  return { passwordSignIn: passwordSignIn(env.AUTH_PASSWORD_SIGNIN), oidc: oidcSettings(env) };
}

function passwordSignIn(value: string | undefined): boolean {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "true") return true;
  if (text === "false") return false;
  throw new Error(`AUTH_PASSWORD_SIGNIN must be true or false, not "${value}"`);
}

function oidcSettings(env: NodeJS.ProcessEnv): OidcSettings | null {
  const text = (name: string) => env[name]?.trim() || undefined;
  const issuer = text("AUTH_OIDC_ISSUER");
  if (!issuer) return null;
  const clientId = text("AUTH_OIDC_CLIENT_ID");
  const clientSecret = text("AUTH_OIDC_CLIENT_SECRET");
  if (!clientId || !clientSecret) throw new Error("AUTH_OIDC_ISSUER is set, so AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET must be set too");
  let protocol: string;
  try {
    protocol = new URL(issuer).protocol;
  } catch {
    throw new Error(`AUTH_OIDC_ISSUER must be the provider's issuer URL, not "${issuer}"`);
  }
  if (protocol !== "https:" && protocol !== "http:") throw new Error("AUTH_OIDC_ISSUER must be an https:// URL");
  return {
    // Kept as written: the provider's discovery document must announce exactly this issuer.
    issuer,
    clientId,
    clientSecret,
    name: text("AUTH_OIDC_NAME") ?? "single sign-on",
    adminGroup: text("AUTH_OIDC_ADMIN_GROUP"),
    managerGroup: text("AUTH_OIDC_MANAGER_GROUP"),
    groupsClaim: text("AUTH_OIDC_GROUPS_CLAIM") ?? "groups",
  };
}
