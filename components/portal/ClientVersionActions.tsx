"use client";

import { useActionState, useId, useState } from "react";
import { createClientVersionAction, deleteClientAction, retireClientVersionAction } from "@/app/(portal)/my-clients/actions";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import type { ActionResult } from "@/lib/auth/action";
import { ActionMessage } from "./ActionMessage";
import { Dialog } from "./Dialog";

type Action = (previous: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;

/** A server action whose dialog closes on success; the result stays for the page to announce. */
function useDialogAction(serverAction: Action) {
  const [open, setOpen] = useState(false);
  const [state, action, pending] = useActionState(async (previous: ActionResult<unknown> | null, formData: FormData) => {
    const result = await serverAction(previous, formData);
    if (result.ok) setOpen(false);
    return result;
  }, null);
  return { open, setOpen, state, action, pending };
}

/** Why a client cannot be deleted yet, naming only what the consumer can do: delete or withdraw contracts. */
function deleteClientRefusal(liveContracts: number): string {
  if (liveContracts === 1) return "Delete or withdraw its live contract first.";
  // Zero: the server knows of contracts this page does not count (another version's).
  return liveContracts > 1 ? `Delete or withdraw its ${liveContracts} live contracts first.` : "Delete or withdraw its live contracts first.";
}

/** New version, retire this version, delete the client: the life of a client in My Clients. */
export function ClientVersionActions({
  clientId,
  clientName,
  clientVersionId,
  version,
  retired,
  liveContracts,
  clientLiveContracts = liveContracts,
  canEdit,
  canAdmin,
  canImportKey = false,
}: {
  clientId: string;
  clientName: string;
  clientVersionId: string;
  version: string;
  retired: boolean;
  /** Live contracts of this version. */
  liveContracts: number;
  /** Live contracts of all the client's versions, which block deleting it; this version's when not given. */
  clientLiveContracts?: number;
  canEdit: boolean;
  canAdmin: boolean;
  /** Owners may bring an API key of their own (one already used by their callers, say). */
  canImportKey?: boolean;
}) {
  const create = useDialogAction(createClientVersionAction as Action);
  const retire = useDialogAction(retireClientVersionAction as Action);
  const remove = useDialogAction(deleteClientAction as Action);
  const done = [create.state, retire.state].find((s) => s?.ok);
  const deleteReasonId = useId();
  const deleteBlocked = clientLiveContracts > 0;
  // The domain's refusal names the provider's Break too; the consumer is told of their own buttons.
  const removeRefusal = remove.state && !remove.state.ok ? (remove.state.code === "client_has_contracts" ? { ...remove.state, error: deleteClientRefusal(clientLiveContracts) } : remove.state) : null;
  if (!canEdit && !canAdmin) return null;

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {canEdit && (
          <Button type="button" variant="secondary" onClick={() => create.setOpen(true)}>
            New version
          </Button>
        )}
        {canAdmin && !retired && (
          <Button type="button" variant="secondary" onClick={() => retire.setOpen(true)}>
            Retire version
          </Button>
        )}
        {canAdmin && (
          <Button type="button" variant="ghost" disabled={deleteBlocked} aria-describedby={deleteBlocked ? deleteReasonId : undefined} onClick={() => remove.setOpen(true)}>
            Delete client
          </Button>
        )}
      </div>
      {canAdmin && deleteBlocked && (
        <p id={deleteReasonId} className="text-sm text-slate-600">
          {deleteClientRefusal(clientLiveContracts)}
        </p>
      )}
      {done?.ok && done.message && (
        <p role="status" className="text-sm text-green-800">
          {done.message}
        </p>
      )}

      <Dialog open={create.open} onClose={() => create.setOpen(false)} title={`New version of ${clientName}`}>
        <form action={create.action} onSubmit={submitKeepingValues(create.action)} className="flex flex-col gap-4">
          <ActionMessage result={create.state && !create.state.ok ? create.state : null} labels={{ version: "Version", apiKey: "API key" }} />
          <p className="text-sm text-slate-700">A new version gets its own API key. Its contracts are signed again, under today&apos;s rules.</p>
          <input type="hidden" name="clientId" value={clientId} />
          <Field label="Version" name="version" required maxLength={32} autoComplete="off" error={create.state && !create.state.ok ? create.state.fields?.version : undefined} />
          {canImportKey && (
            <Field
              label="Bring your own API key (optional)"
              name="apiKey"
              maxLength={128}
              autoComplete="off"
              spellCheck={false}
              hint="Leave empty for a new key. 32 to 128 letters, digits or . _ ~ - ; it must not be used by any other client."
              error={create.state && !create.state.ok ? create.state.fields?.apiKey : undefined}
            />
          )}
          {liveContracts > 0 && (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="copyContractsFromVersionId" value={clientVersionId} defaultChecked />
              Copy the {liveContracts} live {liveContracts === 1 ? "contract" : "contracts"} of version {version}
            </label>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => create.setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.pending}>
              Create version
            </Button>
          </div>
        </form>
      </Dialog>

      <Dialog open={retire.open} onClose={() => retire.setOpen(false)} title={`Retire ${clientName} ${version}`}>
        <form action={retire.action} className="flex flex-col gap-4">
          <ActionMessage result={retire.state && !retire.state.ok ? retire.state : null} />
          <p className="text-sm text-slate-700">Its API key stops working at once, for every API. Retiring cannot be undone.</p>
          <input type="hidden" name="clientVersionId" value={clientVersionId} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => retire.setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={retire.pending}>
              Retire
            </Button>
          </div>
        </form>
      </Dialog>

      <Dialog open={remove.open} onClose={() => remove.setOpen(false)} title={`Delete ${clientName}`}>
        <form action={remove.action} className="flex flex-col gap-4">
          <ActionMessage result={removeRefusal} />
          <p className="text-sm text-slate-700">The client and all its versions and keys are deleted. A client with live contracts cannot be deleted.</p>
          <input type="hidden" name="clientId" value={clientId} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => remove.setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={remove.pending}>
              Delete client
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
