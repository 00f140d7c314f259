import { z } from "zod";

/** Every failure a domain rule can report: a stable code, an HTTP-like status and a default sentence. */
const ERRORS = {
  forbidden: [403, "You do not have permission to do that."],
  not_found: [404, "That does not exist."],
  validation_failed: [400, "Some fields need attention."],
  invalid_state: [409, "That cannot be done in the current state."],
  client_not_found: [404, "That client version does not exist."],
  client_retired: [409, "That client version is retired and cannot sign contracts."],
  client_has_contracts: [409, "That client still has live contracts; delete or withdraw them first."],
  api_not_found: [404, "That API version does not exist."],
  api_not_published: [409, "That API version is not published."],
  api_is_public: [409, "That API is public: it needs no contract and no API key."],
  endpoint_not_allowed: [400, "That endpoint is not allowed: the gateway may not forward traffic there."],
  api_not_ready: [409, "That API version is not ready: it needs an endpoint, and a plan unless it is public."],
  plan_not_found: [404, "That plan version does not exist."],
  plan_not_offered: [404, "That plan is not offered by this API version."],
  plan_not_locked: [409, "That plan version is not locked."],
  contract_not_found: [404, "That contract does not exist."],
  contract_exists: [409, "This client version already has a contract with this API version."],
  slug_taken: [409, "That identifier is already taken."],
  version_exists: [409, "That version already exists."],
  email_taken: [409, "An account with that email already exists."],
  user_not_found: [404, "No user has that email."],
  last_owner: [409, "An organization must keep at least one owner."],
  wrong_password: [400, "That is not your current password."],
  password_signin_off: [403, "Signing in with an email and password is turned off here: use single sign-on."],
  account_disabled: [403, "This account is disabled."],
  sso_email_missing: [400, "Your identity provider did not send an email address, and Portico needs one for your account."],
  sso_email_unverified: [409, "An account with that email already exists, and your identity provider does not say the email is verified: it cannot be linked."],
  sso_identity_conflict: [409, "That account is already linked to another identity at this provider."],
  reset_link_invalid: [400, "That password reset link is not valid. Ask for a new one."],
  reset_link_used: [410, "That password reset link was already used. Ask for a new one if you need to."],
  reset_link_expired: [410, "That password reset link has expired. Ask for a new one."],
  // Says nothing about which client holds the key, nor whether it is current or retired.
  key_taken: [409, "That API key cannot be used; choose another one."],
  key_unreadable: [409, "That API key cannot be read with this server's key secret."],
  // One sentence for unknown, malformed, revoked and expired tokens alike: the answer reveals nothing.
  token_invalid: [401, "That access token is not valid: it may be mistyped, revoked or expired."],
  token_read_only: [403, "That access token may only read; create a token with the read and write scope."],
  rate_limited: [429, "Too many requests with this access token; wait a moment and try again."],
  precondition_failed: [412, "That changed since you read it: read it again, then send your change with the new ETag."],
  idempotency_key_reused: [422, "That Idempotency-Key was already used for a different request."],
  idempotency_in_progress: [409, "A request with that Idempotency-Key is still being answered; retry in a moment."],
  unsupported_media_type: [415, "Send the body as JSON (Content-Type: application/json)."],
  body_too_large: [413, "That request body is too large."],
} as const satisfies Record<string, readonly [number, string]>;

export type DomainErrorCode = keyof typeof ERRORS;

export const DOMAIN_ERROR_CODES = Object.keys(ERRORS) as DomainErrorCode[];

/** The HTTP status a code is answered with. */
export function errorStatus(code: DomainErrorCode): number {
  return ERRORS[code][0];
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly status: number;
  /** Field name -> sentence, for validation failures. */
  readonly fields?: Record<string, string>;

  constructor(code: DomainErrorCode, message?: string, fields?: Record<string, string>) {
    super(message ?? ERRORS[code][1]);
    this.name = "DomainError";
    this.code = code;
    this.status = ERRORS[code][0];
    this.fields = fields;
  }
}

export function domainError(code: DomainErrorCode, message?: string): DomainError {
  return new DomainError(code, message);
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** Parses input with a zod schema, turning failures into a validation_failed DomainError. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join(".") || "_";
    fields[key] ??= issue.message;
  }
  const first = Object.entries(fields)[0];
  const message = first ? (first[0] === "_" ? first[1] : `${first[0]}: ${first[1]}`) : undefined;
  throw new DomainError("validation_failed", message, fields);
}
