import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { getDb } from "@/db/client";
import { loadUsage, subjectOrNotFound } from "@/components/usage/load";
import { QuotaPanel } from "@/components/usage/QuotaPanel";
import { RangePicker } from "@/components/usage/RangePicker";
import { rangeQueryOf, withQuery } from "@/components/usage/range-params";
import { contractSubject } from "@/components/usage/subjects";
import { UsageReportView } from "@/components/usage/UsageReportView";
import { requireActor } from "@/lib/auth/actor";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { getContractQuotas, getContractUsage } from "@/lib/domain/usage";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParamsRecord> };

// Once per request: the metadata and the page read the same contract.
const loadSubject = cache(async (id: string) => {
  const actor = await requireActor();
  const db = await getDb();
  return { actor, db, subject: await subjectOrNotFound(contractSubject(db, actor, id)) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { subject } = await loadSubject((await params).id);
  return { title: `Usage · ${subject.label}` };
}

/** A contract's usage, for its client's organization: what it sent and how it went, and what its quotas leave now. */
export default async function ContractUsagePage({ params, searchParams }: Props) {
  const { id } = await params;
  const { actor, db, subject } = await loadSubject(id);
  const query = rangeQueryOf(await searchParams);
  const now = new Date();
  const report = await loadUsage(getContractUsage(db, actor, { contractId: id, ...query.input }, now));
  const quotas = await getContractQuotas(db, actor, id, now);
  const { contract } = subject;
  const basePath = `/usage/contracts/${id}`;

  return (
    <article className="flex min-w-0 flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/my-clients" className="hover:underline">
          My Clients
        </Link>{" "}
        /{" "}
        <Link href={`/contracts/${id}`} className="hover:underline">
          Contract
        </Link>{" "}
        / Usage
      </nav>
      <header className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold break-words">Usage of {subject.label}</h1>
        <p className="text-sm text-slate-600">
          Plan {contract.planName} {contract.planVersion} · {contract.status}
        </p>
      </header>
      <QuotaPanel quotas={quotas} now={now} />
      <RangePicker basePath={basePath} query={query} range={report.ok ? report.data.range : undefined} error={report.ok ? undefined : report.rangeError} />
      {report.ok && <UsageReportView report={report.data} subject={subject.label} csvHref={withQuery(`${basePath}/csv`, query.query)} />}
    </article>
  );
}
