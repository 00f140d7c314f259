import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/Alert";
import { signInMethods } from "@/lib/auth/config";
import { isMailConfigured } from "@/lib/domain/email";
import { ForgotPasswordForm } from "./ForgotPasswordForm";

export const metadata: Metadata = { title: "Forgot your password?" };

export default function ForgotPasswordPage() {
  const available = isMailConfigured() && signInMethods().password;
  return (
    <>
      <h1 className="mb-2 text-lg font-semibold">Forgot your password?</h1>
      {available ? (
        <>
          <p className="mb-4 text-sm text-slate-600">Enter the email of your account: we send you a link to choose a new password. It works once, for 30 minutes.</p>
          <ForgotPasswordForm />
        </>
      ) : (
        <div className="flex flex-col gap-4">
          <Alert kind="info">This portal does not send email, so passwords cannot be reset here. Ask an administrator of this portal for help.</Alert>
          <Link href="/login" className="text-sm font-medium text-brand-600 hover:underline">
            Back to sign in
          </Link>
        </div>
      )}
    </>
  );
}
