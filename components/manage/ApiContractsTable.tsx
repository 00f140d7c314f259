"use client";

import { createContext, useContext, useState } from "react";
import { dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { Alert } from "@/components/ui/Alert";
import type { ActionResult } from "@/lib/auth/action";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { ActionButton } from "./ActionButton";
import { ActionForm, SelectField, SubmitButton, TextAreaField, TextField, type FormAction } from "./ActionForm";
import { ContractFilters } from "./ContractFilters";
import { ClientCell, contractColumns, ContractLink, ContractsDataTable, type ContractTableRow } from "./ContractsDataTable";
import { ConfirmRowButton, RowDialogButton, RowDialogs } from "./RowDialog";

/** What an API administrator may do to a running contract from the API side. */
export interface ProviderContractActions {
  break: FormAction;
  suspend: FormAction;
  resume: FormAction;
  setEndDate: FormAction;
  movePlan: FormAction;
}

interface RowContext {
  actions?: ProviderContractActions;
  /** The plans a contract may be moved to: those this API version offers. */
  plans: { value: string; label: string }[];
  announce: (result: ActionResult) => void;
}

// Actions reach the cells through context, so the columns stay the same objects between renders.
const RowContext = createContext<RowContext>({ plans: [], announce: () => {} });

const who = (row: ContractTableRow) => `${row.clientName} ${row.clientVersion}`;

/** "2026-12-31T18:00:00": a moment as a datetime-local input holds it, in UTC like the rest of the page. */
const utcInputValue = (moment: Date | null) => (moment ? new Date(moment).toISOString().slice(0, 19) : undefined);

function EndDateButton({ row, action, announce }: { row: ContractTableRow; action: FormAction; announce: (result: ActionResult) => void }) {
  const label = row.endsAt ? "Change end date" : "Set end date";
  return (
    <RowDialogButton
      label={label}
      buttonLabel={`${label} of ${who(row)}`}
      dialog={() => ({
        title: `End date of ${who(row)}`,
        body: (close) => (
          <ActionForm
            action={action}
            onSuccess={(result) => {
              close();
              announce(result);
            }}
            showSuccess={false}
          >
            <input type="hidden" name="contractId" value={row.id} />
            <p className="text-sm text-slate-700">
              When the moment passes, the gateway refuses the contract&apos;s calls and it becomes Expired. The consumer is told now, and again 7 days and 1 day before.
            </p>
            <TextField label="Ends at (UTC)" name="endsAt" type="datetime-local" step={1} defaultValue={utcInputValue(row.endsAt)} hint="Times on these pages are in UTC." />
            <div className="flex flex-wrap justify-end gap-2">
              {row.endsAt && (
                <SubmitButton name="remove" value="true" variant="secondary">
                  Remove end date
                </SubmitButton>
              )}
              <SubmitButton>Set end date</SubmitButton>
            </div>
          </ActionForm>
        ),
      })}
    />
  );
}

function MovePlanButton({ row, action, plans, announce }: { row: ContractTableRow; action: FormAction; plans: RowContext["plans"]; announce: (result: ActionResult) => void }) {
  const others = plans.filter((p) => p.value !== row.planVersionId);
  if (others.length === 0) return null;
  return (
    <RowDialogButton
      label="Move to plan"
      buttonLabel={`Move ${who(row)} to another plan`}
      dialog={() => ({
        title: `Move ${who(row)} to another plan`,
        body: (close) => (
          <ActionForm
            action={action}
            onSuccess={(result) => {
              close();
              announce(result);
            }}
            showSuccess={false}
          >
            <input type="hidden" name="contractId" value={row.id} />
            <p className="text-sm text-slate-700">
              Now on {row.planName} {row.planVersion}. The move takes effect at once{row.pendingPlanVersionId ? " and replaces the plan change the consumer asked for" : ""}; a plan with a duration
              starts its term over.
            </p>
            <SelectField label="New plan" name="planVersionId" options={others} />
            <TextAreaField label="Reason (optional)" name="reason" rows={2} maxChars={TEXT_LIMITS.reason} hint="Shown to the consumer." />
            <div className="flex justify-end">
              <SubmitButton>Move contract</SubmitButton>
            </div>
          </ActionForm>
        ),
      })}
    />
  );
}

function ContractActionsCell({ row }: { row: ContractTableRow }) {
  const { actions, plans, announce } = useContext(RowContext);
  const running = row.status === "Active" || row.status === "Suspended";
  return (
    <div className="flex flex-wrap items-center justify-end gap-2">
      <ContractLink row={row} />
      {actions && running && (
        <>
          {row.status === "Active" ? (
            <ConfirmRowButton
              action={actions.suspend}
              fields={{ contractId: row.id }}
              label="Suspend"
              buttonLabel={`Suspend contract of ${who(row)}`}
              title="Suspend contract"
              submitLabel="Suspend contract"
              reason={{ hint: "Shown to the consumer." }}
              onSuccess={announce}
            >
              {who(row)} ({row.clientOrgName}) cannot call this API until the contract is resumed. Its plan, key and counters are kept.
            </ConfirmRowButton>
          ) : (
            <ActionButton action={actions.resume} fields={{ contractId: row.id }} label="Resume" buttonLabel={`Resume contract of ${who(row)}`} variant="secondary" onSuccess={announce} />
          )}
          <EndDateButton row={row} action={actions.setEndDate} announce={announce} />
          <MovePlanButton row={row} action={actions.movePlan} plans={plans} announce={announce} />
          <ConfirmRowButton
            action={actions.break}
            fields={{ contractId: row.id }}
            label="Break contract"
            buttonLabel={`Break contract of ${who(row)}`}
            title="Break contract"
            reason={{ hint: "Shown to the consumer." }}
            onSuccess={announce}
          >
            {who(row)} ({row.clientOrgName}) loses access to this API for good.
          </ConfirmRowButton>
        </>
      )}
    </div>
  );
}

const col = dataTableColumns<ContractTableRow>();
const columns = col.columns([
  col.accessor("clientName", {
    id: "client",
    header: "Client",
    cell: (info) => <ClientCell name={info.getValue()} orgName={info.row.original.clientOrgName} version={info.row.original.clientVersion} />,
  }),
  ...contractColumns,
  // Relative: the hidden header stays inside the table's scroll box on a narrow screen; the width keeps the buttons two by two.
  col.display({
    id: "actions",
    header: () => <span className="sr-only">Contract</span>,
    cell: (info) => <ContractActionsCell row={info.row.original} />,
    meta: { className: "relative min-w-64" },
  }),
]);

/**
 * The Contracts tab of an API version: every contract with it, whoever the client, each linked to
 * its page. An apiAdmin suspends (with a reason the consumer is shown) and resumes, sets or
 * removes an end date, moves a contract to another offered plan, and breaks it.
 */
export function ApiContractsTable({
  rows,
  total,
  pageSize,
  defaultSort,
  status,
  plan,
  plans,
  actions,
}: {
  rows: ContractTableRow[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
  status: string;
  plan: string;
  plans: { value: string; label: string }[];
  /** Present when the actor may act on contracts from the API side (apiAdmin). */
  actions?: ProviderContractActions;
}) {
  // A row's buttons change with its status, so the outcome is said above the table.
  const [notice, setNotice] = useState<string | null>(null);
  const context: RowContext = { actions, plans, announce: (result) => setNotice(result.ok ? (result.message ?? null) : null) };
  return (
    <RowContext.Provider value={context}>
      <RowDialogs>
        <div className="flex flex-col gap-4">
          {notice && <Alert kind="success">{notice}</Alert>}
          <ContractsDataTable
            columns={columns}
            rows={rows}
            total={total}
            pageSize={pageSize}
            defaultSort={defaultSort}
            filterPlaceholder="Client, organization, plan…"
            toolbar={<ContractFilters paramPrefix="contracts-" status={status} plan={plan} plans={plans} />}
          />
        </div>
      </RowDialogs>
    </RowContext.Provider>
  );
}
