import { sql } from "drizzle-orm";

/** The number of rows across all pages, as a column of every row of the page. */
export const totalOverPages = () => sql<number>`count(*) over ()`.mapWith(Number);

/** count(*) for counting again. */
export const countRows = () => sql<number>`count(*)`.mapWith(Number);

/**
 * The rows across all pages, read from the page's first row. A page past the last one has no rows
 * to read it from, so they are counted again: the pager still needs the total to offer a way back.
 */
export async function pageTotal(rows: readonly { total: number }[], page: number, countAgain: () => Promise<number>): Promise<number> {
  return rows.length > 0 || page <= 1 ? (rows[0]?.total ?? 0) : countAgain();
}
