import type { Metadata } from "next";
import { SettingsNav } from "@/components/portal/SettingsNav";
import { Alert } from "@/components/ui/Alert";
import { getDb } from "@/db/client";
import { requireActor } from "@/lib/auth/actor";
import { isMailConfigured } from "@/lib/domain/email";
import { getEmailPreferences } from "@/lib/domain/email-preferences";
import { EmailPreferencesForm } from "./EmailPreferencesForm";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationSettingsPage() {
  const actor = await requireActor();
  const preferences = await getEmailPreferences(await getDb(), actor);
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <SettingsNav current="/settings/notifications" />
      <div>
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <p className="mt-1 text-slate-600">
          Every notification appears in Portico. Choose which ones also reach you by email at {actor.email}. Password reset emails are always sent.
        </p>
      </div>
      {!isMailConfigured() && <Alert kind="info">Email is not configured on this server, so no email is sent for now. Your choices apply once it is.</Alert>}
      <EmailPreferencesForm preferences={preferences} />
    </div>
  );
}
