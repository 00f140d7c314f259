import type { Metadata } from "next";
import Link from "next/link";
import { AccessTokenTable } from "@/components/portal/AccessTokenTable";
import { CreateAccessTokenForm } from "@/components/portal/CreateAccessTokenForm";
import { SettingsNav } from "@/components/portal/SettingsNav";
import { getDb } from "@/db/client";
import { requireActor } from "@/lib/auth/actor";
import { listAccessTokens } from "@/lib/domain/tokens";

export const metadata: Metadata = { title: "Access tokens" };

export default async function AccessTokensPage() {
  const actor = await requireActor();
  const tokens = await listAccessTokens(await getDb(), actor);
  return (
    <div className="flex max-w-4xl flex-col gap-6">
      <SettingsNav current="/settings/tokens" />
      <div>
        <h1 className="text-2xl font-semibold">Access tokens</h1>
        <p className="mt-1 text-slate-600">
          A token lets a program call Portico&apos;s API as you, with your permissions and never more. Revoke a token you no longer use.
          The{" "}
          <Link className="font-medium text-brand-600 hover:underline" href="/docs/api">
            API reference
          </Link>{" "}
          lists every call.
        </p>
      </div>
      <CreateAccessTokenForm />
      <section aria-labelledby="tokens-heading" className="flex flex-col gap-3">
        <h2 id="tokens-heading" className="text-lg font-semibold">
          Your tokens
        </h2>
        <AccessTokenTable tokens={tokens} now={new Date()} />
      </section>
    </div>
  );
}
