import { useId } from "react";

/**
 * A plan's terms of use (Markdown rendered safely on the server) in a scrolling box, and the
 * "I accept the terms of use" box the domain requires; `error` is the domain's refusal.
 */
export function TermsOfUse({ html, planLabel, error }: { html: string; planLabel: string; error?: string }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="flex flex-col gap-2">
      <h3 id={`${id}-heading`} className="text-sm font-medium text-slate-700">
        Terms of use of {planLabel}
      </h3>
      <div
        role="region"
        aria-labelledby={`${id}-heading`}
        tabIndex={0}
        className="max-h-48 overflow-y-auto rounded-md bg-slate-50 px-3 py-2 text-sm leading-6 text-slate-800 ring-1 ring-slate-200 [&_a]:text-brand-700 [&_a]:underline [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-1 [&_ul]:list-disc"
        dangerouslySetInnerHTML={{ __html: html }}
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="acceptTerms" required aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />I accept the terms of use
      </label>
      {error && (
        <p id={errorId} className="text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
