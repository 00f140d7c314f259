"use client";

import Link from "next/link";
import { createContext, useActionState, useContext, useMemo, useState } from "react";
import { breakContractAction, cancelPlanChangeAction, withdrawContractAction } from "@/app/(portal)/my-clients/actions";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { Button } from "@/components/ui/Button";
import type { ActionResult } from "@/lib/auth/action";
import type { ClientContract } from "./client-contract";
import { ActionMessage } from "./ActionMessage";
import { ChangePlanDialog } from "./ChangePlanDialog";
import { ContractStatusBadge, statusReason } from "./ContractStatusBadge";
import { Dialog } from "./Dialog";
import { formatDate, formatDateTime } from "./format";

const col = dataTableColumns<ClientContract>();

const columns = col.columns([
  col.accessor("apiName", {
    id: "api",
    header: "API",
    cell: ({ row }) => (
      <Link prefetch={false} href={`/apis/${row.original.apiOrgSlug}/${row.original.apiSlug}?version=${encodeURIComponent(row.original.apiVersion)}`} className="font-medium text-brand-700 hover:underline">
        {row.original.apiName}
      </Link>
    ),
  }),
  col.accessor("apiVersion", { id: "apiVersion", header: "API version" }),
  col.accessor("planName", {
    id: "plan",
    header: "Plan",
    cell: ({ row }) => (
      <div className="flex flex-col items-start gap-1">
        <span>
          {row.original.planName} {row.original.planVersion}
        </span>
        {row.original.pendingPlanName && <span className="max-w-xs text-xs text-amber-900">Plan change to {row.original.pendingPlanName} awaiting approval</span>}
        {row.original.endsAt && (
          <span className="text-xs text-slate-600">
            Ends{" "}
            <time dateTime={new Date(row.original.endsAt).toISOString()} title={formatDateTime(row.original.endsAt)}>
              {formatDate(row.original.endsAt)}
            </time>
          </span>
        )}
      </div>
    ),
  }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: ({ row }) => {
      const reason = statusReason(row.original.status, row.original.reason);
      return (
        <div className="flex flex-col items-start gap-1">
          <ContractStatusBadge status={row.original.status} />
          {reason && <span className={`max-w-xs text-xs ${row.original.status === "Suspended" || row.original.status === "Rejected" ? "text-red-800" : "text-slate-600"}`}>{reason}</span>}
        </div>
      );
    },
  }),
  col.accessor("createdAt", {
    id: "created",
    header: "Created",
    cell: ({ getValue }) => (
      <time dateTime={new Date(getValue()).toISOString()} title={formatDateTime(getValue())}>
        {formatDate(getValue())}
      </time>
    ),
  }),
  col.accessor("endpoint", { id: "endpoint", header: "Endpoint", cell: ({ getValue }) => <code className="text-xs break-all">{getValue()}</code> }),
  col.display({ id: "actions", header: "Actions", cell: ({ row }) => <ContractActions contract={row.original} /> }),
]);

const rowButton = "rounded-md bg-white px-2.5 py-1 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-400";

type Result = ActionResult<unknown>;

/** What the row buttons reach: the dialogs and the row actions of their table. */
const RowActions = createContext<{
  canEdit: boolean;
  askDelete: (contract: ClientContract) => void;
  askChangePlan: (contract: ClientContract) => void;
  withdraw: (formData: FormData) => void;
  cancelChange: (formData: FormData) => void;
  busy: boolean;
} | null>(null);

