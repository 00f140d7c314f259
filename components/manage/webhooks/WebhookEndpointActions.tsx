"use client";

import { useState } from "react";
import { ActionButton, ConfirmActionButton } from "@/components/manage/ActionButton";
import type { FormAction } from "@/components/manage/ActionForm";
import { WebhookSecret } from "./WebhookSecret";

/** Enable or disable, roll the secret (the new one shown once), delete. */
export function WebhookEndpointActions({
  endpointId,
  orgSlug,
  enabled,
  actions,
}: {
  endpointId: string;
  orgSlug: string;
  enabled: boolean;
  actions: { setEnabled: FormAction; rollSecret: FormAction; remove: FormAction };
}) {
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-2">
        <ActionButton
          action={actions.setEnabled}
          fields={{ endpointId, enabled: enabled ? "false" : "true" }}
          label={enabled ? "Disable" : "Enable"}
          variant="secondary"
        />
        <ConfirmActionButton
          action={actions.rollSecret}
          fields={{ endpointId }}
          label="Roll secret"
          title="Roll the signing secret?"
          submitLabel="Make a new secret"
          variant="primary"
          onSuccess={(result) => setSecret(result.ok ? ((result.data as { secret?: string } | undefined)?.secret ?? null) : null)}
        >
          Deliveries from now on, retries included, are signed with the new secret; signatures made with the old one stop verifying.
        </ConfirmActionButton>
        <ConfirmActionButton action={actions.remove} fields={{ endpointId, orgSlug }} label="Delete" title="Delete this endpoint?" submitLabel="Delete endpoint">
          Its pending deliveries and its delivery log are deleted with it.
        </ConfirmActionButton>
      </div>
      {secret && <WebhookSecret secret={secret} />}
    </div>
  );
}
