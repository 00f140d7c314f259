import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { ActionButton, ConfirmActionButton } from "@/components/manage/ActionButton";
import { ActivityTable } from "@/components/manage/ActivityTable";
import { ApiContractsTable } from "@/components/manage/ApiContractsTable";
import { ApiVersionEditForm } from "@/components/manage/ApiVersionEditForm";
import { contractTableRow } from "@/components/manage/contract-table-row";
import { formatDateTime } from "@/components/manage/format";
import { Markdown } from "@/components/portal/Markdown";
import { NewVersionButton } from "@/components/manage/NewVersionButton";
import { OfferedPlans } from "@/components/manage/OfferedPlans";
import { Facts, PageHeader, Section, VersionLinks } from "@/components/manage/PageHeader";
import { TabPanel } from "@/components/manage/TabPanel";
import { Tabs } from "@/components/manage/Tabs";
import { selectedTab, type TabDef } from "@/components/manage/tab-state";
import { Alert } from "@/components/ui/Alert";
import { requireManager } from "@/lib/auth/actor";
import { readConfig } from "@/lib/config";
import { contractListParams, DEFAULT_CONTRACT_SORT, listContracts } from "@/lib/domain/contracts";
import { activityListParams, listActivity } from "@/lib/domain/activity";
import { getApiVersionDetail, listOfferablePlanVersions } from "@/lib/domain/apis";
import { formatTotal, type SearchParamsRecord } from "@/lib/domain/list-params";
import { suggestNextVersion } from "@/lib/domain/lists";
import { describePolicies } from "@/lib/domain/plans";
import { loadOrNotFound } from "../../../../page-helpers";
import {
  breakContractAction,
  createApiVersionAction,
  movePlanAction,
  offerPlanAction,
  publishApiVersionAction,
  resumeContractAction,
  retireApiVersionAction,
  setContractEndDateAction,
  setRequiresApprovalAction,
  suspendContractAction,
  updateApiVersionAction,
  withdrawPlanAction,
} from "./actions";

type Props = { params: Promise<{ org: string; api: string; version: string }>; searchParams: Promise<SearchParamsRecord> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { api, version } = await params;
  return { title: `${api} ${decodeURIComponent(version)} · API Management` };
}

const TABS: TabDef[] = [
  { id: "overview", label: "Overview" },
  { id: "plans", label: "Plans" },
  { id: "contracts", label: "Contracts" },
  { id: "activity", label: "Activity" },
];
const CONTRACTS_PAGE_SIZE = 20;
const ACTIVITY_PAGE_SIZE = 25;

