import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { PageHeader } from "@/components/manage/PageHeader";
import { formatCount, formatPercent } from "@/components/usage/format";
import { loadUsage, subjectOrNotFound } from "@/components/usage/load";
import { RangePicker } from "@/components/usage/RangePicker";
import { rangeQueryOf, withQuery } from "@/components/usage/range-params";
import { apiVersionSubject, segment } from "@/components/usage/subjects";
import { ScrollTable, UsageTable } from "@/components/usage/tables";
import { UsageReportView, UsageSection } from "@/components/usage/UsageReportView";
import { requireManager } from "@/lib/auth/actor";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { getApiVersionUsage } from "@/lib/domain/usage";

type Params = { org: string; api: string; version: string };
type Props = { params: Promise<Params>; searchParams: Promise<SearchParamsRecord> };

const loadSubject = cache(async (org: string, api: string, version: string) => {
  const actor = await requireManager();
  const db = await getDb();
  return { actor, db, subject: await subjectOrNotFound(apiVersionSubject(db, actor, { org: segment(org), api: segment(api), version: segment(version) })) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const ref = await params;
  const { subject } = await loadSubject(ref.org, ref.api, ref.version);
  return { title: `Usage · ${subject.label} · API Management` };
}

/** The provider's view of an API version's traffic: outcomes, latency, its busiest clients and what the gateway refused. */
export default async function ApiVersionUsagePage({ params, searchParams }: Props) {
  const ref = await params;
  const { actor, db, subject } = await loadSubject(ref.org, ref.api, ref.version);
  const { org, api, version, status } = subject.detail;
  const query = rangeQueryOf(await searchParams);
  const report = await loadUsage(getApiVersionUsage(db, actor, { apiVersionId: version.id, ...query.input }));
  const versionHref = `/manage/${org.slug}/apis/${api.slug}/${encodeURIComponent(version.version)}`;
  const basePath = `${versionHref}/usage`;

  return (
    <div className="flex min-w-0 flex-col gap-6">
      <PageHeader
        crumbs={[
          { label: "API Management", href: "/manage" },
          { label: org.name, href: `/manage/${org.slug}?tab=apis` },
          { label: subject.label, href: versionHref },
          { label: "Usage" },
        ]}
        title={`Usage of ${subject.label}`}
        status={<StatusBadge status={status} />}
        actions={
          <>
            <Link href={versionHref} className="text-sm font-medium text-brand-700 hover:underline">
              Back to {subject.label}
            </Link>
            <Link href={withQuery(`/manage/${org.slug}/usage`, query.query)} className="text-sm font-medium text-brand-700 hover:underline">
              All of {org.name}&apos;s APIs
            </Link>
          </>
        }
      />
      <RangePicker basePath={basePath} query={query} range={report.ok ? report.data.range : undefined} error={report.ok ? undefined : report.rangeError} />
      {report.ok && (
        <>
          <UsageReportView report={report.data} subject={subject.label} csvHref={withQuery(`${basePath}/csv`, query.query)} />
          <UsageSection title="Top clients" id="usage-top-clients">
            {report.data.topClients.length === 0 ? (
              <p className="text-sm text-slate-700">No client called this version in this range.</p>
            ) : (
              <ScrollTable label="Top clients, as a table">
                <UsageTable
                  caption={`The client versions that called ${subject.label} the most in this range`}
                  head={["Client", "Organization", "Requests", "Share"]}
                  rows={report.data.topClients.map((c) => [
                    `${c.clientName} ${c.clientVersion}`,
                    c.organizationName,
                    formatCount(c.requests),
                    formatPercent(c.requests, report.data.totals.requests),
                  ])}
                />
              </ScrollTable>
            )}
          </UsageSection>
        </>
      )}
    </div>
  );
}
