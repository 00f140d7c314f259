"use client";

import { useActionState, useId } from "react";
import { createClientAction } from "@/app/(portal)/my-clients/actions";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { submitKeepingValues } from "@/components/ui/submitKeepingValues";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { ActionMessage } from "./ActionMessage";

export interface ClientOrganization {
  id: string;
  name: string;
}

const LABELS = { name: "Name", version: "Version", description: "Description", orgId: "Organization" };

/** Name, version (1.0), description and, for members of several organizations, the organization. */
export function NewClientForm({
  organizations,
  onCreated,
  onCancel,
}: {
  organizations: ClientOrganization[];
  onCreated: (created: { clientId: string; clientVersionId: string; name: string; version: string }) => void;
  onCancel?: () => void;
}) {
  const [state, action, pending] = useActionState(async (previous: Awaited<ReturnType<typeof createClientAction>> | null, formData: FormData) => {
    const result = await createClientAction(previous, formData);
    if (result.ok && result.data) onCreated(result.data);
    return result;
  }, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const id = useId();

  if (organizations.length === 0) {
    return <p className="text-sm text-slate-600">You are not allowed to create clients in any organization.</p>;
  }
  return (
    <form action={action} onSubmit={submitKeepingValues(action)} className="flex flex-col gap-4">
      <ActionMessage result={state && !state.ok ? state : null} labels={LABELS} />
      <Field label="Name" name="name" required maxLength={TEXT_LIMITS.name} autoComplete="off" error={fields?.name} />
      <Field label="Version" name="version" required maxLength={32} defaultValue="1.0" error={fields?.version} />
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-description`} className="text-sm font-medium text-slate-700">
          Description <span className="font-normal text-slate-500">(optional)</span>
        </label>
        <textarea
          id={`${id}-description`}
          name="description"
          rows={2}
          maxLength={TEXT_LIMITS.description}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600"
        />
      </div>
      {organizations.length > 1 ? (
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-org`} className="text-sm font-medium text-slate-700">
            Organization
          </label>
          <select id={`${id}-org`} name="orgId" defaultValue={organizations[0].id} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            {organizations.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <input type="hidden" name="orgId" value={organizations[0].id} />
      )}
      <div className="flex justify-end gap-2">
        {onCancel && (
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" disabled={pending}>
          Create client
        </Button>
      </div>
    </form>
  );
}
