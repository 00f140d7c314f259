"use client";

import Link from "next/link";
import { StatusBadge } from "@/components/StatusBadge";
import { ActionButton, ConfirmActionButton } from "./ActionButton";
import { ActionForm, CheckboxField, SelectField, SubmitButton, type FormAction } from "./ActionForm";

export interface OfferedPlanRow {
  planVersionId: string;
  name: string;
  slug: string;
  version: string;
  status: string;
  policies: string;
  requiresApproval: boolean;
}

/**
 * The plans an API version offers. Approval can be switched until the version is retired;
 * offering and withdrawing only until it is published.
 */
export function OfferedPlans({
  apiVersionId,
  orgSlug,
  plans,
  offerable,
  canChangeApproval,
  canChangeOffer,
  canSeePlans,
  actions,
}: {
  apiVersionId: string;
  orgSlug: string;
  plans: OfferedPlanRow[];
  offerable: { planVersionId: string; label: string }[] | null;
  canChangeApproval: boolean;
  canChangeOffer: boolean;
  canSeePlans: boolean;
  actions: { offer: FormAction; withdraw: FormAction; setApproval: FormAction };
}) {
  return (
    <div className="flex flex-col gap-6">
      {plans.length === 0 ? (
        <p className="text-sm text-slate-600">This version offers no plans yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
          <table aria-label="Offered plans" className="min-w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">Plan</th>
                <th scope="col" className="px-3 py-2">Version</th>
                <th scope="col" className="px-3 py-2">Policies</th>
                <th scope="col" className="px-3 py-2">Requires approval</th>
                {(canChangeApproval || canChangeOffer) && <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {plans.map((plan) => (
                <tr key={plan.planVersionId} className="align-top">
                  <td className="px-3 py-2 font-medium">
                    {canSeePlans ? (
                      <Link href={`/manage/${orgSlug}/plans/${plan.slug}/${encodeURIComponent(plan.version)}`} className="text-brand-700 hover:underline">
                        {plan.name}
                      </Link>
                    ) : (
                      plan.name
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {plan.version} <StatusBadge status={plan.status} />
                  </td>
                  <td className="px-3 py-2">{plan.policies}</td>
                  <td className="px-3 py-2">{plan.requiresApproval ? "Yes" : "No"}</td>
                  {(canChangeApproval || canChangeOffer) && (
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap justify-end gap-2">
                        {canChangeApproval && (
                          <ActionButton
                            action={actions.setApproval}
                            fields={{ apiVersionId, planVersionId: plan.planVersionId, requiresApproval: plan.requiresApproval ? "false" : "true" }}
                            label={plan.requiresApproval ? "Stop requiring approval" : "Require approval"}
                            buttonLabel={`${plan.requiresApproval ? "Stop requiring approval" : "Require approval"} for ${plan.name}`}
                            variant="secondary"
                          />
                        )}
                        {canChangeOffer && (
                          <ConfirmActionButton
                            action={actions.withdraw}
                            fields={{ apiVersionId, planVersionId: plan.planVersionId }}
                            label="Withdraw"
                            buttonLabel={`Withdraw ${plan.name}`}
                            title={`Withdraw ${plan.name}?`}
                            submitLabel="Withdraw plan"
                          >
                            This version will no longer offer {plan.name} {plan.version}.
                          </ConfirmActionButton>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canChangeOffer && offerable && (
        <div className="flex flex-col gap-2">
          <h3 className="font-semibold">Offer a plan</h3>
          {offerable.length === 0 ? (
            <p className="text-sm text-slate-600">
              No locked plan is left to offer. Plans are offered once locked;{" "}
              <Link href={`/manage/${orgSlug}?tab=plans`} className="text-brand-700 hover:underline">
                manage the plans
              </Link>
              .
            </p>
          ) : (
            <ActionForm action={actions.offer} className="flex flex-wrap items-end gap-4" label="Offer a plan">
              <input type="hidden" name="apiVersionId" value={apiVersionId} />
              <SelectField label="Plan" name="planVersionId" options={offerable.map((p) => ({ value: p.planVersionId, label: p.label }))} />
              <div className="pb-2">
                <CheckboxField label="Requires approval" name="requiresApproval" />
              </div>
              <SubmitButton>Offer plan</SubmitButton>
            </ActionForm>
          )}
        </div>
      )}
    </div>
  );
}
