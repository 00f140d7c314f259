import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { formatDateTime } from "@/components/manage/format";
import { NewWebhookForm } from "@/components/manage/webhooks/NewWebhookForm";
import { Badge } from "@/components/ui/Badge";
import { requireManager } from "@/lib/auth/actor";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import { hasPermission } from "@/lib/domain/permissions";
import { listWebhookEndpoints, WEBHOOK_EVENT_TYPES } from "@/lib/domain/webhooks";
import { loadOrNotFound } from "../../page-helpers";
import { createWebhookAction } from "./actions";

type Props = { params: Promise<{ org: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Webhooks · ${(await params).org} · API Management` };
}

export default async function WebhooksPage({ params }: Props) {
  const actor = await requireManager();
  const { org: slug } = await params;
  const db = await getDb();
  const org = await loadOrNotFound(requireManagedOrganization(db, actor, slug, "orgView"));
  // Only owners manage webhooks; to others the page does not exist.
  if (!hasPermission(actor, org.id, "orgAdmin")) notFound();
  const endpoints = await listWebhookEndpoints(db, actor, org.id);
  const base = `/manage/${org.slug}`;

  return (
    <>
      <PageHeader crumbs={[{ label: "API Management", href: "/manage" }, { label: org.name, href: base }, { label: "Webhooks" }]} title="Webhooks">
        <p className="text-sm text-slate-600">
          Portico posts signed events (Standard Webhooks) to these endpoints: contracts, API keys, client and API versions. A failed delivery is retried for 24 hours.
        </p>
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Section title="Endpoints" id="endpoints">
          {endpoints.length === 0 ? (
            <p className="text-sm text-slate-600">No endpoints yet.</p>
          ) : (
            <ul className="flex flex-col divide-y divide-slate-100" aria-label="Webhook endpoints">
              {endpoints.map((e) => (
                <li key={e.id} className="flex flex-wrap items-center gap-3 py-3">
                  <div className="flex min-w-0 flex-1 flex-col gap-0.5">
                    <Link href={`${base}/webhooks/${e.id}`} className="break-all font-mono text-sm text-brand-700 hover:underline">
                      {e.url}
                    </Link>
                    {e.description && <span className="text-sm text-slate-700">{e.description}</span>}
                    <span className="text-xs text-slate-500">
                      {e.events.length === 0 ? "Every event" : e.events.join(", ")} · added {formatDateTime(e.createdAt)}
                    </span>
                  </div>
                  <Badge tone={e.enabled ? "green" : "gray"}>{e.enabled ? "Enabled" : "Disabled"}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="New endpoint" id="new-endpoint" description="Its signing secret is shown once, when it is made.">
          <NewWebhookForm action={createWebhookAction} orgId={org.id} eventTypes={WEBHOOK_EVENT_TYPES} />
        </Section>
      </div>
    </>
  );
}
