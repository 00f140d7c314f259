import Link from "next/link";
import type { UsageRange } from "@/lib/domain/usage";
import { formatRangeBounds } from "./format";
import { type RangeQuery, toDateTimeInput } from "./range-params";

const PRESET_LABELS = [
  { preset: "1h", label: "Last hour" },
  { preset: "24h", label: "24 hours" },
  { preset: "7d", label: "7 days" },
  { preset: "30d", label: "30 days" },
] as const;

/**
 * The range of a usage page, kept in the URL: preset links (`?range=7d`) and a custom range
 * (`?from=…&to=…`, read as UTC). A range the domain refuses is shown with its sentence.
 */
export function RangePicker({ basePath, query, range, error }: { basePath: string; query: RangeQuery; range?: UsageRange; error?: string }) {
  const current = query.chosen ?? "24h";
  const fromValue = query.from ?? (range ? toDateTimeInput(range.from) : "");
  const toValue = query.to ?? (range ? toDateTimeInput(range.to) : "");
  const errorId = "usage-range-error";
  return (
    <div className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <nav aria-label="Range" className="flex flex-wrap items-center gap-2">
        {PRESET_LABELS.map(({ preset, label }) => (
          <Link
            key={preset}
            href={`${basePath}?range=${preset}`}
            aria-current={current === preset ? "true" : undefined}
            className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100 aria-[current]:bg-brand-600 aria-[current]:text-white aria-[current]:ring-brand-600"
          >
            {label}
          </Link>
        ))}
      </nav>
      <details open={current === "custom"} className="text-sm">
        <summary className="cursor-pointer font-medium text-slate-800">Custom range{current === "custom" ? "" : "…"}</summary>
        <form method="get" action={basePath} aria-label="Custom range" className="mt-2 flex flex-wrap items-end gap-3">
          <label className="flex flex-col gap-1">
            <span className="text-sm font-medium text-slate-700">From (UTC)</span>
            <input
              type="datetime-local"
              name="from"
              defaultValue={fromValue}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm aria-invalid:border-red-500"
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-sm font-medium text-slate-700">To (UTC)</span>
            <input
              type="datetime-local"
              name="to"
              defaultValue={toValue}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm aria-invalid:border-red-500"
            />
          </label>
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            Show range
          </button>
        </form>
      </details>
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-800">
          {error}
        </p>
      ) : (
        range && <p className="text-sm text-slate-600">Showing {formatRangeBounds(range.from, range.to)}, by {range.step}.</p>
      )}
    </div>
  );
}
