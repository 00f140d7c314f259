"use client";

import { createContext, useContext } from "react";
import { dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import type { FormAction } from "./ActionForm";
import { ContractFilters } from "./ContractFilters";
import { contractColumns, ContractLink, ContractsDataTable, type ContractTableRow } from "./ContractsDataTable";
import { ConfirmRowButton, RowDialogs } from "./RowDialog";

type ContractActions = { withdraw: FormAction; break: FormAction };

// The actions reach the cells through context, so the columns stay the same objects between renders.
const ActionsContext = createContext<ContractActions | undefined>(undefined);

function ActionsCell({ row }: { row: ContractTableRow }) {
  return (
    <div className="flex flex-wrap items-center justify-end gap-2">
      <ContractLink row={row} />
      <EditActions row={row} />
    </div>
  );
}

function EditActions({ row }: { row: ContractTableRow }) {
  const actions = useContext(ActionsContext);
  if (!actions) return null;
  const what = `${row.apiName} ${row.apiVersion}`;
  if (row.status === "AwaitingApproval") {
    return (
      <ConfirmRowButton action={actions.withdraw} fields={{ contractId: row.id }} label="Withdraw" buttonLabel={`Withdraw request for ${what}`} title="Withdraw request" submitLabel="Withdraw request">
        The request for {what} on the {row.planName} plan is taken back.
      </ConfirmRowButton>
    );
  }
  if (row.status === "Active" || row.status === "Suspended") {
    return (
      <ConfirmRowButton action={actions.break} fields={{ contractId: row.id }} label="Break contract" buttonLabel={`Break contract with ${what}`} title="Break contract">
        Calls to {what} with this client&apos;s key are refused from now on.
      </ConfirmRowButton>
    );
  }
  return null;
}

const col = dataTableColumns<ContractTableRow>();
const baseColumns = [
  col.accessor("apiName", {
    id: "api",
    header: "API",
    cell: (info) => {
      const row = info.row.original;
      return (
        <div className="flex flex-col">
          <span className="font-medium">
            {row.apiName} {row.apiVersion}
          </span>
          <span className="text-xs text-slate-600">{row.apiOrgName}</span>
        </div>
      );
    },
  }),
  ...contractColumns,
  col.accessor("endpoint", { id: "endpoint", header: "Endpoint", cell: (info) => <span className="font-mono text-xs break-all">{info.getValue()}</span> }),
];
const columns = col.columns([
  ...baseColumns,
  // Relative: the hidden header stays inside the table's scroll box on a narrow screen.
  col.display({ id: "actions", header: () => <span className="sr-only">Contract</span>, cell: (info) => <ActionsCell row={info.row.original} />, meta: { className: "relative" } }),
]);

/**
 * The Contracts tab of a client version: every contract it signed, each linked to its page. With
 * clientEdit, a pending request can be withdrawn and an active or suspended contract broken.
 */
export function ClientContractsTable({
  rows,
  total,
  pageSize,
  defaultSort,
  status,
  actions,
}: {
  rows: ContractTableRow[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
  status: string;
  /** Present when the actor may edit the client (clientEdit). */
  actions?: ContractActions;
}) {
  return (
    <ActionsContext.Provider value={actions}>
      <RowDialogs>
        <ContractsDataTable
          columns={columns}
          rows={rows}
          total={total}
          pageSize={pageSize}
          defaultSort={defaultSort}
          filterPlaceholder="API, plan…"
          toolbar={<ContractFilters paramPrefix="contracts-" status={status} plan="" />}
        />
      </RowDialogs>
    </ActionsContext.Provider>
  );
}
