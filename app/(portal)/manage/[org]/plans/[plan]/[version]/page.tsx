import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { ConfirmActionButton } from "@/components/manage/ActionButton";
import { ActivityTable } from "@/components/manage/ActivityTable";
import { formatDateTime } from "@/components/manage/format";
import { NewVersionButton } from "@/components/manage/NewVersionButton";
import { Facts, PageHeader, Section, VersionLinks } from "@/components/manage/PageHeader";
import { PlanSettingsForm } from "@/components/manage/PlanSettingsForm";
import { PoliciesEditor } from "@/components/manage/PoliciesEditor";
import { Markdown } from "@/components/portal/Markdown";
import { requireManager } from "@/lib/auth/actor";
import { activityListParams, listActivity } from "@/lib/domain/activity";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { suggestNextVersion } from "@/lib/domain/lists";
import { getPlanVersionDetail } from "@/lib/domain/plans";
import { describePolicies } from "@/lib/domain/plans";
import { loadOrNotFound } from "../../../../page-helpers";
import { createPlanVersionAction, lockPlanVersionAction, previewTermsAction, updatePlanSettingsAction, updatePoliciesAction } from "./actions";

type Props = { params: Promise<{ org: string; plan: string; version: string }>; searchParams: Promise<SearchParamsRecord> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { plan, version } = await params;
  return { title: `${plan} ${decodeURIComponent(version)} · API Management` };
}

const ACTIVITY_PAGE_SIZE = 10;

export default async function PlanVersionPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const ref = await params;
  const query = await searchParams;
  const db = await getDb();
  const detail = await loadOrNotFound(getPlanVersionDetail(db, actor, { org: ref.org, plan: ref.plan, version: decodeURIComponent(ref.version) }));
  const { org, plan, version, can } = detail;
  const base = `/manage/${org.slug}`;
  const locked = version.status === "Locked";
  const activity = await listActivity(db, actor, { kind: "planVersion", planVersionId: version.id }, { page: activityListParams.parse(query).page, pageSize: ACTIVITY_PAGE_SIZE });

  return (
    <>
      <PageHeader
        crumbs={[
          { label: "API Management", href: "/manage" },
          { label: org.name, href: `${base}?tab=plans` },
          { label: plan.name },
        ]}
        title={`${plan.name} ${version.version}`}
        status={<StatusBadge status={version.status} />}
        actions={
          <>
            {can.planAdmin && !locked && (
              <ConfirmActionButton action={lockPlanVersionAction} fields={{ planVersionId: version.id }} label="Lock" title={`Lock ${plan.name} ${version.version}?`} submitLabel="Lock version" variant="primary">
                Locking is final: the policies of a locked version never change. Only locked versions can be offered by APIs.
              </ConfirmActionButton>
            )}
            {can.planEdit && locked && (
              <NewVersionButton
                action={createPlanVersionAction}
                fields={{ planId: plan.id, copyFromVersionId: version.id, orgSlug: org.slug, planSlug: plan.slug }}
                suggestion={suggestNextVersion(detail.versions.map((v) => v.version))}
                copyFrom={version.version}
                copies="its policies"
              />
            )}
          </>
        }
      >
        <VersionLinks currentId={version.id} versions={detail.versions} baseHref={`${base}/plans/${plan.slug}`} />
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Section title="Details" id="details">
          <Facts
            items={[
              ["Organization", org.name],
              ["Plan identifier", <span key="slug" className="font-mono">{plan.slug}</span>],
              ["Description", plan.description || "—"],
              ["Status", <StatusBadge key="status" status={version.status} />],
              ["Created", formatDateTime(version.createdAt)],
              ["Locked", formatDateTime(version.lockedAt)],
              ["Limits", describePolicies(version.policies)],
              ["Duration", durationWords(version.durationDays)],
              ["Terms of use", version.terms.trim() ? "To accept when signing" : "None"],
            ]}
          />
        </Section>
        <Section
          title="Policies"
          id="policies"
          description={locked ? "This version is locked: its policies never change. Make a new version to change them." : "Applied in order by the gateway to every contract on this plan, counted per contract."}
        >
          {can.planEdit && !locked ? (
            <PoliciesEditor action={updatePoliciesAction} planVersionId={version.id} policies={version.policies} />
          ) : version.policies.length === 0 ? (
            <p className="text-sm text-slate-600">No policies: calls on this plan are unlimited.</p>
          ) : (
            <ol className="list-decimal pl-5 text-sm">
              {version.policies.map((p, i) => (
                <li key={i}>
                  {p.type === "rate-limit" ? "Rate limit" : "Quota"}: {describePolicies([p])}
                </li>
              ))}
            </ol>
          )}
        </Section>
        <Section
          title="Duration and terms of use"
          id="terms"
          description={
            locked
              ? "This version is locked: its duration and terms never change, so what a contract agreed to stays true."
              : "What a contract on this plan runs for and agrees to. Both are frozen when the version is locked."
          }
        >
          {can.planEdit && !locked ? (
            <PlanSettingsForm action={updatePlanSettingsAction} previewAction={previewTermsAction} planVersionId={version.id} durationDays={version.durationDays} terms={version.terms} />
          ) : (
            <div className="flex flex-col gap-3 text-sm">
              <p>
                <span className="font-medium">Duration:</span> {durationWords(version.durationDays)}
              </p>
              {version.terms.trim() ? (
                <div className="rounded-md border border-slate-200 p-3">
                  <Markdown source={version.terms} />
                </div>
              ) : (
                <p className="text-slate-600">No terms of use.</p>
              )}
            </div>
          )}
        </Section>
        <Section title="Offered by" id="offered-by">
          {detail.offeredBy.length === 0 ? (
            <p className="text-sm text-slate-600">{locked ? "No API version offers this plan version yet." : "Lock this version to offer it on API versions."}</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {detail.offeredBy.map((o) => (
                <li key={`${o.apiSlug}-${o.version}`} className="flex flex-wrap items-center gap-2">
                  {can.apiView ? (
                    <Link href={`${base}/apis/${o.apiSlug}/${encodeURIComponent(o.version)}?tab=plans`} className="text-brand-700 hover:underline">
                      {o.apiName} {o.version}
                    </Link>
                  ) : (
                    <span>
                      {o.apiName} {o.version}
                    </span>
                  )}
                  <StatusBadge status={o.status} />
                  {o.requiresApproval && <span className="text-xs text-slate-600">requires approval</span>}
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Activity" id="activity">
          <ActivityTable {...activity} pageSize={ACTIVITY_PAGE_SIZE} />
        </Section>
      </div>
    </>
  );
}

/** "30 days", or "No end" for a plan whose contracts run until ended. */
function durationWords(days: number | null): string {
  if (days === null) return "No end";
  return `${days} day${days === 1 ? "" : "s"}`;
}
