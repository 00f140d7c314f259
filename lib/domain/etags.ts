import { createHash } from "node:crypto";
import { DomainError } from "./errors";

/**
 * ETags for resources a program edits (API version docs and settings, plan policies): a strong
 * validator over the representation's JSON. A write sent with If-Match is refused with 412 when
 * the resource changed since it was read, instead of overwriting someone else's change.
 */

export function etagOf(representation: unknown): string {
  return `"${createHash("sha256").update(JSON.stringify(representation)).digest("base64url").slice(0, 27)}"`;
}

/**
 * Refuses a stale If-Match. `ifMatch` is the header as sent (absent: no precondition; `*`: any);
 * a list of tags matches when one of them is current. Call it inside the transaction that writes,
 * after reading the row FOR UPDATE, so two writers with the same ETag cannot both succeed.
 */
export function checkIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (tags.includes("*") || tags.includes(current)) return;
  throw new DomainError("precondition_failed");
}
