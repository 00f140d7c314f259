import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { getDb } from "@/db/client";
import { PageHeader } from "@/components/manage/PageHeader";
import { formatCount } from "@/components/usage/format";
import { loadUsage, subjectOrNotFound } from "@/components/usage/load";
import { RangePicker } from "@/components/usage/RangePicker";
import { rangeQueryOf, withQuery } from "@/components/usage/range-params";
import { organizationSubject, segment } from "@/components/usage/subjects";
import { ScrollTable, UsageTable } from "@/components/usage/tables";
import { UsageReportView, UsageSection } from "@/components/usage/UsageReportView";
import { requireManager } from "@/lib/auth/actor";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { getOrganizationApiUsage } from "@/lib/domain/usage";

type Props = { params: Promise<{ org: string }>; searchParams: Promise<SearchParamsRecord> };

const loadSubject = cache(async (org: string) => {
  const actor = await requireManager();
  const db = await getDb();
  return { actor, db, subject: await subjectOrNotFound(organizationSubject(db, actor, segment(org))) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { subject } = await loadSubject((await params).org);
  return { title: `Usage · ${subject.label} · API Management` };
}

/** An organization's API traffic: all its APIs together, then a line per API version. */
export default async function OrganizationUsagePage({ params, searchParams }: Props) {
  const { actor, db, subject } = await loadSubject((await params).org);
  const { org } = subject;
  const query = rangeQueryOf(await searchParams);
  const report = await loadUsage(getOrganizationApiUsage(db, actor, { orgId: org.id, ...query.input }));
  const basePath = `/manage/${org.slug}/usage`;

  return (
    <div className="flex min-w-0 flex-col gap-6">
      <PageHeader
        crumbs={[
          { label: "API Management", href: "/manage" },
          { label: org.name, href: `/manage/${org.slug}?tab=apis` },
          { label: "Usage" },
        ]}
        title={`Usage of ${org.name}'s APIs`}
      />
      <RangePicker basePath={basePath} query={query} range={report.ok ? report.data.range : undefined} error={report.ok ? undefined : report.rangeError} />
      {report.ok && (
        <>
          <UsageReportView report={report.data} subject={`${org.name}'s APIs`} csvHref={withQuery(`${basePath}/csv`, query.query)} />
          <UsageSection title="By API version" id="usage-apis">
            {report.data.apis.length === 0 ? (
              <p className="text-sm text-slate-700">No API of {org.name} was called in this range.</p>
            ) : (
              <ScrollTable label="API versions, as a table">
                <UsageTable
                  caption={`Requests per API version of ${org.name}, busiest first`}
                  head={["API version", "Requests", "Refused", "5xx"]}
                  rows={report.data.apis.map((line) => [
                    <Link
                      key={line.apiVersionId}
                      href={withQuery(`/manage/${org.slug}/apis/${line.apiSlug}/${encodeURIComponent(line.version)}/usage`, query.query)}
                      className="text-brand-700 hover:underline"
                    >
                      {line.apiName} {line.version}
                    </Link>,
                    formatCount(line.requests),
                    formatCount(line.refused),
                    formatCount(line.s5xx),
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
