"use client";

import { useActionState, useId, useState } from "react";
import { changePlanAction } from "@/app/(portal)/my-clients/actions";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import type { ActionResult } from "@/lib/auth/action";
import { ActionMessage } from "./ActionMessage";
import type { ClientContract, PlanChangeChoice } from "./client-contract";
import { Dialog } from "./Dialog";
import { TermsOfUse } from "./TermsOfUse";

type Result = ActionResult<{ outcome: "changed" | "pending" }>;

/**
 * Change plan: the other plans the contract's API version offers, each with its limits, approval,
 * duration and terms; the terms must be accepted when the chosen plan has them. Closes on success
 * and hands the outcome ("Now on Gold.") to the table to announce.
 */
export function ChangePlanDialog({ contract, onClose, onDone }: { contract: ClientContract | null; onClose: () => void; onDone: (result: Result) => void }) {
  return (
    <Dialog open={contract !== null} onClose={onClose} title="Change plan">
      {contract && <ChangePlanForm contract={contract} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function ChangePlanForm({ contract, onClose, onDone }: { contract: ClientContract; onClose: () => void; onDone: (result: Result) => void }) {
  const [chosenId, setChosenId] = useState(contract.planChoices[0]?.planVersionId ?? "");
  const chosen = contract.planChoices.find((p) => p.planVersionId === chosenId);
  const [state, action, pending] = useActionState(async (previous: Result | null, formData: FormData) => {
    const result = (await changePlanAction(previous, formData)) as Result;
    if (result.ok) onDone(result);
    return result;
  }, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const groupId = useId();

  return (
    <form action={action} className="flex flex-col gap-4">
      <p className="text-sm text-slate-700">
        {contract.apiName} {contract.apiVersion} is on {contract.planName} {contract.planVersion}. The API key stays the same; a plan that needs approval applies once the
        provider approves it.
      </p>
      <ActionMessage result={state && !state.ok && !fields?.acceptTerms ? state : null} labels={{ planVersionId: "Plan" }} />
      <input type="hidden" name="contractId" value={contract.id} />
      <fieldset className="flex flex-col gap-2">
        <legend id={groupId} className="mb-1 text-sm font-medium text-slate-700">
          New plan
        </legend>
        {contract.planChoices.map((plan) => (
          <PlanOption key={plan.planVersionId} plan={plan} checked={plan.planVersionId === chosenId} onChoose={() => setChosenId(plan.planVersionId)} />
        ))}
      </fieldset>
      {chosen?.termsHtml && <TermsOfUse html={chosen.termsHtml} planLabel={chosen.label} error={fields?.acceptTerms} />}
      <div className="flex flex-wrap justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending || !chosen}>
          {chosen?.requiresApproval ? "Ask for this plan" : "Change plan"}
        </Button>
      </div>
    </form>
  );
}

function PlanOption({ plan, checked, onChoose }: { plan: PlanChangeChoice; checked: boolean; onChoose: () => void }) {
  const detailsId = useId();
  return (
    <label className={`flex cursor-pointer gap-3 rounded-md p-3 ring-1 ${checked ? "bg-brand-50 ring-brand-600" : "ring-slate-200 hover:bg-slate-50"}`}>
      <input type="radio" name="planVersionId" value={plan.planVersionId} checked={checked} onChange={onChoose} aria-describedby={detailsId} className="mt-1" />
      <span className="flex min-w-0 flex-col gap-1">
        <span className="flex flex-wrap items-center gap-2 font-medium">
          {plan.label}
          {plan.requiresApproval && <Badge tone="amber">needs approval</Badge>}
          {plan.duration && <Badge tone="blue">{plan.duration}</Badge>}
          {plan.termsHtml && <Badge>terms of use</Badge>}
        </span>
        <span id={detailsId} className="text-sm text-slate-600">
          {plan.summary}
          {plan.durationDays !== null && ` · the contract then ends ${plan.durationDays} days after the change`}
          {plan.description && <span className="block">{plan.description}</span>}
        </span>
      </span>
    </label>
  );
}
