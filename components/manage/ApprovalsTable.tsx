"use client";

import { createContext, useContext, useMemo, useState } from "react";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import { Alert } from "@/components/ui/Alert";
import type { ActionResult } from "@/lib/auth/action";
import type { ApprovalRequest } from "@/lib/domain/contracts";
import { ActionButton, ConfirmActionButton } from "./ActionButton";
import { ActionForm, SubmitButton, TextAreaField, type FormAction } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { ClientCell } from "./ContractsDataTable";
import { formatDateTime } from "./format";

type ApprovalActions = { approve: FormAction; reject: FormAction; decideSelected: FormAction };

interface ApprovalsContextValue {
  selection: ReadonlySet<string>;
  allSelected: boolean;
  toggle: (id: string, on: boolean) => void;
  toggleAll: (on: boolean) => void;
  actions: ApprovalActions;
  announce: (result: ActionResult) => void;
}

/** The table's last outcome: a decision made, or a request that had changed meanwhile. */
type Notice = { kind: "success" | "info"; text: string };

// Cells read selection and actions from here: the columns stay the same objects between renders,
// so ticking a checkbox keeps the focus on it.
const ApprovalsContext = createContext<ApprovalsContextValue | null>(null);
const useApprovals = () => useContext(ApprovalsContext)!;

const describe = (r: ApprovalRequest) => `${r.kind === "planChange" ? "plan change of " : ""}${r.clientName} ${r.clientVersion} for ${r.apiName} ${r.apiVersion}`;

/** "Plan change: Bronze 1.0 → Gold 1.0", or the plan a new contract asks for. */
function PlanCell({ row }: { row: ApprovalRequest }) {
  if (row.kind === "planChange") {
    return (
      <div className="flex flex-col">
        <span className="font-medium">
          Plan change: {row.currentPlanName} {row.currentPlanVersion} → {row.planName} {row.planVersion}
        </span>
        <span className="text-xs text-slate-600">Running contract</span>
      </div>
    );
  }
  return (
    <div className="flex flex-col">
      <span>
        {row.planName} {row.planVersion}
      </span>
      <span className="text-xs text-slate-600">New contract</span>
    </div>
  );
}

function SelectAllHeader() {
  const { allSelected, toggleAll } = useApprovals();
  return <input type="checkbox" aria-label="Select all requests on this page" checked={allSelected} onChange={(event) => toggleAll(event.target.checked)} className="h-4 w-4" />;
}

function SelectCell({ row }: { row: ApprovalRequest }) {
  const { selection, toggle } = useApprovals();
  return (
    <input
      type="checkbox"
      aria-label={`Select ${describe(row)}`}
      checked={selection.has(row.contractId)}
      onChange={(event) => toggle(row.contractId, event.target.checked)}
      className="h-4 w-4"
    />
  );
}

function DecisionCell({ row }: { row: ApprovalRequest }) {
  const { actions, announce } = useApprovals();
  const planChange = row.kind === "planChange";
  const fields = { contractId: row.contractId, kind: row.kind };
  return (
    <div className="flex flex-wrap justify-end gap-2">
      <ActionButton action={actions.approve} fields={fields} label="Approve" buttonLabel={planChange ? `Approve plan change of ${row.clientName} ${row.clientVersion}` : undefined} onSuccess={announce} />
      <ConfirmActionButton
        action={actions.reject}
        fields={fields}
        label="Reject"
        buttonLabel={planChange ? `Reject plan change of ${row.clientName} ${row.clientVersion}` : undefined}
        title={planChange ? "Reject plan change" : "Reject request"}
        submitLabel="Reject"
        reason={{ hint: "Shown to the requester." }}
        onSuccess={announce}
      >
        {planChange ? (
          <>
            {row.requesterName ?? "The requester"} asked to move {row.clientName} {row.clientVersion} from the {row.currentPlanName} plan to the {row.planName} plan of {row.apiName}{" "}
            {row.apiVersion}. The contract stays on {row.currentPlanName}.
          </>
        ) : (
          <>
            {row.requesterName ?? "The requester"} asked for the {row.planName} plan of {row.apiName} {row.apiVersion} for {row.clientName} {row.clientVersion}.
          </>
        )}
      </ConfirmActionButton>
    </div>
  );
}

