import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { getDb } from "@/db/client";
import { loadUsage, subjectOrNotFound } from "@/components/usage/load";
import { RangePicker } from "@/components/usage/RangePicker";
import { rangeQueryOf, withQuery } from "@/components/usage/range-params";
import { clientVersionSubject, segment } from "@/components/usage/subjects";
import { UsageReportView } from "@/components/usage/UsageReportView";
import { requireActor } from "@/lib/auth/actor";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { getClientVersionUsage } from "@/lib/domain/usage";

type Params = { org: string; client: string; version: string };
type Props = { params: Promise<Params>; searchParams: Promise<SearchParamsRecord> };

const loadSubject = cache(async (org: string, client: string, version: string) => {
  const actor = await requireActor();
  const db = await getDb();
  return { actor, db, subject: await subjectOrNotFound(clientVersionSubject(db, actor, { org: segment(org), client: segment(client), version: segment(version) })) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const ref = await params;
  const { subject } = await loadSubject(ref.org, ref.client, ref.version);
  return { title: `Usage · ${subject.label}` };
}

/** A client version's usage: all its contracts together, for its organization. */
export default async function ClientVersionUsagePage({ params, searchParams }: Props) {
  const ref = await params;
  const { actor, db, subject } = await loadSubject(ref.org, ref.client, ref.version);
  const { client, version } = subject;
  const query = rangeQueryOf(await searchParams);
  const report = await loadUsage(getClientVersionUsage(db, actor, { clientVersionId: version.id, ...query.input }));
  const basePath = `/usage/clients/${encodeURIComponent(client.orgSlug)}/${encodeURIComponent(client.slug)}/${encodeURIComponent(version.version)}`;
  const clientHref = `/my-clients/${client.orgSlug}/${client.slug}?version=${encodeURIComponent(version.version)}`;

  return (
    <article className="flex min-w-0 flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/my-clients" className="hover:underline">
          My Clients
        </Link>{" "}
        /{" "}
        <Link href={clientHref} className="hover:underline">
          {subject.label}
        </Link>{" "}
        / Usage
      </nav>
      <header className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold break-words">Usage of {subject.label}</h1>
        <p className="text-sm text-slate-600">
          All contracts of this version together · {client.orgName}. Each contract&apos;s own usage and quotas are on its usage page.
        </p>
      </header>
      {client.contracts.length > 0 && (
        <nav aria-label="Contracts of this version" className="flex flex-wrap gap-2 text-sm">
          {client.contracts.map((c) => (
            <Link key={c.id} href={`/usage/contracts/${c.id}`} className="rounded-md px-2 py-1 text-brand-700 ring-1 ring-slate-200 hover:underline">
              {c.apiName} {c.apiVersion}
            </Link>
          ))}
        </nav>
      )}
      <RangePicker basePath={basePath} query={query} range={report.ok ? report.data.range : undefined} error={report.ok ? undefined : report.rangeError} />
      {report.ok && <UsageReportView report={report.data} subject={subject.label} csvHref={withQuery(`${basePath}/csv`, query.query)} />}
    </article>
  );
}
