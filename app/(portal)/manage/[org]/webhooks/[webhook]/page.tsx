import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { formatDateTime } from "@/components/manage/format";
import { WebhookDeliveriesTable } from "@/components/manage/webhooks/WebhookDeliveriesTable";
import { WebhookEndpointActions } from "@/components/manage/webhooks/WebhookEndpointActions";
import { Badge } from "@/components/ui/Badge";
import { requireManager } from "@/lib/auth/actor";
import { isDomainError } from "@/lib/domain/errors";
import { parsePage, pageCountOf, type SearchParamsRecord } from "@/lib/domain/list-params";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import { getWebhookEndpoint, listWebhookDeliveries } from "@/lib/domain/webhooks";
import { loadOrNotFound } from "../../../page-helpers";
import { deleteWebhookAction, redeliverWebhookAction, rollWebhookSecretAction, setWebhookEnabledAction } from "../actions";

type Props = { params: Promise<{ org: string; webhook: string }>; searchParams: Promise<SearchParamsRecord> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: "Webhook endpoint · API Management" };
}

const PAGE_SIZE = 25;

export default async function WebhookEndpointPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const { org: slug, webhook } = await params;
  const query = await searchParams;
  const db = await getDb();
  const org = await loadOrNotFound(requireManagedOrganization(db, actor, slug, "orgView"));
  // Members who are not owners are told nothing more than strangers.
  const endpoint = await getWebhookEndpoint(db, actor, webhook).catch((error: unknown) => {
    if (isDomainError(error, "forbidden") || isDomainError(error, "not_found")) notFound();
    throw error;
  });
  if (endpoint.orgId !== org.id) notFound();
  const page = parsePage(typeof query.page === "string" ? query.page : undefined);
  const deliveries = await listWebhookDeliveries(db, actor, endpoint.id, { page, pageSize: PAGE_SIZE });
  const base = `/manage/${org.slug}`;

  return (
    <>
      <PageHeader
        crumbs={[{ label: "API Management", href: "/manage" }, { label: org.name, href: base }, { label: "Webhooks", href: `${base}/webhooks` }, { label: "Endpoint" }]}
        title={endpoint.description || "Webhook endpoint"}
        status={<Badge tone={endpoint.enabled ? "green" : "gray"}>{endpoint.enabled ? "Enabled" : "Disabled"}</Badge>}
      >
        <p className="break-all font-mono text-sm text-slate-700">{endpoint.url}</p>
        <p className="text-xs text-slate-500">
          {endpoint.events.length === 0 ? "Every event" : endpoint.events.join(", ")} · added {formatDateTime(endpoint.createdAt)}
        </p>
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Section title="Manage" id="manage">
          <WebhookEndpointActions
            endpointId={endpoint.id}
            orgSlug={org.slug}
            enabled={endpoint.enabled}
            actions={{ setEnabled: setWebhookEnabledAction, rollSecret: rollWebhookSecretAction, remove: deleteWebhookAction }}
          />
        </Section>
        <Section title="Deliveries" id="deliveries" description="Newest first. Redeliver sends the same event again, with the same webhook-id.">
          <WebhookDeliveriesTable
            endpointId={endpoint.id}
            deliveries={deliveries.rows}
            page={page}
            pageCount={pageCountOf(deliveries.total, PAGE_SIZE)}
            pageHref={(p) => `${base}/webhooks/${endpoint.id}?page=${p}`}
            redeliver={redeliverWebhookAction}
          />
        </Section>
      </div>
    </>
  );
}