const col = dataTableColumns<ApprovalRequest>();
const columns = col.columns([
  col.display({ id: "select", header: () => <SelectAllHeader />, cell: (info) => <SelectCell row={info.row.original} />, meta: { className: "w-10" } }),
  col.accessor("clientName", {
    id: "client",
    header: "Client",
    cell: (info) => <ClientCell name={info.getValue()} orgName={info.row.original.clientOrgName} version={info.row.original.clientVersion} />,
  }),
  col.accessor("requesterName", {
    id: "requester",
    header: "Requester",
    cell: (info) => {
      const row = info.row.original;
      return row.requesterName ? (
        <div className="flex flex-col">
          <span>{row.requesterName}</span>
          <span className="text-xs text-slate-600">{row.requesterEmail}</span>
        </div>
      ) : (
        "—"
      );
    },
  }),
  col.accessor("apiName", { id: "api", header: "API", cell: (info) => `${info.getValue()} ${info.row.original.apiVersion}` }),
  col.accessor("planName", { id: "plan", header: "Plan", cell: (info) => <PlanCell row={info.row.original} /> }),
  col.accessor("requestedAt", { id: "requested", header: "Requested", cell: (info) => <span className="whitespace-nowrap">{formatDateTime(info.getValue())}</span> }),
  // Relative: the hidden header stays inside the table's scroll box on a narrow screen.
  col.display({ id: "actions", header: () => <span className="sr-only">Decision</span>, cell: (info) => <DecisionCell row={info.row.original} />, meta: { className: "relative" } }),
]);

/**
 * Requests awaiting the user's decision: new contracts and plan changes of running ones. Each row
 * has Approve and Reject (with a required reason); selected rows are approved or rejected
 * together, with one shared reason. A row decided or taken back meanwhile is refreshed away, and
 * the table says so.
 */
export function ApprovalsTable({ rows, total, pageSize, defaultSort, actions }: { rows: ApprovalRequest[]; total: number; pageSize: number; defaultSort: TableSort; actions: ApprovalActions }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Decided rows leave the table with their buttons, so the outcome is said above it.
  const [notice, setNotice] = useState<Notice | null>(null);
  // Rows decided elsewhere drop out of the selection when the page refreshes.
  const selection = useMemo(() => new Set(rows.map((r) => r.contractId).filter((id) => selected.has(id))), [rows, selected]);

  const context: ApprovalsContextValue = {
    selection,
    allSelected: rows.length > 0 && selection.size === rows.length,
    toggle: (id, on) =>
      setSelected((current) => {
        const next = new Set(current);
        if (on) next.add(id);
        else next.delete(id);
        return next;
      }),
    toggleAll: (on) => setSelected(on ? new Set(rows.map((r) => r.contractId)) : new Set()),
    actions,
    announce: (result) =>
      setNotice(result.ok && result.message ? { kind: (result.data as { stale?: boolean } | undefined)?.stale ? "info" : "success", text: result.message } : null),
  };

  return (
    <ApprovalsContext.Provider value={context}>
      <div className="flex flex-col gap-4">
        {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
        <DataTable
          columns={columns}
          rows={rows}
          total={total}
          pageSize={pageSize}
          label="Requests awaiting approval"
          defaultSort={defaultSort}
          getRowId={(row) => row.contractId}
          filterLabel="Filter requests"
          filterPlaceholder="Client, API, plan, requester…"
          emptyMessage="No requests await your decision."
        />
        {rows.length > 0 && (
          <section aria-labelledby="bulk-heading" className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <h2 id="bulk-heading" className="font-semibold">
              Decide the selected requests
            </h2>
            <ActionForm
              action={actions.decideSelected}
              onSuccess={(result) => {
                setSelected(new Set());
                context.announce(result);
              }}
              showSuccess={false}
              className="mt-2 flex flex-col gap-3"
              label="Decide the selected requests"
            >
              {[...selection].map((id) => (
                <input key={id} type="hidden" name="contractIds" value={id} />
              ))}
              <p className="text-sm text-slate-600" aria-live="polite">
                {selection.size === 0 ? "Select requests in the table." : `${selection.size} selected.`}
              </p>
              <TextAreaField label="Shared reason" name="reason" rows={2} maxChars={TEXT_LIMITS.reason} hint="Required to reject; shown to each requester." />
              <div className="flex gap-2">
                <SubmitButton name="decision" value="approve">
                  Approve selected
                </SubmitButton>
                <SubmitButton name="decision" value="reject" variant="danger">
                  Reject selected
                </SubmitButton>
              </div>
            </ActionForm>
          </section>
        )}
      </div>
    </ApprovalsContext.Provider>
  );
}
