"use client";

import Link from "next/link";
import { createContext, useActionState, useContext, useMemo, useState } from "react";
import { breakContractAction, withdrawContractAction } from "@/app/(portal)/my-clients/actions";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { StatusBadge } from "@/components/StatusBadge";
import { Button } from "@/components/ui/Button";
import type { ClientContract } from "./client-contract";
import { ActionMessage } from "./ActionMessage";
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
  col.accessor("planName", { id: "plan", header: "Plan", cell: ({ row }) => `${row.original.planName} ${row.original.planVersion}` }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: ({ row }) => (
      <div className="flex flex-col items-start gap-1">
        <StatusBadge status={row.original.status} />
        {row.original.status === "Rejected" && row.original.reason && <span className="max-w-xs text-xs text-red-800">Reason: {row.original.reason}</span>}
      </div>
    ),
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

/** What the row buttons reach: the one confirm dialog and the one withdraw action of their table. */
const RowActions = createContext<{
  canEdit: boolean;
  askDelete: (contract: ClientContract) => void;
  withdraw: (formData: FormData) => void;
  withdrawing: boolean;
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
    if (result.ok) setToDelete(null);
    return result;
  }, null);
  const [withdrawn, withdraw, withdrawing] = useActionState(withdrawContractAction, null);
  const actions = useMemo(() => ({ canEdit, askDelete: setToDelete, withdraw, withdrawing }), [canEdit, withdraw, withdrawing]);

  return (
    <RowActions.Provider value={actions}>
      <ActionMessage result={withdrawn && !withdrawn.ok ? withdrawn : null} />
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
    </RowActions.Provider>
  );
}

function ContractActions({ contract }: { contract: ClientContract }) {
  const actions = useContext(RowActions);
  if (!actions?.canEdit) return null;
  if (contract.status === "Active") {
    return (
      <button type="button" className={rowButton} onClick={() => actions.askDelete(contract)}>
        Delete contract
      </button>
    );
  }
  if (contract.status === "AwaitingApproval") {
    return (
      <form action={actions.withdraw}>
        <input type="hidden" name="contractId" value={contract.id} />
        <button type="submit" className={rowButton} disabled={actions.withdrawing}>
          Withdraw
        </button>
      </form>
    );
  }
  return null;
}
