import "server-only";
import { isDomainError } from "@/lib/domain/errors";
import { usageSeriesCsv, type UsagePoint } from "@/lib/domain/usage";
import { rangeErrorOf } from "./load";

/** A file name safe in a Content-Disposition header: letters, digits, dots and dashes only. */
export function csvFileName(...parts: string[]): string {
  const name = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${name || "usage"}.csv`;
}

/** The series as a CSV download. */
export function usageCsvResponse(fileName: string, points: readonly UsagePoint[]): Response {
  return new Response(usageSeriesCsv(points), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
    },
  });
}

/** What a CSV route answers when reading failed: 404 for what this user may not see, 400 with the sentence for a bad range. */
export function usageCsvError(error: unknown): Response {
  if (isDomainError(error) && error.status === 404) return plain(404, "Not found.");
  if (isDomainError(error, "validation_failed")) return plain(400, rangeErrorOf(error.fields, error.message));
  throw error;
}

export function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "private, no-store" } });
}
