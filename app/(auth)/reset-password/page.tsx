import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/Alert";
import { getDb } from "@/db/client";
import { DomainError } from "@/lib/domain/errors";
import { checkPasswordResetLink, type ResetLinkState } from "@/lib/domain/password-reset";
import { ResetPasswordForm } from "./ResetPasswordForm";

// The token is in this page's address: no other site may see it as a referrer.
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

const REFUSAL = { invalid: "reset_link_invalid", used: "reset_link_used", expired: "reset_link_expired" } as const;

/** The same sentence the domain refuses a submission with. */
const refusal = (state: Exclude<ResetLinkState, "valid">) => new DomainError(REFUSAL[state]).message;

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const state = await checkPasswordResetLink(await getDb(), token);
  return (
    <>
      <h1 className="mb-4 text-lg font-semibold">Choose a new password</h1>
      {state === "valid" && typeof token === "string" ? (
        <>
          <p className="mb-4 text-sm text-slate-600">Setting a new password signs your account out everywhere.</p>
          <ResetPasswordForm token={token} />
        </>
      ) : (
        <div className="flex flex-col gap-4">
          <Alert>{refusal(state === "valid" ? "invalid" : state)}</Alert>
          <Link href="/forgot-password" className="text-sm font-medium text-brand-600 hover:underline">
            Ask for a new link
          </Link>
        </div>
      )}
    </>
  );
}
