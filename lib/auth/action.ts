import { z } from "zod";
import { isDomainError } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { requireActor } from "./actor";

/** What every server action returns: a sentence for people, a code for programs. */
export type ActionResult<T = unknown> =
  | { ok: true; message?: string; data?: T }
  | { ok: false; error: string; code?: string; fields?: Record<string, string> };

export const initialActionResult = null as ActionResult | null;

/** FormData -> plain object; repeated names become arrays. */
export function formDataObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** Turns a thrown DomainError into a failed result; anything else is a bug and is rethrown. */
export function failure(error: unknown): ActionResult<never> {
  if (isDomainError(error)) return { ok: false, error: error.message, code: error.code, fields: error.fields };
  throw error;
}

/**
 * A server action that parses its form with zod and loads the signed-in actor before its body runs.
 * The body calls lib/domain, which makes every permission check.
 */
export function actorAction<S extends z.ZodType, T>(
  schema: S,
  body: (actor: Actor, input: z.output<S>) => Promise<ActionResult<T> | void>,
) {
  return async (_previous: ActionResult<T> | null, formData: FormData): Promise<ActionResult<T>> => {
    const actor = await requireActor();
    const parsed = schema.safeParse(formDataObject(formData));
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
      const [first] = Object.entries(fields);
      return { ok: false, error: first ? (first[0] === "_" ? first[1] : `${first[0]}: ${first[1]}`) : "Invalid input", code: "validation_failed", fields };
    }
    try {
      return (await body(actor, parsed.data)) ?? { ok: true };
    } catch (error) {
      return failure(error);
    }
  };
}
