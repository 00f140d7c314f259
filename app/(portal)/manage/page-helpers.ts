import { notFound } from "next/navigation";
import { isDomainError } from "@/lib/domain/errors";

export type SearchParams = Record<string, string | string[] | undefined>;

/** A management page's data, or the 404 page when the domain layer says it does not exist for this actor. */
export async function loadOrNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (isDomainError(error) && error.status === 404) notFound();
    throw error;
  }
}

export function param(query: SearchParams, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `{prefix}page` as a number, 1 when absent or malformed. */
export function pageNumber(query: SearchParams, prefix = ""): number {
  const n = Number.parseInt(param(query, `${prefix}page`) ?? "1", 10);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}
