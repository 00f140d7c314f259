"use client";

import { useActionState, useState } from "react";
import { revokeAccessTokenAction } from "@/app/(portal)/settings/actions";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import type { AccessTokenScope } from "@/lib/domain/token-options";
import { ActionMessage } from "./ActionMessage";
import { Dialog } from "./Dialog";
import { formatDate, formatDateTime } from "./format";

export interface AccessTokenListItem {
  id: string;
  name: string;
  scope: AccessTokenScope;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const SCOPE_LABELS: Record<AccessTokenScope, string> = { read: "read", write: "read and write" };

/** The user's own tokens; a live one can be revoked after a confirmation. */
export function AccessTokenTable({ tokens, now }: { tokens: AccessTokenListItem[]; now: Date }) {
  const [revoking, setRevoking] = useState<AccessTokenListItem | null>(null);
  const [state, action, pending] = useActionState(async (previous: Awaited<ReturnType<typeof revokeAccessTokenAction>> | null, formData: FormData) => {
    const result = await revokeAccessTokenAction(previous, formData);
    if (result.ok) setRevoking(null);
    return result;
  }, null);

  if (tokens.length === 0) return <p className="text-sm text-slate-600">You have no access tokens yet.</p>;
  return (
    <div className="flex flex-col gap-3">
      {state?.ok && <ActionMessage result={state} />}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">Your access tokens</caption>
          <thead className="bg-slate-50 text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Name</th>
              <th scope="col" className="px-3 py-2 font-medium">Scope</th>
              <th scope="col" className="px-3 py-2 font-medium">Created</th>
              <th scope="col" className="px-3 py-2 font-medium">Expires</th>
              <th scope="col" className="px-3 py-2 font-medium">Last used</th>
              <th scope="col" className="px-3 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tokens.map((token) => {
              const expired = new Date(token.expiresAt) <= now;
              return (
                <tr key={token.id}>
                  <th scope="row" className="px-3 py-2 font-medium text-slate-900">{token.name}</th>
                  <td className="px-3 py-2">{SCOPE_LABELS[token.scope]}</td>
                  <td className="px-3 py-2">{formatDate(token.createdAt)}</td>
                  <td className="px-3 py-2">{formatDate(token.expiresAt)}</td>
                  <td className="px-3 py-2">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}</td>
                  <td className="px-3 py-2 text-right">
                    {token.revokedAt ? (
                      <Badge tone="red">Revoked</Badge>
                    ) : expired ? (
                      <Badge>Expired</Badge>
                    ) : (
                      <Button type="button" variant="secondary" onClick={() => setRevoking(token)} aria-label={`Revoke ${token.name}`}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Dialog open={revoking !== null} onClose={() => setRevoking(null)} title={`Revoke ${revoking?.name ?? ""}`}>
        <form action={action} className="flex flex-col gap-4">
          <ActionMessage result={state && !state.ok ? state : null} />
          <p className="text-sm text-slate-700">Programs using this token are refused at once. Revoking cannot be undone.</p>
          <input type="hidden" name="tokenId" value={revoking?.id ?? ""} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={pending}>
              Revoke
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
