import type { ReactNode } from "react";
import type { UsageReport } from "@/lib/domain/usage";
import { ChartPanel } from "./ChartPanel";
import { formatCount, formatMeanMs, formatPercent, formatPointTimeFull } from "./format";
import { OUTCOMES, type SeriesData, seriesOf } from "./series";
import { LatencyTable, ScrollTable, TrafficTable, UsageTable } from "./tables";
import { LatencyChart, TrafficChart } from "./TrafficChart";

export const EMPTY_RANGE = "No requests in this range.";

function Stat({ term, value, note }: { term: string; value: string; note?: string }) {
  return (
    <div className="flex flex-col gap-0.5 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <dt className="text-xs font-medium tracking-wide text-slate-600 uppercase">{term}</dt>
      <dd className="text-2xl font-semibold text-slate-900 tabular-nums">{value}</dd>
      {note && <dd className="text-xs text-slate-600">{note}</dd>}
    </div>
  );
}

export function UsageSection({ title, id, children, actions }: { title: string; id: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="flex min-w-0 flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200 sm:p-5">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={`${id}-heading`} className="text-lg font-semibold">
          {title}
        </h2>
        {actions && <div className="ml-auto">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

function trafficSummary(report: UsageReport, series: SeriesData): string {
  const { totals } = report;
  const parts = OUTCOMES.map((o) => `${formatCount(totals[o.key])} ${o.label.toLowerCase()}`).join(", ");
  const busiest = series.points.reduce((best, p) => (p.requests > best.requests ? p : best), series.points[0]);
  const peak = busiest && busiest.requests > 0 ? ` The busiest ${series.step} began ${formatPointTimeFull(busiest.t, series.step)}, with ${formatCount(busiest.requests)}.` : "";
  return `${formatCount(totals.requests)} requests in this range: ${parts}.${peak}`;
}

function latencySummary(report: UsageReport): string {
  const { latency } = report;
  const pct = [latency.p50 && `p50 ${latency.p50.label}`, latency.p95 && `p95 ${latency.p95.label}`, latency.p99 && `p99 ${latency.p99.label}`].filter(Boolean).join(", ");
  return `Mean latency ${formatMeanMs(latency.meanMs)}${pct ? `; ${pct}` : ""}. Percentiles are read from ${formatCount(latency.sampled)} timed requests and give the bucket's upper bound.`;
}

/** The numbers every usage page shows for its range: totals, traffic by outcome, latency, refusals by code. */
export function UsageReportView({ report, csvHref, subject }: { report: UsageReport; csvHref: string; subject: string }) {
  const { totals, latency } = report;
  const series = seriesOf(report);
  const errors = totals.s4xx + totals.s5xx;
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <dl aria-label="Totals" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat term="Requests" value={formatCount(totals.requests)} />
        <Stat term="Successful" value={formatCount(totals.s2xx + totals.s3xx)} note={formatPercent(totals.s2xx + totals.s3xx, totals.requests)} />
        <Stat term="Errors" value={formatCount(errors)} note={`${formatCount(totals.s4xx)} 4xx · ${formatCount(totals.s5xx)} 5xx`} />
        <Stat term="Refused" value={formatCount(totals.refused)} note="by the gateway itself" />
      </dl>

      {totals.requests === 0 ? (
        <UsageSection title="Traffic" id="usage-traffic">
          <p className="text-sm text-slate-700">{EMPTY_RANGE}</p>
          <p className="text-sm">
            <a href={csvHref} download className="font-medium text-brand-700 hover:underline">
              Download CSV
            </a>
          </p>
        </UsageSection>
      ) : (
        <>
          <UsageSection title="Traffic" id="usage-traffic">
            <ChartPanel
              title={`Requests by outcome, ${subject}`}
              summary={trafficSummary(report, series)}
              csvHref={csvHref}
              table={<TrafficTable series={series} caption={`Requests by outcome per ${series.step}, ${subject}`} />}
            >
              <TrafficChart series={series} />
            </ChartPanel>
          </UsageSection>

          <UsageSection title="Latency" id="usage-latency">
            <dl aria-label="Latency percentiles" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Stat term="p50" value={latency.p50?.label ?? "—"} />
              <Stat term="p95" value={latency.p95?.label ?? "—"} />
              <Stat term="p99" value={latency.p99?.label ?? "—"} />
              <Stat term="Mean" value={formatMeanMs(latency.meanMs)} />
            </dl>
            <ChartPanel
              title={`Mean latency over time, ${subject}`}
              summary={latencySummary(report)}
              csvHref={csvHref}
              table={<LatencyTable series={series} caption={`Mean latency per ${series.step}, ${subject}`} />}
            >
              <LatencyChart series={series} />
            </ChartPanel>
          </UsageSection>

          <UsageSection title="Refusals by code" id="usage-refusals">
            {report.refusals.length === 0 ? (
              <p className="text-sm text-slate-700">The gateway refused no requests in this range.</p>
            ) : (
              <ScrollTable label="Refusals by code, as a table">
                <UsageTable
                  caption="Requests the gateway refused, by problem code"
                  head={["Code", "Requests", "Share"]}
                  rows={report.refusals.map((r) => [<code key={r.code}>{r.code}</code>, formatCount(r.count), formatPercent(r.count, totals.requests)])}
                />
              </ScrollTable>
            )}
          </UsageSection>
        </>
      )}
    </div>
  );
}
