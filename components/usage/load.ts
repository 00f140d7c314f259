import "server-only";
import { notFound } from "next/navigation";
import { isDomainError } from "@/lib/domain/errors";

export type Loaded<T> = { ok: true; data: T } | { ok: false; rangeError: string };

/**
 * A usage reading for a page: the data, the domain's sentence when the range in the URL is not
 * valid, or the 404 page when the object does not exist for this actor.
 */
export async function loadUsage<T>(load: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await load };
  } catch (error) {
    if (isDomainError(error) && error.status === 404) notFound();
    if (isDomainError(error, "validation_failed")) return { ok: false, rangeError: rangeErrorOf(error.fields, error.message) };
    throw error;
  }
}

/** The domain's sentences for the range, without the field names. */
export function rangeErrorOf(fields: Record<string, string> | undefined, message: string): string {
  const sentences = fields ? [...new Set(Object.values(fields))] : [];
  return sentences.length > 0 ? sentences.join(" ") : message;
}

/** The object a usage page is about, or the 404 page when it does not exist for this actor. */
export async function subjectOrNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (isDomainError(error) && (error.status === 404 || error.code === "validation_failed")) notFound();
    throw error;
  }
}
