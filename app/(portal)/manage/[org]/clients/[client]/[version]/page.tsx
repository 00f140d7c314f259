import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { ConfirmActionButton } from "@/components/manage/ActionButton";
import { ActivityTable } from "@/components/manage/ActivityTable";
import { ApiKeyPanel } from "@/components/manage/ApiKeyPanel";
import { ClientContractsTable } from "@/components/manage/ClientContractsTable";
import { contractTableRow } from "@/components/manage/contract-table-row";
import { formatDateTime } from "@/components/manage/format";
import { ImportedKeyField } from "@/components/manage/ImportedKeyField";
import { NewVersionButton } from "@/components/manage/NewVersionButton";
import { Facts, PageHeader, Section, VersionLinks } from "@/components/manage/PageHeader";
import { TabPanel } from "@/components/manage/TabPanel";
import { Tabs } from "@/components/manage/Tabs";
import { selectedTab, type TabDef } from "@/components/manage/tab-state";
import { requireManager } from "@/lib/auth/actor";
import { contractListParams, DEFAULT_CONTRACT_SORT, listContracts } from "@/lib/domain/contracts";
import { activityListParams, listActivity } from "@/lib/domain/activity";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { suggestNextVersion } from "@/lib/domain/lists";
import { getClientVersionDetail } from "@/lib/domain/clients";
import { IMPORTED_KEY_MAX, IMPORTED_KEY_MIN } from "@/lib/domain/keys";
import { isAdmin } from "@/lib/domain/permissions";
import { loadOrNotFound } from "../../../../page-helpers";
import {
  breakClientContractAction,
  createClientVersionAction,
  retireClientVersionAction,
  revealApiKeyAction,
  rotateApiKeyAction,
  withdrawContractAction,
} from "./actions";

type Props = { params: Promise<{ org: string; client: string; version: string }>; searchParams: Promise<SearchParamsRecord> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { client, version } = await params;
  return { title: `${client} ${decodeURIComponent(version)} · API Management` };
}

const TABS: TabDef[] = [
  { id: "overview", label: "Overview" },
  { id: "contracts", label: "Contracts" },
  { id: "api-key", label: "API key" },
  { id: "activity", label: "Activity" },
];
const CONTRACTS_PAGE_SIZE = 20;
const ACTIVITY_PAGE_SIZE = 25;

export default async function ClientVersionPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const ref = await params;
  const query = await searchParams;
  const db = await getDb();
  const detail = await loadOrNotFound(getClientVersionDetail(db, actor, { org: ref.org, client: ref.client, version: decodeURIComponent(ref.version) }));
  const { org, client, version, status, can } = detail;
  const retired = status === "Retired";
  const tab = selectedTab(TABS, query.tab);
  const base = `/manage/${org.slug}`;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: "API Management", href: "/manage" },
          { label: org.name, href: `${base}?tab=clients` },
          { label: client.name },
        ]}
        title={`${client.name} ${version.version}`}
        status={<StatusBadge status={status} />}
        actions={
          <>
            {can.clientAdmin && !retired && (
              <ConfirmActionButton action={retireClientVersionAction} fields={{ clientVersionId: version.id }} label="Retire" title={`Retire ${client.name} ${version.version}?`} submitLabel="Retire version">
                Retiring is final: the API key of this version stops working at once, and it can sign no new contracts.
              </ConfirmActionButton>
            )}
            {can.clientEdit && (
              <NewVersionButton
                action={createClientVersionAction}
                fields={{ clientId: client.id, copyFromVersionId: version.id, orgSlug: org.slug, clientSlug: client.slug }}
                suggestion={suggestNextVersion(detail.versions.map((v) => v.version))}
                copyFrom={version.version}
                copies="the new version gets its own API key"
                option={{ name: "copyContracts", label: "Request the same contracts", hint: "Each is checked again, and may need approval again." }}
                extra={isAdmin(actor) || actor.roles.get(org.id) === "owner" ? <ImportedKeyField min={IMPORTED_KEY_MIN} max={IMPORTED_KEY_MAX} /> : undefined}
              />
            )}
          </>
        }
      >
        <VersionLinks currentId={version.id} versions={detail.versions} baseHref={`${base}/clients/${client.slug}`} />
      </PageHeader>

      <Tabs tabs={TABS} selected={tab} label={`${client.name} ${version.version}`} />
      <TabPanel tab={tab}>
        {tab === "overview" && (
          <Section title="Details" id="details">
            <Facts
              items={[
                ["Organization", org.name],
                ["Client identifier", <span key="slug" className="font-mono">{client.slug}</span>],
                ["Description", client.description || "—"],
                ["Status", <StatusBadge key="status" status={status} />],
                ["Created", formatDateTime(version.createdAt)],
                ...(version.retiredAt ? ([["Retired", formatDateTime(version.retiredAt)]] as [string, string][]) : []),
                ["API key last used", version.apiKeyLastUsedAt ? formatDateTime(version.apiKeyLastUsedAt) : "Never"],
              ]}
            />
            <p className="text-xs text-slate-500">
              The status follows the contracts: Awaiting approval while a request waits, Registered with an active contract, Created otherwise.
            </p>
          </Section>
        )}
        {tab === "contracts" && <ContractsTab clientVersionId={version.id} query={query} canEdit={can.clientEdit} />}
        {tab === "api-key" && (
          <Section title="API key" id="api-key">
            <ApiKeyPanel
              clientVersionId={version.id}
              masked={detail.key.masked}
              createdAt={detail.key.createdAt}
              lastUsedAt={detail.key.lastUsedAt}
              previous={detail.key.previous}
              retired={retired}
              canRotate={can.clientEdit}
              actions={{ reveal: revealApiKeyAction, rotate: rotateApiKeyAction }}
            />
          </Section>
        )}
        {tab === "activity" && (
          <Section title="Activity" id="activity">
            <ActivityTable
              {...(await listActivity(db, actor, { kind: "clientVersion", clientVersionId: version.id }, { page: activityListParams.parse(query).page, pageSize: ACTIVITY_PAGE_SIZE }))}
              pageSize={ACTIVITY_PAGE_SIZE}
            />
          </Section>
        )}
      </TabPanel>
    </>
  );
}

async function ContractsTab({ clientVersionId, query, canEdit }: { clientVersionId: string; query: SearchParamsRecord; canEdit: boolean }) {
  const actor = await requireManager();
  const { status, plan: _plan, ...table } = contractListParams().parse(query);
  const page = await listContracts(await getDb(), actor, { clientVersionId, status, ...table, pageSize: CONTRACTS_PAGE_SIZE });
  return (
    <Section title="Contracts" id="contracts" description="Every contract this client version signed or requested.">
      <ClientContractsTable
        rows={page.rows.map((row) => contractTableRow(row))}
        total={page.total}
        pageSize={CONTRACTS_PAGE_SIZE}
        defaultSort={DEFAULT_CONTRACT_SORT}
        status={status ?? ""}
        actions={canEdit ? { withdraw: withdrawContractAction, break: breakClientContractAction } : undefined}
      />
    </Section>
  );
}
