import type { UsagePoint, UsageReport } from "@/lib/domain/usage";
import type { UsageStepName } from "./format";

/** A series point as the browser gets it: plain numbers only (the chart and table are client components). */
export interface SeriesPoint {
  /** Start of the point, epoch ms (UTC). */
  t: number;
  requests: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  refused: number;
  meanLatencyMs: number | null;
}

export interface SeriesData {
  step: UsageStepName;
  points: SeriesPoint[];
}

export function seriesOf(report: UsageReport): SeriesData {
  return { step: report.range.step, points: report.points.map(pointOf) };
}

function pointOf(p: UsagePoint): SeriesPoint {
  return { t: p.at.getTime(), requests: p.requests, s2xx: p.s2xx, s3xx: p.s3xx, s4xx: p.s4xx, s5xx: p.s5xx, refused: p.refused, meanLatencyMs: p.meanLatencyMs };
}

/** The outcomes a request can have, in stacking order, each with its colour from the theme (light fallback first paint). */
export const OUTCOMES = [
  { key: "s2xx", label: "2xx success", color: "var(--color-green-700, #15803d)" },
  { key: "s3xx", label: "3xx redirect", color: "var(--color-brand-600, #1f5fbf)" },
  { key: "s4xx", label: "4xx client error", color: "var(--color-amber-700, #b45309)" },
  { key: "s5xx", label: "5xx server error", color: "var(--color-red-600, #dc2626)" },
  { key: "refused", label: "Refused by the gateway", color: "var(--color-slate-500, #64748b)" },
] as const satisfies readonly { key: keyof SeriesPoint; label: string; color: string }[];
