"use client";

import { createContext, useContext } from "react";
import { dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import type { ContractRow } from "@/lib/domain/contracts";
import { ConfirmActionButton } from "./ActionButton";
import type { FormAction } from "./ActionForm";
import { ContractFilters } from "./ContractFilters";
import { ClientCell, contractColumns, ContractsDataTable } from "./ContractsDataTable";

// The break action reaches the cells through context, so the columns stay the same objects between renders.
const BreakActionContext = createContext<FormAction | undefined>(undefined);

function BreakCell({ row }: { row: ContractRow }) {
  const breakAction = useContext(BreakActionContext);
  if (!breakAction || row.status !== "Active") return null;
  return (
    <ConfirmActionButton
      action={breakAction}
      fields={{ contractId: row.id }}
      label="Break contract"
      buttonLabel={`Break contract of ${row.clientName} ${row.clientVersion}`}
      title="Break contract"
      reason={{ hint: "Shown to the consumer." }}
    >
      {row.clientName} {row.clientVersion} ({row.clientOrgName}) loses access to this API at once.
    </ConfirmActionButton>
  );
}

const col = dataTableColumns<ContractRow>();
const baseColumns = [
  col.accessor("clientName", {
    id: "client",
    header: "Client",
    cell: (info) => <ClientCell name={info.getValue()} orgName={info.row.original.clientOrgName} version={info.row.original.clientVersion} />,
  }),
  ...contractColumns,
];
const readColumns = col.columns(baseColumns);
const adminColumns = col.columns([
  ...baseColumns,
  col.display({ id: "actions", header: () => <span className="sr-only">Actions</span>, cell: (info) => <BreakCell row={info.row.original} /> }),
]);

/**
 * The Contracts tab of an API version: every contract with it, whoever the client. An apiAdmin
 * breaks an active one with a reason, which the consumer is shown.
 */
export function ApiContractsTable({
  rows,
  total,
  pageSize,
  defaultSort,
  status,
  plan,
  plans,
  breakAction,
}: {
  rows: ContractRow[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
  status: string;
  plan: string;
  plans: { value: string; label: string }[];
  /** Present when the actor may break contracts (apiAdmin). */
  breakAction?: FormAction;
}) {
  return (
    <BreakActionContext.Provider value={breakAction}>
      <ContractsDataTable
        columns={breakAction ? adminColumns : readColumns}
        rows={rows}
        total={total}
        pageSize={pageSize}
        defaultSort={defaultSort}
        filterPlaceholder="Client, organization, plan…"
        toolbar={<ContractFilters paramPrefix="contracts-" status={status} plan={plan} plans={plans} />}
      />
    </BreakActionContext.Provider>
  );
}
