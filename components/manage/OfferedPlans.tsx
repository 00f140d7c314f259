"use client";

import Link from "next/link";
import { useMemo } from "react";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
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
  /** Days a contract on it runs; null: no end. */
  durationDays: number | null;
  /** Whether a contract on it needs its terms of use accepted. */
  hasTerms: boolean;
}

const col = dataTableColumns<OfferedPlanRow>();

/** The columns of the offered plans; the actions column only for those who may change the offer. */
function offeredPlanColumns({
  apiVersionId,
  orgSlug,
  canChangeApproval,
  canChangeOffer,
  canSeePlans,
  actions,
}: Pick<OfferedPlansProps, "apiVersionId" | "orgSlug" | "canChangeApproval" | "canChangeOffer" | "canSeePlans" | "actions">) {
  const columns = [
    col.accessor("name", {
      id: "plan",
      header: "Plan",
      enableSorting: false,
      meta: { className: "font-medium" },
      cell: ({ row: { original: plan } }) =>
        canSeePlans ? (
          <Link href={`/manage/${orgSlug}/plans/${plan.slug}/${encodeURIComponent(plan.version)}`} className="text-brand-700 hover:underline">
            {plan.name}
          </Link>
        ) : (
          plan.name
        ),
    }),
    col.accessor("version", {
      id: "version",
      header: "Version",
      enableSorting: false,
      cell: ({ row: { original: plan } }) => (
        <>
          {plan.version} <StatusBadge status={plan.status} />
        </>
      ),
    }),
    col.accessor("policies", { id: "policies", header: "Policies", enableSorting: false }),
    col.accessor("durationDays", {
      id: "duration",
      header: "Duration",
      enableSorting: false,
      cell: (info) => {
        const days = info.getValue();
        return days === null ? "No end" : `${days} day${days === 1 ? "" : "s"}`;
      },
    }),
    col.accessor("hasTerms", { id: "terms", header: "Terms of use", enableSorting: false, cell: (info) => (info.getValue() ? "To accept" : "None") }),
    col.accessor("requiresApproval", { id: "requiresApproval", header: "Requires approval", enableSorting: false, cell: (info) => (info.getValue() ? "Yes" : "No") }),
  ];
  if (!canChangeApproval && !canChangeOffer) return col.columns(columns);
  return col.columns([
    ...columns,
    col.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row: { original: plan } }) => (
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
      ),
    }),
  ]);
}

interface OfferedPlansProps {
  apiVersionId: string;
  orgSlug: string;
  plans: OfferedPlanRow[];
  offerable: { planVersionId: string; label: string }[] | null;
  canChangeApproval: boolean;
  canChangeOffer: boolean;
  canSeePlans: boolean;
  actions: { offer: FormAction; withdraw: FormAction; setApproval: FormAction };
}

/**
 * The plans an API version offers. Approval can be switched until the version is retired;
 * offering and withdrawing only until it is published.
 */
export function OfferedPlans({ apiVersionId, orgSlug, plans, offerable, canChangeApproval, canChangeOffer, canSeePlans, actions }: OfferedPlansProps) {
  const columns = useMemo(
    () => offeredPlanColumns({ apiVersionId, orgSlug, canChangeApproval, canChangeOffer, canSeePlans, actions }),
    [apiVersionId, orgSlug, canChangeApproval, canChangeOffer, canSeePlans, actions],
  );
  return (
    <div className="flex flex-col gap-6">
      {/* Every offered plan on one page: an API version offers a handful. */}
      <DataTable
        label="Offered plans"
        paramPrefix="offered-"
        columns={columns}
        rows={plans}
        total={plans.length}
        pageSize={Math.max(1, plans.length)}
        getRowId={(plan) => plan.planVersionId}
        emptyMessage="This version offers no plans yet."
      />
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