/** The contracts of one client version; one page (a client version has one contract per API version at most). */
export function ContractTable({
  label,
  client,
  canEdit,
  contracts,
  defaultSort,
  emptyMessage,
}: {
  label: string;
  /** "Weather Dashboard 1.0", for the confirm text. */
  client: string;
  canEdit: boolean;
  contracts: ClientContract[];
  defaultSort: TableSort;
  emptyMessage: string;
}) {
  const [toDelete, setToDelete] = useState<ClientContract | null>(null);
  const [deleted, deleteAction, deleting] = useActionState(async (previous: Awaited<ReturnType<typeof breakContractAction>> | null, formData: FormData) => {
    const result = await breakContractAction(previous, formData);
    if (result.ok) {
      setToDelete(null);
      setOutcome(null);
    }
    return result;
  }, null);
  const [toChange, setToChange] = useState<ClientContract | null>(null);
  // The last row action's outcome, said above the table: "Now on Gold.", "Request withdrawn.", a refusal.
  const [outcome, setOutcome] = useState<Result | null>(null);
  const [, withdraw, withdrawing] = useActionState(async (previous: Result | null, formData: FormData) => {
    const result = await withdrawContractAction(previous, formData);
    setOutcome(result);
    return result;
  }, null);
  const [, cancelChange, cancelling] = useActionState(async (previous: Result | null, formData: FormData) => {
    const result = await cancelPlanChangeAction(previous, formData);
    setOutcome(result);
    return result;
  }, null);
  const actions = useMemo(
    () => ({ canEdit, askDelete: setToDelete, askChangePlan: setToChange, withdraw, cancelChange, busy: withdrawing || cancelling }),
    [canEdit, withdraw, cancelChange, withdrawing, cancelling],
  );

  return (
    <RowActions.Provider value={actions}>
      <ActionMessage result={outcome ?? (deleted?.ok ? deleted : null)} />
      <DataTable
        label={label}
        columns={columns}
        rows={contracts}
        total={contracts.length}
        pageSize={Math.max(1, contracts.length)}
        paramPrefix="contracts-"
        defaultSort={defaultSort}
        getRowId={(row) => row.id}
        emptyMessage={emptyMessage}
      />
      <Dialog open={toDelete !== null} onClose={() => setToDelete(null)} title="Delete contract">
        {toDelete && (
          <form action={deleteAction} className="flex flex-col gap-4">
            <ActionMessage result={deleted && !deleted.ok ? deleted : null} />
            <p className="text-sm text-slate-700">
              {client} will stop reaching {toDelete.apiName} {toDelete.apiVersion} at once. To use it again you will need a new contract.
            </p>
            <input type="hidden" name="contractId" value={toDelete.id} />
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setToDelete(null)}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" disabled={deleting}>
                Delete
              </Button>
            </div>
          </form>
        )}
      </Dialog>
      <ChangePlanDialog
        contract={toChange}
        onClose={() => setToChange(null)}
        onDone={(result) => {
          setToChange(null);
          setOutcome(result);
        }}
      />
    </RowActions.Provider>
  );
}

function ContractActions({ contract }: { contract: ClientContract }) {
  const actions = useContext(RowActions);
  const history = (
    <>
      <Link prefetch={false} href={`/contracts/${contract.id}`} className="rounded-md px-2.5 py-1 text-sm font-medium text-brand-700 hover:underline" aria-label={`History of the contract with ${contract.apiName} ${contract.apiVersion}`}>
        History
      </Link>
      <Link prefetch={false} href={`/usage/contracts/${contract.id}`} className="rounded-md px-2.5 py-1 text-sm font-medium text-brand-700 hover:underline" aria-label={`Usage of the contract with ${contract.apiName} ${contract.apiVersion}`}>
        Usage
      </Link>
    </>
  );
  if (!actions?.canEdit) return <div className="flex flex-wrap gap-2">{history}</div>;
  const running = contract.status === "Active" || contract.status === "Suspended";
  return (
    <div className="flex flex-wrap items-center gap-2">
      {running && !contract.pendingPlanName && contract.planChoices.length > 0 && (
        <button type="button" className={rowButton} onClick={() => actions.askChangePlan(contract)}>
          Change plan
        </button>
      )}
      {running && contract.pendingPlanName && (
        <form action={actions.cancelChange}>
          <input type="hidden" name="contractId" value={contract.id} />
          <button type="submit" className={rowButton} disabled={actions.busy}>
            Cancel plan change
          </button>
        </form>
      )}
      {running && (
        <button type="button" className={rowButton} onClick={() => actions.askDelete(contract)}>
          Delete contract
        </button>
      )}
      {contract.status === "AwaitingApproval" && (
        <form action={actions.withdraw}>
          <input type="hidden" name="contractId" value={contract.id} />
          <button type="submit" className={rowButton} disabled={actions.busy}>
            Withdraw
          </button>
        </form>
      )}
      {history}
    </div>
  );
}