export default async function ApiVersionPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const ref = await params;
  const query = await searchParams;
  const db = await getDb();
  const detail = await loadOrNotFound(getApiVersionDetail(db, actor, { org: ref.org, api: ref.api, version: decodeURIComponent(ref.version) }));
  const { org, api, version, status, can } = detail;
  const tab = selectedTab(TABS, query.tab);
  const base = `/manage/${org.slug}`;
  const gatewayEndpoint = `${readConfig().gatewayUrl}/${org.slug}/${api.slug}/${encodeURIComponent(version.version)}/`;
  const beforePublishing = version.status === "Created";

  return (
    <>
      <PageHeader
        crumbs={[
          { label: "API Management", href: "/manage" },
          { label: org.name, href: `${base}?tab=apis` },
          { label: api.name },
        ]}
        title={`${api.name} ${version.version}`}
        status={<StatusBadge status={status} />}
        actions={
          <>
            <Link href={`${base}/apis/${api.slug}/${encodeURIComponent(version.version)}/usage`} className="text-sm font-medium text-brand-700 hover:underline">
              Usage
            </Link>
            {can.apiAdmin && status === "Ready" && <ActionButton action={publishApiVersionAction} fields={{ apiVersionId: version.id }} label="Publish" />}
            {can.apiAdmin && status === "Published" && (
              <ConfirmActionButton action={retireApiVersionAction} fields={{ apiVersionId: version.id }} label="Retire" title={`Retire ${api.name} ${version.version}?`} submitLabel="Retire version">
                Retiring is final. The gateway answers 410 Gone for this version from then on
                {detail.liveContracts > 0 ? `, and its ${formatTotal(detail.liveContracts)} live contract${detail.liveContracts === 1 ? "" : "s"} stop working` : ""}.
              </ConfirmActionButton>
            )}
            {can.apiEdit && (
              <NewVersionButton
                action={createApiVersionAction}
                fields={{ apiId: api.id, copyFromVersionId: version.id, orgSlug: org.slug, apiSlug: api.slug }}
                suggestion={suggestNextVersion(detail.versions.map((v) => v.version))}
                copyFrom={version.version}
                copies="endpoint, visibility, documentation and offered plans"
              />
            )}
          </>
        }
      >
        <VersionLinks currentId={version.id} versions={detail.versions} baseHref={`${base}/apis/${api.slug}`} />
        {detail.notReadyReason && <p className="text-sm text-slate-600">{detail.notReadyReason}</p>}
      </PageHeader>

      <Tabs tabs={TABS} selected={tab} label={`${api.name} ${version.version}`} />
      <TabPanel tab={tab}>
        {tab === "overview" && (
          <div className="flex flex-col gap-6">
            <Section title="Details" id="details">
              <Facts
                items={[
                  ["Organization", org.name],
                  ["API identifier", <span key="slug" className="font-mono">{api.slug}</span>],
                  ["Status", <StatusBadge key="status" status={status} />],
                  ["Visibility", version.isPublic ? "Public: no API key or contract needed" : "Private: calls need an API key with an active contract"],
                  ["Backend endpoint", version.endpoint ? <span key="ep" className="font-mono break-all">{version.endpoint}</span> : "Not set"],
                  ["Gateway endpoint", <span key="gw" className="font-mono break-all">{gatewayEndpoint}</span>],
                  ["Description", api.description || "—"],
                  ["Tags", api.tags.length > 0 ? api.tags.join(", ") : "—"],
                  ["Created", formatDateTime(version.createdAt)],
                  ["Published", formatDateTime(version.publishedAt)],
                  ...(version.retiredAt ? ([["Retired", formatDateTime(version.retiredAt)]] as [string, string][]) : []),
                  ["Live contracts", `${formatTotal(detail.liveContracts)}${detail.pendingContracts > 0 ? ` (${formatTotal(detail.pendingContracts)} awaiting approval)` : ""}`],
                ]}
              />
              {!beforePublishing && <p className="text-xs text-slate-500">The endpoint, visibility and offered plans of a published version are frozen. Make a new version to change them.</p>}
            </Section>
            {can.apiEdit && version.status !== "Retired" && (
              <Section title="Edit" id="edit">
                <ApiVersionEditForm
                  action={updateApiVersionAction}
                  apiVersionId={version.id}
                  editsEndpoint={beforePublishing}
                  endpoint={version.endpoint}
                  isPublic={version.isPublic}
                  docs={version.docs}
                  openapi={version.openapi}
                />
              </Section>
            )}
            <Section title="Documentation" id="docs" description="As the catalog shows it.">
              {version.docs.trim() ? <Markdown source={version.docs} /> : <p className="text-sm text-slate-600">No documentation yet.</p>}
            </Section>
          </div>
        )}

        {tab === "plans" && (
          <Section
            title="Plans"
            id="plans"
            description={
              version.isPublic
                ? "A public API offers no plans: anyone may call it without a key."
                : "Consumers sign a contract on one of these plans. A plan that requires approval waits for a plan administrator."
            }
          >
            {!version.isPublic && (
              <OfferedPlans
                apiVersionId={version.id}
                orgSlug={org.slug}
                plans={detail.offeredPlans.map((p) => ({ ...p, policies: describePolicies(p.policies), hasTerms: p.terms.trim() !== "" }))}
                offerable={
                  can.apiEdit && beforePublishing
                    ? (await listOfferablePlanVersions(db, org.id, version.id)).map((p) => ({ planVersionId: p.planVersionId, label: `${p.planName} ${p.version} — ${describePolicies(p.policies)}` }))
                    : null
                }
                canChangeApproval={can.apiEdit && version.status !== "Retired"}
                canChangeOffer={can.apiEdit && beforePublishing}
                canSeePlans={can.planView}
                actions={{ offer: offerPlanAction, withdraw: withdrawPlanAction, setApproval: setRequiresApprovalAction }}
              />
            )}
          </Section>
        )}

        {tab === "contracts" && <ContractsTab apiVersionId={version.id} query={query} detail={detail} />}

        {tab === "activity" && (
          <Section title="Activity" id="activity">
            <ActivityTable
              {...(await listActivity(db, actor, { kind: "apiVersion", apiVersionId: version.id }, { page: activityListParams.parse(query).page, pageSize: ACTIVITY_PAGE_SIZE }))}
              pageSize={ACTIVITY_PAGE_SIZE}
            />
          </Section>
        )}
      </TabPanel>
    </>
  );
}

async function ContractsTab({ apiVersionId, query, detail }: { apiVersionId: string; query: SearchParamsRecord; detail: Awaited<ReturnType<typeof getApiVersionDetail>> }) {
  const actor = await requireManager();
  const { status, plan, ...table } = contractListParams(detail.offeredPlans.map((p) => p.planVersionId)).parse(query);
  const page = await listContracts(await getDb(), actor, { apiVersionId, status, planVersionId: plan, ...table, pageSize: CONTRACTS_PAGE_SIZE });
  const plans = detail.offeredPlans.map((p) => ({ value: p.planVersionId, label: `${p.name} ${p.version}` }));
  // A plan change can only ask for a plan this version offers, so the offer names it.
  const planLabels = new Map(plans.map((p) => [p.value, p.label]));
  const rows = page.rows.map((row) => contractTableRow(row, row.pendingPlanVersionId ? planLabels.get(row.pendingPlanVersionId) : undefined));
  return (
    <Section title="Contracts" id="contracts" description="Every contract with this API version, whoever the client.">
      {detail.pendingContracts + detail.pendingPlanChanges > 0 && (
        <Alert kind="info">
          {awaitingWords(detail.pendingContracts, detail.pendingPlanChanges)}{" "}
          <Link href="/manage/approvals" className="font-medium text-brand-700 hover:underline">
            Open Approvals
          </Link>
        </Alert>
      )}
      <ApiContractsTable
        rows={rows}
        total={page.total}
        pageSize={CONTRACTS_PAGE_SIZE}
        defaultSort={DEFAULT_CONTRACT_SORT}
        status={status ?? ""}
        plan={plan ?? ""}
        plans={plans}
        actions={
          detail.can.apiAdmin
            ? { break: breakContractAction, suspend: suspendContractAction, resume: resumeContractAction, setEndDate: setContractEndDateAction, movePlan: movePlanAction }
            : undefined
        }
      />
    </Section>
  );
}

/** "2 requests and 1 plan change await approval." */
function awaitingWords(requests: number, planChanges: number): string {
  const parts = [
    ...(requests > 0 ? [`${formatTotal(requests)} request${requests === 1 ? "" : "s"}`] : []),
    ...(planChanges > 0 ? [`${planChanges} plan change${planChanges === 1 ? "" : "s"}`] : []),
  ];
  return `${parts.join(" and ")} ${requests + planChanges === 1 ? "awaits" : "await"} approval.`;
}
