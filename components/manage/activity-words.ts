/** Audit actions as people read them. */
const ACTIONS: Record<string, string> = {
  "organization.created": "Created the organization",
  "member.added": "Added a member",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "api.created": "Created the API",
  "api_version.created": "Created the API version",
  "api_version.updated": "Edited the API version",
  "api_version.plan_offered": "Offered a plan",
  "api_version.plan_withdrawn": "Withdrew a plan",
  "api_version.approval_changed": "Changed whether a plan needs approval",
  "api_version.published": "Published the API version",
  "api_version.retired": "Retired the API version",
  "plan.created": "Created the plan",
  "plan_version.created": "Created the plan version",
  "plan_version.policies_updated": "Changed the policies",
  "plan_version.locked": "Locked the plan version",
  "client.created": "Created the client",
  "client.deleted": "Deleted the client",
  "client_version.created": "Created the client version",
  "client_version.retired": "Retired the client version",
  "client_version.key_rotated": "Rotated the API key",
  "contract.created": "Requested a contract",
  "contract.approved": "Approved a contract",
  "contract.rejected": "Rejected a contract",
  "contract.withdrawn": "Withdrew a contract request",
  "contract.broken": "Broke a contract",
  "contract.plan_change_requested": "Asked to move a contract to another plan",
  "contract.plan_change_approved": "Approved a plan change",
  "contract.plan_change_rejected": "Rejected a plan change",
  "contract.plan_change_cancelled": "Cancelled a plan change",
  "contract.plan_changed": "Moved a contract to another plan",
  "contract.suspended": "Suspended a contract",
  "contract.resumed": "Resumed a contract",
  "contract.end_date_set": "Set a contract's end date",
  "contract.expired": "A contract expired",
  "plan_version.settings_updated": "Changed the duration or terms of use",
  "webhook_endpoint.created": "Registered a webhook endpoint",
  "webhook_endpoint.updated": "Changed a webhook endpoint",
  "webhook_endpoint.secret_rolled": "Rolled a webhook endpoint's signing secret",
  "webhook_endpoint.deleted": "Deleted a webhook endpoint",
  "user.created": "Signed up",
  "user.access_changed": "Changed a user's access",
};

export function describeAction(action: string, details: Record<string, unknown>): string {
  if (action === "contract.created" && details.status === "Active") return "Created a contract";
  if (action === "contract.plan_changed" && details.side !== "api") return "Changed a contract's plan";
  if (action === "contract.end_date_set" && details.endsAt === null) return "Removed a contract's end date";
  return ACTIONS[action] ?? action;
}

const DETAIL_LABELS: Record<string, string> = {
  slug: "identifier",
  planVersion: "plan version",
  requiresApproval: "requires approval",
  copiedFrom: "copied from",
  clientVersion: "client version",
  apiVersion: "API version",
  graceSeconds: "grace period",
  planVersionId: "plan version id",
  durationDays: "duration",
  termsLength: "terms of use",
  endsAt: "ends",
  importedKey: "imported key",
};

const moment = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function describeValue(key: string, value: unknown): string {
  if (key === "graceSeconds" && typeof value === "number") {
    if (value === 0) return "none";
    return value % 86400 === 0 ? `${value / 86400} day${value === 86400 ? "" : "s"}` : value % 3600 === 0 ? `${value / 3600} hours` : `${value} seconds`;
  }
  if (key === "policies" && Array.isArray(value)) {
    if (value.length === 0) return "unlimited";
    return value
      .map((p: { type?: string; limit?: number; period?: string }) => (p.type === "rate-limit" ? `${p.limit} requests per ${p.period}` : `${p.limit} per ${p.period}`))
      .join(", ");
  }
  if (key === "durationDays") return typeof value === "number" ? `${value} day${value === 1 ? "" : "s"}` : "no end";
  if (key === "termsLength" && typeof value === "number") return value === 0 ? "none" : `${value.toLocaleString("en-US")} characters`;
  if (key === "endsAt") return typeof value === "string" ? `${moment.format(new Date(value))} UTC` : "no end";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.join(", ");
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The details of an audit event as "label: value" pairs, leaving out empty ones. */
export function describeDetails(details: Record<string, unknown>): [string, string][] {
  return Object.entries(details)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([key, value]) => [DETAIL_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(), describeValue(key, value)]);
}
