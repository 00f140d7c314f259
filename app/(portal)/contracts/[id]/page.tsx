import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache, type ReactNode } from "react";
import { getDb } from "@/db/client";
import { describeContractEvent } from "@/components/portal/contract-history";
import { ContractStatusBadge, statusReason } from "@/components/portal/ContractStatusBadge";
import { formatDate, formatDateTime } from "@/components/portal/format";
import { Markdown } from "@/components/portal/Markdown";
import { requireActor } from "@/lib/auth/actor";
import { getContractDetail } from "@/lib/domain/contracts";
import { isDomainError } from "@/lib/domain/errors";
import { hasPermission } from "@/lib/domain/permissions";

type Props = { params: Promise<{ id: string }> };

// Once per request: the metadata and the page read the same contract.
const loadContract = cache(async (id: string) => {
  const actor = await requireActor();
  try {
    return { actor, detail: await getContractDetail(await getDb(), actor, id) };
  } catch (error) {
    // A contract the actor may not see, a missing one and a malformed id look the same.
    if (isDomainError(error, "contract_not_found") || isDomainError(error, "validation_failed")) notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { detail } = await loadContract((await params).id);
  return { title: `Contract ${detail.contract.clientName} ${detail.contract.clientVersion} → ${detail.contract.apiName} ${detail.contract.apiVersion}` };
}

function Time({ at, withTime = false }: { at: Date; withTime?: boolean }) {
  return (
    <time dateTime={at.toISOString()} title={formatDateTime(at)}>
      {withTime ? formatDateTime(at) : formatDate(at)}
    </time>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1 sm:flex-row sm:gap-4">
      <dt className="shrink-0 text-sm font-medium text-slate-600 sm:w-40">{term}</dt>
      <dd className="min-w-0 text-sm break-words text-slate-900">{children}</dd>
    </div>
  );
}

/**
 * One contract, for both sides (the client's organization and the API's): its plan and any plan
 * change awaiting approval, its status and why, its end, the terms accepted, and its whole story.
 */
export default async function ContractPage({ params }: Props) {
  const { actor, detail } = await loadContract((await params).id);
  const { contract, events } = detail;
  const consumer = hasPermission(actor, contract.clientOrgId, "clientView");
  const reason = statusReason(contract.status, contract.reason);
  const clientLabel = `${contract.clientName} ${contract.clientVersion}`;
  const apiLabel = `${contract.apiName} ${contract.apiVersion}`;

  return (
    <article className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        {consumer ? (
          <Link href="/my-clients" className="hover:underline">
            My Clients
          </Link>
        ) : (
          <Link href="/apis" className="hover:underline">
            APIs
          </Link>
        )}{" "}
        / Contract
      </nav>
      <header className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold break-words">
          {clientLabel} → {apiLabel}
        </h1>
        <div className="flex flex-wrap items-center gap-2">
          <ContractStatusBadge status={contract.status} />
          {reason && <span className={`text-sm ${contract.status === "Suspended" || contract.status === "Rejected" ? "text-red-800" : "text-slate-700"}`}>{reason}</span>}
        </div>
        {consumer && (
          <p>
            <Link href={`/usage/contracts/${contract.id}`} className="text-sm font-medium text-brand-700 hover:underline">
              Usage and remaining quota
            </Link>
          </p>
        )}
      </header>

      <section aria-labelledby="contract-facts" className="flex flex-col gap-3 rounded-lg bg-white p-5 ring-1 ring-slate-200">
        <h2 id="contract-facts" className="text-lg font-semibold">
          Details
        </h2>
        <dl className="flex flex-col gap-3">
          <Fact term="Client">
            {consumer ? (
              <Link href={`/my-clients/${contract.clientOrgSlug}/${contract.clientSlug}?version=${encodeURIComponent(contract.clientVersion)}`} className="text-brand-700 hover:underline">
                {clientLabel}
              </Link>
            ) : (
              clientLabel
            )}
            {/* Someone whose only organization is their personal one knows whose client it is. */}
            {!(actor.roles.size === 1 && actor.roles.has(contract.clientOrgId)) && <span className="text-slate-600"> · {contract.clientOrgName}</span>}
          </Fact>
          <Fact term="API">
            <Link href={`/apis/${contract.apiOrgSlug}/${contract.apiSlug}?version=${encodeURIComponent(contract.apiVersion)}`} className="text-brand-700 hover:underline">
              {apiLabel}
            </Link>{" "}
            <span className="text-slate-600">· {contract.apiOrgName}</span>
          </Fact>
          <Fact term="Plan">
            {contract.planName} {contract.planVersion}
            {contract.pendingPlanChange && (
              <span className="mt-1 block text-amber-900">
                Plan change to {contract.pendingPlanChange.planName} {contract.pendingPlanChange.planVersion} awaiting approval, asked
                {contract.pendingPlanChange.requestedByName && <> by {contract.pendingPlanChange.requestedByName}</>} on <Time at={contract.pendingPlanChange.requestedAt} withTime />
              </span>
            )}
          </Fact>
          <Fact term="Ends">{contract.endsAt ? <Time at={contract.endsAt} withTime /> : "No end date"}</Fact>
          <Fact term="Created">
            <Time at={contract.createdAt} withTime />
            {contract.createdByName && <> by {contract.createdByName}</>}
          </Fact>
          <Fact term="Endpoint">
            <code className="text-xs break-all">{contract.endpoint}</code>
          </Fact>
          <Fact term="Terms of use">
            {contract.terms ? (
              contract.terms.acceptedAt ? (
                <>
                  Accepted for {contract.planName} {contract.planVersion} by {contract.terms.acceptedByName ?? "a former user"} on <Time at={contract.terms.acceptedAt} withTime />
                </>
              ) : (
                <>No acceptance recorded for {contract.planName} {contract.planVersion}</>
              )
            ) : (
              "The plan has no terms of use"
            )}
          </Fact>
        </dl>
        {contract.terms && (
          <details className="rounded-md bg-slate-50 px-3 py-2 ring-1 ring-slate-200">
            <summary className="cursor-pointer text-sm font-medium text-slate-800">Read the terms of use of {contract.planName} {contract.planVersion}</summary>
            <Markdown source={contract.terms.text} />
          </details>
        )}
      </section>

      <section aria-labelledby="contract-history" className="flex flex-col gap-3 rounded-lg bg-white p-5 ring-1 ring-slate-200">
        <h2 id="contract-history" className="text-lg font-semibold">
          History
        </h2>
        {events.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing has been recorded for this contract.</p>
        ) : (
          <ol aria-label="History of the contract" className="flex flex-col divide-y divide-slate-100">
            {events.map((event) => (
              <li key={event.id} className="flex flex-col gap-0.5 py-2 sm:flex-row sm:gap-4">
                <span className="shrink-0 text-xs text-slate-600 sm:w-48 sm:text-sm">
                  <Time at={event.at} withTime />
                </span>
                <span className="text-sm break-words text-slate-900">{describeContractEvent(event)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}
