"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { breakContractAction, withdrawContractAction } from "@/app/(portal)/my-clients/actions";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { StatusBadge } from "@/components/StatusBadge";
import { Button } from "@/components/ui/Button";
import type { ContractRow } from "@/lib/domain/contract-queries";
import { ActionMessage } from "./ActionMessage";
import { Dialog } from "./Dialog";
import { formatDate, formatDateTime } from "./format";

/** A contract row as My Clients shows it, with whether the viewer may end it. */
export type ClientContract = ContractRow & { canEdit: boolean };

const col = dataTableColumns<ClientContract>();

const columns = col.columns([
  col.accessor("apiName", {
    id: "api",
    header: "API",
    cell: ({ row }) => (
      <Link href={`/apis/${row.original.apiOrgSlug}/${row.original.apiSlug}?version=${encodeURIComponent(row.original.apiVersion)}`} className="font-medium text-brand-700 hover:underline">
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

/** The contracts of one client version; one page (a client version has one contract per API version at most). */
export function ContractTable({ label, contracts, defaultSort, emptyMessage }: { label: string; contracts: ClientContract[]; defaultSort: TableSort; emptyMessage: string }) {
  return (
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
  );
}

function ContractActions({ contract }: { contract: ClientContract }) {
  if (!contract.canEdit) return null;
  if (contract.status === "Active") return <DeleteContract contract={contract} />;
  if (contract.status === "AwaitingApproval") return <WithdrawContract contract={contract} />;
  return null;
}

function DeleteContract({ contract }: { contract: ClientContract }) {
  const [open, setOpen] = useState(false);
  const [state, action, pending] = useActionState(async (previous: Awaited<ReturnType<typeof breakContractAction>> | null, formData: FormData) => {
    const result = await breakContractAction(previous, formData);
    if (result.ok) setOpen(false);
    return result;
  }, null);
  return (
    <>
      <Button type="button" variant="secondary" onClick={() => setOpen(true)}>
        Delete contract
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Delete contract">
        <form action={action} className="flex flex-col gap-4">
          <ActionMessage result={state && !state.ok ? state : null} />
          <p className="text-sm text-slate-700">
            {contract.clientName} {contract.clientVersion} will stop reaching {contract.apiName} {contract.apiVersion} at once. To use it again you will need a new contract.
          </p>
          <input type="hidden" name="contractId" value={contract.id} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={pending}>
              Delete
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

function WithdrawContract({ contract }: { contract: ClientContract }) {
  const [state, action, pending] = useActionState(withdrawContractAction, null);
  return (
    <form action={action} className="flex flex-col items-start gap-2">
      <input type="hidden" name="contractId" value={contract.id} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Withdraw
      </Button>
      <ActionMessage result={state && !state.ok ? state : null} />
    </form>
  );
}
