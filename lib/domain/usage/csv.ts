import type { UsagePoint } from "./queries";

type Cell = string | number | Date | null | undefined;

/** Characters a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula gets a leading apostrophe; numbers and dates are written as is.
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (value instanceof Date) return value.toISOString();
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV, header first, lines ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export const USAGE_CSV_HEADER = ["time", "requests", "status_2xx", "status_3xx", "status_4xx", "status_5xx", "refused", "mean_latency_ms"] as const;

/** A usage series as CSV: a row per point, ISO times (UTC), 4xx without the gateway's refusals. */
export function usageSeriesCsv(points: readonly UsagePoint[]): string {
  return toCsv(
    USAGE_CSV_HEADER,
    points.map((p) => [
      p.at,
      p.requests,
      p.s2xx,
      p.s3xx,
      p.s4xx,
      p.s5xx,
      p.refused,
      p.meanLatencyMs === null ? null : Math.round(p.meanLatencyMs * 10) / 10,
    ]),
  );
}
