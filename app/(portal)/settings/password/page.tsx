import type { Metadata } from "next";
import { Alert } from "@/components/ui/Alert";
import { SettingsNav } from "@/components/portal/SettingsNav";
import { requireActor } from "@/lib/auth/actor";
import { ChangePasswordForm } from "./ChangePasswordForm";

export const metadata: Metadata = { title: "Change password" };

export default async function ChangePasswordPage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  await requireActor();
  const { changed } = await searchParams;
  return (
    <div className="flex max-w-md flex-col gap-6">
      <SettingsNav current="/settings/password" />
      <div>
        <h1 className="text-2xl font-semibold">Change password</h1>
        <p className="mt-1 text-slate-600">Changing your password signs you out on every other device and browser.</p>
      </div>
      {changed === "1" && <Alert kind="success">Your password was changed. Every other session was signed out.</Alert>}
      <ChangePasswordForm />
    </div>
  );
}
