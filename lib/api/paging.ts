import { z } from "zod";
import { DomainError, parseInput } from "@/lib/domain/errors";
import { MAX_PAGE } from "@/lib/domain/list-params";

/**
 * Paging of /api/v1 lists. The domain's lists page by page number, so the opaque `cursor` is
 * honestly just that page, as base64url JSON `{"page":n}`; `limit` is the page size. Both are
 * refused (400 validation_failed) when malformed, never read as a default.
 */

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const cursorBody = z.strictObject({ page: z.number().int().min(2).max(MAX_PAGE) });

const CURSOR_MESSAGE = "Pass the cursor of a previous answer's `next` unchanged.";

const pagingSchema = z.object({
  cursor: z
    .string()
    .max(200, CURSOR_MESSAGE)
    .regex(/^[A-Za-z0-9_-]+$/, CURSOR_MESSAGE)
    .transform((text, context) => {
      try {
        return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
      } catch {
        context.addIssue({ code: "custom", message: CURSOR_MESSAGE });
        return z.NEVER;
      }
    })
    .pipe(cursorBody.transform((c) => c.page))
    .optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, `A whole number from 1 to ${MAX_LIMIT}.`)
    .transform(Number)
    .pipe(z.number().min(1, `A whole number from 1 to ${MAX_LIMIT}.`).max(MAX_LIMIT, `A whole number from 1 to ${MAX_LIMIT}.`))
    .optional(),
});

export function encodeCursor(page: number): string {
  return Buffer.from(JSON.stringify({ page })).toString("base64url");
}

/** The page and page size a request asks for through `cursor` and `limit` (first values only). */
export function readPaging(url: URL): { page: number; pageSize: number } {
  const { cursor, limit } = parseInput(pagingSchema, {
    cursor: url.searchParams.get("cursor") ?? undefined,
    limit: url.searchParams.get("limit") ?? undefined,
  });
  return { page: cursor ?? 1, pageSize: limit ?? DEFAULT_LIMIT };
}

/** The next cursor and a `Link: <…>; rel="next"` header, when a page follows `page`. */
export function nextPage(url: URL, page: number, pageCount: number): { next: string | null; headers: Record<string, string> } {
  if (page >= pageCount) return { next: null, headers: {} };
  const next = encodeCursor(page + 1);
  const link = new URL(url);
  link.searchParams.set("cursor", next);
  return { next, headers: { link: `<${link.href}>; rel="next"` } };
}

/** A path segment as the URL carries it; one that cannot be decoded names nothing. */
export function pathSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new DomainError("not_found", "That API does not exist.");
  }
}
