import { z } from "zod";
import { slugFromName } from "./slug-text";
import { multilineText, plainText, TEXT_LIMITS } from "./text";

export const slugSchema = z
  .string()
  .trim()
  .min(1, "Required")
  .max(64, "At most 64 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "Use lowercase letters, digits and dashes");

export const versionSchema = z
  .string()
  .trim()
  .min(1, "Required")
  .max(32, "At most 32 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Use letters, digits, dots, dashes and underscores");

export const nameSchema = plainText({ max: TEXT_LIMITS.name, min: 1 });
export const descriptionSchema = multilineText({ max: TEXT_LIMITS.description }).default("");

/** A URL-safe identifier from a display name: "Weather Dashboard" -> "weather-dashboard". */
export function slugify(name: string): string {
  return slugFromName(name) || "item";
}

/** The first of slug, slug-2, slug-3… that `taken` does not hold. */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
