"use client";

import type { MemberSummary } from "@/lib/domain/management-organizations";
import { ActionForm, SelectField, SubmitButton, TextField, type FormAction } from "./ActionForm";
import { DialogButton } from "./DialogButton";
import { formatDateTime, ROLE_LABELS } from "./format";

const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

/** The members of an organization; an orgAdmin adds them by email, changes roles and removes them. */
export function MembersPanel({
  orgId,
  members,
  canAdmin,
  currentUserId,
  actions,
}: {
  orgId: string;
  members: MemberSummary[];
  canAdmin: boolean;
  currentUserId: string;
  actions: { add: FormAction; changeRole: FormAction; remove: FormAction };
}) {
  const ownerCount = members.filter((m) => m.role === "owner").length;
  return (
    <div className="flex flex-col gap-6">
      <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
        <table aria-label="Members" className="min-w-full text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2">Name</th>
              <th scope="col" className="px-3 py-2">Email</th>
              <th scope="col" className="px-3 py-2">Role</th>
              <th scope="col" className="px-3 py-2">Member since</th>
              {canAdmin && <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((member) => {
              // The only owner can neither step down nor leave: nothing to offer.
              const onlyOwner = member.role === "owner" && ownerCount === 1;
              return (
                <tr key={member.userId} className="align-top">
                  <td className="px-3 py-2 font-medium">
                    {member.name}
                    {member.userId === currentUserId && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                  </td>
                  <td className="px-3 py-2">{member.email}</td>
                  <td className="px-3 py-2">
                    {canAdmin && !onlyOwner ? (
                      <ActionForm action={actions.changeRole} resetOnSuccess={false} className="flex flex-wrap items-end gap-2">
                        <input type="hidden" name="orgId" value={orgId} />
                        <input type="hidden" name="userId" value={member.userId} />
                        <SelectField label={`Role of ${member.name}`} hideLabel name="role" defaultValue={member.role} options={ROLE_OPTIONS} />
                        <SubmitButton variant="secondary">Change role</SubmitButton>
                      </ActionForm>
                    ) : (
                      <>
                        {ROLE_LABELS[member.role]}
                        {onlyOwner && <span className="block text-xs text-slate-500">The only owner</span>}
                      </>
                    )}
                  </td>
                  <td className="px-3 py-2 text-slate-600">{formatDateTime(member.since)}</td>
                  {canAdmin && (
                    <td className="px-3 py-2 text-right">
                      {!onlyOwner && (
                        <DialogButton label="Remove" buttonLabel={`Remove ${member.name}`} title={`Remove ${member.name}?`} variant="ghost">
                          {(close) => (
                            <ActionForm action={actions.remove} onSuccess={close}>
                              <input type="hidden" name="orgId" value={orgId} />
                              <input type="hidden" name="userId" value={member.userId} />
                              <p className="text-sm text-slate-700">
                                {member.name} ({member.email}) loses access to this organization at once.
                              </p>
                              <div className="flex justify-end gap-2">
                                <SubmitButton variant="danger">Remove member</SubmitButton>
                              </div>
                            </ActionForm>
                          )}
                        </DialogButton>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canAdmin && (
        <div className="flex flex-col gap-2">
          <h3 className="font-semibold">Add a member</h3>
          <ActionForm action={actions.add} className="flex flex-wrap items-end gap-3" label="Add a member">
            <input type="hidden" name="orgId" value={orgId} />
            <div className="w-72">
              <TextField label="Email" name="email" type="email" required hint="Of a registered user." />
            </div>
            <SelectField label="Role" name="role" defaultValue="viewer" options={ROLE_OPTIONS} />
            <SubmitButton>Add member</SubmitButton>
          </ActionForm>
        </div>
      )}
    </div>
  );
}
