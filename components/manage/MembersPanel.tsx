"use client";

import { createContext, useContext } from "react";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import type { MemberSummary } from "@/lib/domain/organizations";
import { ActionForm, SelectField, SubmitButton, TextField, type FormAction } from "./ActionForm";
import { DialogButton } from "./DialogButton";
import { formatDateTime, ROLE_LABELS } from "./format";

const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

interface MembersContextValue {
  orgId: string;
  ownerCount: number;
  canAdmin: boolean;
  currentUserId: string;
  actions: { add: FormAction; changeRole: FormAction; remove: FormAction };
}

// Cells read the page's data from here: columns stay the same objects between renders, so a
// refresh after an action keeps each cell (and the message it shows) in place.
const MembersContext = createContext<MembersContextValue | null>(null);
const useMembers = () => useContext(MembersContext)!;

/** The only owner can neither step down nor leave: nothing to offer. */
const isOnlyOwner = (member: MemberSummary, ownerCount: number) => member.role === "owner" && ownerCount === 1;

function NameCell({ member }: { member: MemberSummary }) {
  const { currentUserId } = useMembers();
  return (
    <span className="font-medium">
      {member.name}
      {member.userId === currentUserId && <span className="ml-1 text-xs font-normal text-slate-500">(you)</span>}
    </span>
  );
}

function RoleCell({ member }: { member: MemberSummary }) {
  const { orgId, ownerCount, canAdmin, actions } = useMembers();
  const onlyOwner = isOnlyOwner(member, ownerCount);
  if (!canAdmin || onlyOwner) {
    return (
      <>
        {ROLE_LABELS[member.role]}
        {onlyOwner && <span className="block text-xs text-slate-500">The only owner</span>}
      </>
    );
  }
  return (
    <ActionForm action={actions.changeRole} resetOnSuccess={false} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="userId" value={member.userId} />
      <SelectField label={`Role of ${member.name}`} hideLabel name="role" defaultValue={member.role} options={ROLE_OPTIONS} />
      <SubmitButton variant="secondary">Change role</SubmitButton>
    </ActionForm>
  );
}

function RemoveCell({ member }: { member: MemberSummary }) {
  const { orgId, ownerCount, actions } = useMembers();
  if (isOnlyOwner(member, ownerCount)) return null;
  return (
    <DialogButton label="Remove" buttonLabel={`Remove ${member.name}`} title={`Remove ${member.name}?`} variant="ghost">
      {(close) => (
        <ActionForm action={actions.remove} onSuccess={close}>
          <input type="hidden" name="orgId" value={orgId} />
          <input type="hidden" name="userId" value={member.userId} />
          <p className="text-left text-sm text-slate-700">
            {member.name} ({member.email}) loses access to this organization at once.
          </p>
          <div className="flex justify-end gap-2">
            <SubmitButton variant="danger">Remove member</SubmitButton>
          </div>
        </ActionForm>
      )}
    </DialogButton>
  );
}

const col = dataTableColumns<MemberSummary>();
const baseColumns = [
  col.accessor("name", { id: "name", header: "Name", cell: (info) => <NameCell member={info.row.original} /> }),
  col.accessor("email", { id: "email", header: "Email" }),
  col.accessor("role", { id: "role", header: "Role", cell: (info) => <RoleCell member={info.row.original} /> }),
  col.accessor("since", { id: "since", header: "Member since", cell: (info) => <span className="whitespace-nowrap text-slate-600">{formatDateTime(info.getValue())}</span> }),
];
const viewerColumns = col.columns(baseColumns);
const adminColumns = col.columns([
  ...baseColumns,
  col.display({
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    meta: { className: "text-right" },
    cell: (info) => <RemoveCell member={info.row.original} />,
  }),
]);

/** The members of an organization; an orgAdmin adds them by email, changes roles and removes them. */
export function MembersPanel({
  members,
  total,
  pageSize,
  defaultSort,
  ...context
}: MembersContextValue & {
  members: MemberSummary[];
  total: number;
  pageSize: number;
  defaultSort: TableSort;
}) {
  return (
    <MembersContext.Provider value={context}>
      <div className="flex flex-col gap-6">
        <DataTable
          columns={context.canAdmin ? adminColumns : viewerColumns}
          rows={members}
          total={total}
          pageSize={pageSize}
          label="Members"
          defaultSort={defaultSort}
          getRowId={(row) => row.userId}
          filterLabel="Filter members"
          filterPlaceholder="Name or email…"
          emptyMessage="No member matches."
        />
        {context.canAdmin && (
          <div className="flex flex-col gap-2">
            <h3 className="font-semibold">Add a member</h3>
            <ActionForm action={context.actions.add} className="flex flex-wrap items-end gap-3" label="Add a member">
              <input type="hidden" name="orgId" value={context.orgId} />
              <div className="w-72">
                <TextField label="Email" name="email" type="email" required hint="Of a registered user." />
              </div>
              <SelectField label="Role" name="role" defaultValue="viewer" options={ROLE_OPTIONS} />
              <SubmitButton>Add member</SubmitButton>
            </ActionForm>
          </div>
        )}
      </div>
    </MembersContext.Provider>
  );
}
