import type { ReactNode } from "react";
import { formatCount, formatMeanMs, formatPointTimeFull } from "./format";
import { OUTCOMES, type SeriesData } from "./series";

const th = "px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase";
const num = "px-3 py-2 text-right tabular-nums";

/** A plain table with a caption: what every chart and list of the usage pages can be read as. */
export function UsageTable({ caption, head, rows, foot }: { caption: string; head: ReactNode[]; rows: ReactNode[][]; foot?: ReactNode[] }) {
  return (
    <table className="w-full min-w-max border-collapse text-sm">
      <caption className="px-3 py-2 text-left text-sm text-slate-600">{caption}</caption>
      <thead className="bg-slate-50">
        <tr>
          {head.map((cell, i) => (
            <th key={i} scope="col" className={i === 0 ? th : `${th} text-right`}>
              {cell}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row, r) => (
          <tr key={r}>
            {row.map((cell, i) =>
              i === 0 ? (
                <th key={i} scope="row" className="px-3 py-2 text-left font-normal whitespace-nowrap text-slate-900">
                  {cell}
                </th>
              ) : (
                <td key={i} className={num}>
                  {cell}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
      {foot && (
        <tfoot className="border-t border-slate-300 font-semibold">
          <tr>
            {foot.map((cell, i) =>
              i === 0 ? (
                <th key={i} scope="row" className="px-3 py-2 text-left">
                  {cell}
                </th>
              ) : (
                <td key={i} className={num}>
                  {cell}
                </td>
              ),
            )}
          </tr>
        </tfoot>
      )}
    </table>
  );
}

/** A table that may be wider than a phone: it scrolls in a region the keyboard can reach. */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-md ring-1 ring-slate-200" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/** The traffic series as a table: a row per point, a column per outcome, totals at the foot. */
export function TrafficTable({ series, caption }: { series: SeriesData; caption: string }) {
  const total = (key: (typeof OUTCOMES)[number]["key"] | "requests") => series.points.reduce((sum, p) => sum + p[key], 0);
  return (
    <UsageTable
      caption={caption}
      head={["Time (UTC)", "Requests", ...OUTCOMES.map((o) => o.label), "Mean latency"]}
      rows={series.points.map((p) => [formatPointTimeFull(p.t, series.step), formatCount(p.requests), ...OUTCOMES.map((o) => formatCount(p[o.key])), formatMeanMs(p.meanLatencyMs)])}
      foot={["Total", formatCount(total("requests")), ...OUTCOMES.map((o) => formatCount(total(o.key))), ""]}
    />
  );
}

/** Mean latency per point as a table. */
export function LatencyTable({ series, caption }: { series: SeriesData; caption: string }) {
  return (
    <UsageTable
      caption={caption}
      head={["Time (UTC)", "Requests", "Mean latency"]}
      rows={series.points.map((p) => [formatPointTimeFull(p.t, series.step), formatCount(p.requests), formatMeanMs(p.meanLatencyMs)])}
    />
  );
}
