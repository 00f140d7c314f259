"use client";

import { type ReactNode, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/Button";

/**
 * A chart with the same numbers as a table: the text summary describes the chart, the button
 * swaps in the table (a real one, selectable and copyable), and the CSV link downloads them.
 */
export function ChartPanel({ title, summary, table, csvHref, children }: { title: string; summary: ReactNode; table: ReactNode; csvHref?: string; children: ReactNode }) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const tableRef = useRef<HTMLDivElement>(null);

  async function copyTable() {
    const rows = [...(tableRef.current?.querySelectorAll("tr") ?? [])].map((tr) =>
      [...tr.querySelectorAll("th, td")].map((cell) => (cell.textContent ?? "").trim()).join("\t"),
    );
    try {
      await navigator.clipboard.writeText(rows.join("\n"));
      setCopied("Table copied.");
    } catch {
      setCopied("Copying is not allowed here: select the table and copy it.");
    }
  }

  return (
    <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`} className="m-0 flex min-w-0 flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={`${id}-title`} className="text-base font-semibold">
          {title}
        </h3>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <Button type="button" variant="secondary" aria-expanded={showTable} aria-controls={`${id}-body`} onClick={() => setShowTable((shown) => !shown)}>
            {showTable ? "Show chart" : "Show table"}
          </Button>
          {showTable && (
            <Button type="button" variant="ghost" onClick={copyTable}>
              Copy table
            </Button>
          )}
          {csvHref && (
            <a href={csvHref} download className="rounded-md px-3 py-1.5 text-sm font-medium text-brand-700 hover:bg-slate-100 hover:underline">
              Download CSV
            </a>
          )}
        </div>
      </div>
      <p id={`${id}-summary`} className="text-sm text-slate-700">
        {summary}
      </p>
      <div id={`${id}-body`} className="min-w-0">
        {showTable ? (
          <div ref={tableRef} className="max-h-[28rem] overflow-auto rounded-md ring-1 ring-slate-200" tabIndex={0} role="region" aria-label={`${title}, as a table`}>
            {table}
          </div>
        ) : (
          children
        )}
      </div>
      <p role="status" className="sr-only">
        {copied}
      </p>
    </figure>
  );
}
