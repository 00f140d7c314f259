"use client";

import { useId, useState, useTransition } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import type { ActionResult } from "@/lib/auth/action";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { ActionForm, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { sentence } from "./sentence";

/**
 * The duration and terms of use of a plan version that is not locked yet. The terms are Markdown;
 * Preview renders what is typed the way consumers will read it (on the server, by the same
 * sanitizing renderer as the catalog), without saving.
 */
export function PlanSettingsForm({
  action,
  previewAction,
  planVersionId,
  durationDays,
  terms,
}: {
  action: FormAction;
  previewAction: (previous: ActionResult<{ html: string }> | null, formData: FormData) => Promise<ActionResult<{ html: string }>>;
  planVersionId: string;
  durationDays: number | null;
  terms: string;
}) {
  const [draft, setDraft] = useState(terms);
  const [preview, setPreview] = useState<{ html: string } | { error: string } | null>(null);
  const [previewing, startPreview] = useTransition();
  const previewId = useId();

  const showPreview = () =>
    startPreview(async () => {
      const formData = new FormData();
      formData.set("terms", draft);
      const result = await previewAction(null, formData);
      setPreview(result.ok ? { html: result.data?.html ?? "" } : { error: sentence(result.error) });
    });

  return (
    <ActionForm action={action} resetOnSuccess={false} label="Duration and terms">
      <input type="hidden" name="planVersionId" value={planVersionId} />
      <div className="max-w-48">
        <TextField
          label="Duration (days)"
          name="durationDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={3650}
          step={1}
          defaultValue={durationDays ?? ""}
          hint="Empty: no end."
        />
      </div>
      <p className="-mt-2 text-xs text-slate-500">A contract on this plan ends this many days after it becomes active (a trial, say); 1 to 3,650.</p>
      <TextAreaField
        label="Terms of use"
        name="terms"
        defaultValue={terms}
        onChange={(event) => setDraft(event.target.value)}
        maxChars={TEXT_LIMITS.docs}
        rows={8}
        hint="Markdown. Consumers accept them when they sign a contract on this plan or move to it; empty: none."
        className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm"
      />
      <div className="flex flex-wrap gap-2">
        <SubmitButton>Save duration and terms</SubmitButton>
        <Button type="button" variant="secondary" onClick={showPreview} disabled={previewing} aria-controls={previewId}>
          Preview terms
        </Button>
      </div>
      <div id={previewId} aria-live="polite">
        {preview && "error" in preview && <Alert>{preview.error}</Alert>}
        {preview && "html" in preview && (
          <section aria-label="Preview of the terms of use" className="rounded-md border border-dashed border-slate-300 bg-slate-50 p-3">
            <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase">Preview, not saved</h3>
            {preview.html.trim() ? (
              <div
                className="max-w-none text-sm leading-6 text-slate-800 [&_a]:text-brand-700 [&_a]:underline [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-2 [&_ul]:list-disc"
                dangerouslySetInnerHTML={{ __html: preview.html }}
              />
            ) : (
              <p className="text-sm text-slate-600">No terms: consumers accept nothing.</p>
            )}
          </section>
        )}
      </div>
    </ActionForm>
  );
}
