"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatMeanMs, formatPointTime, formatPointTimeFull } from "./format";
import { OUTCOMES, type SeriesData } from "./series";
import { AXIS, GRID, TOOLTIP } from "./chart-theme";

/** Requests over time, stacked by outcome. */
export function TrafficChart({ series }: { series: SeriesData }) {
  return (
    <div className="h-64 w-full min-w-0 sm:h-72">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={series.points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke={GRID} />
          <XAxis dataKey="t" tickFormatter={(t: number) => formatPointTime(t, series.step)} {...AXIS} minTickGap={24} />
          <YAxis allowDecimals={false} tickFormatter={(n: number) => formatCount(n)} {...AXIS} width={48} />
          <Tooltip
            {...TOOLTIP}
            labelFormatter={(t) => formatPointTimeFull(Number(t), series.step)}
            formatter={(value, name) => [formatCount(Number(value)), name]}
          />
          <Legend wrapperStyle={{ fontSize: 12, color: "var(--color-slate-700, #334155)" }} />
          {OUTCOMES.map((o) => (
            <Bar key={o.key} dataKey={o.key} name={o.label} stackId="outcome" fill={o.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Mean latency over time: a line, with gaps where there were no requests. */
export function LatencyChart({ series }: { series: SeriesData }) {
  return (
    <div className="h-56 w-full min-w-0">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={series.points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke={GRID} />
          <XAxis dataKey="t" tickFormatter={(t: number) => formatPointTime(t, series.step)} {...AXIS} minTickGap={24} />
          <YAxis tickFormatter={(n: number) => formatMeanMs(n)} {...AXIS} width={64} />
          <Tooltip {...TOOLTIP} cursor={{ stroke: "var(--color-slate-400, #94a3b8)" }} labelFormatter={(t) => formatPointTimeFull(Number(t), series.step)} formatter={(value) => [formatMeanMs(value === null ? null : Number(value)), "Mean latency"]} />
          <Line type="monotone" dataKey="meanLatencyMs" name="Mean latency" stroke="var(--color-brand-600, #1f5fbf)" strokeWidth={2} dot={{ r: 2.5, fill: "var(--color-brand-600, #1f5fbf)" }} activeDot={{ r: 4 }} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
