"use client";

import { useId, useState } from "react";
import type { Policy } from "@/db/schema";
import { Button } from "@/components/ui/Button";
import { ActionForm, SubmitButton, useFormState, type FormAction } from "./ActionForm";

type Draft = { key: number; type: Policy["type"]; limit: string; period: string };

const PERIODS = {
  "rate-limit": ["second", "minute", "hour"],
  quota: ["day", "month"],
} as const;

const inputClass = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 aria-invalid:border-red-500";

/**
 * The ordered policies of a plan version that is not locked yet: rate limits (requests per second,
 * minute or hour) and quotas (requests per day or month). The server validates them again.
 */
export function PoliciesEditor({ action, planVersionId, policies }: { action: FormAction; planVersionId: string; policies: Policy[] }) {
  const [nextKey, setNextKey] = useState(policies.length);
  const [drafts, setDrafts] = useState<Draft[]>(() => policies.map((p, key) => ({ key, type: p.type, limit: String(p.limit), period: p.period })));

  const add = (type: Policy["type"]) => {
    setDrafts((list) => [...list, { key: nextKey, type, limit: "", period: PERIODS[type][0] }]);
    setNextKey((k) => k + 1);
  };
  const update = (key: number, change: Partial<Draft>) => setDrafts((list) => list.map((d) => (d.key === key ? { ...d, ...change } : d)));
  const remove = (key: number) => setDrafts((list) => list.filter((d) => d.key !== key));
  const move = (index: number, by: -1 | 1) =>
    setDrafts((list) => {
      const next = [...list];
      [next[index], next[index + by]] = [next[index + by], next[index]];
      return next;
    });

  const json = JSON.stringify(drafts.map((d) => ({ type: d.type, limit: d.limit.trim() === "" ? null : Number(d.limit), period: d.period })));

  return (
    <ActionForm action={action} resetOnSuccess={false} label="Policies">
      <input type="hidden" name="planVersionId" value={planVersionId} />
      <input type="hidden" name="policies" value={json} />
      {drafts.length === 0 && <p className="text-sm text-slate-600">No policies: calls on this plan are unlimited.</p>}
      <ol className="flex flex-col gap-3">
        {drafts.map((draft, index) => (
          <li key={draft.key}>
            <PolicyRow
              draft={draft}
              index={index}
              count={drafts.length}
              onChange={(change) => update(draft.key, change)}
              onRemove={() => remove(draft.key)}
              onMove={(by) => move(index, by)}
            />
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={() => add("rate-limit")}>
          Add rate limit
        </Button>
        <Button type="button" variant="secondary" onClick={() => add("quota")}>
          Add quota
        </Button>
        <SubmitButton className="ml-auto">Save policies</SubmitButton>
      </div>
    </ActionForm>
  );
}

function PolicyRow({
  draft,
  index,
  count,
  onChange,
  onRemove,
  onMove,
}: {
  draft: Draft;
  index: number;
  count: number;
  onChange: (change: Partial<Draft>) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}) {
  const id = useId();
  const { fields } = useFormState();
  const error = fields?.[`policies.${index}.limit`] ?? fields?.[`policies.${index}.period`] ?? fields?.[`policies.${index}`];
  const name = draft.type === "rate-limit" ? "Rate limit" : "Quota";
  return (
    <fieldset className="flex flex-wrap items-end gap-3 rounded-md p-3 ring-1 ring-slate-200">
      <legend className="px-1 text-sm font-semibold">{name}</legend>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-limit`} className="text-sm font-medium text-slate-700">
          Requests
        </label>
        <input
          id={`${id}-limit`}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          required
          value={draft.limit}
          onChange={(event) => onChange({ limit: event.target.value })}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={`${inputClass} w-36`}
        />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-period`} className="text-sm font-medium text-slate-700">
          Per
        </label>
        <select id={`${id}-period`} value={draft.period} onChange={(event) => onChange({ period: event.target.value })} className={inputClass}>
          {PERIODS[draft.type].map((period) => (
            <option key={period} value={period}>
              {period}
            </option>
          ))}
        </select>
      </div>
      <div className="ml-auto flex gap-1">
        <Button type="button" variant="ghost" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${name.toLowerCase()} ${index + 1} up`}>
          ↑
        </Button>
        <Button type="button" variant="ghost" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move ${name.toLowerCase()} ${index + 1} down`}>
          ↓
        </Button>
        <Button type="button" variant="ghost" onClick={onRemove} aria-label={`Remove ${name.toLowerCase()} ${index + 1}`}>
          Remove
        </Button>
      </div>
      {error && (
        <p id={`${id}-error`} className="w-full text-xs text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
