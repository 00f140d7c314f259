"use client";

import { useId } from "react";
import { useTableUrl } from "@/components/data-table/DataTable";
import { CONTRACT_STATUS_FILTERS } from "./contract-filters";

const selectClass = "mt-1 block rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-normal shadow-sm focus:border-brand-600";

/** Status and plan filters of a Contracts tab, kept in the URL next to the table's own params. */
export function ContractFilters({ paramPrefix, status, plan, plans }: { paramPrefix: string; status: string; plan: string; plans?: { value: string; label: string }[] }) {
  const { names, navigate } = useTableUrl(paramPrefix);
  const statusId = useId();
  const planId = useId();
  return (
    <>
      <div className="flex flex-col">
        <label htmlFor={statusId} className="text-sm font-medium text-slate-700">
          Status
        </label>
        <select
          id={statusId}
          value={status}
          onChange={(event) => navigate({ [`${paramPrefix}status`]: event.target.value || undefined, [names.page]: undefined }, "replace")}
          className={selectClass}
        >
          <option value="">All statuses</option>
          {CONTRACT_STATUS_FILTERS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {plans && (
        <div className="flex flex-col">
          <label htmlFor={planId} className="text-sm font-medium text-slate-700">
            Plan
          </label>
          <select
            id={planId}
            value={plan}
            onChange={(event) => navigate({ [`${paramPrefix}plan`]: event.target.value || undefined, [names.page]: undefined }, "replace")}
            className={selectClass}
          >
            <option value="">All plans</option>
            {plans.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      )}
    </>
  );
}
