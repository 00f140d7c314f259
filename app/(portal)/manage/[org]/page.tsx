import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { parseTableParams } from "@/components/data-table/params";
import { ActivityTable } from "@/components/manage/ActivityTable";
import { MembersPanel } from "@/components/manage/MembersPanel";
import { NewApiForm } from "@/components/manage/NewApiForm";
import { NewClientForm } from "@/components/manage/NewClientForm";
import { NewPlanForm } from "@/components/manage/NewPlanForm";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { TabPanel } from "@/components/manage/TabPanel";
import { Tabs } from "@/components/manage/Tabs";
import { VersionedTable } from "@/components/manage/VersionedTable";
import { selectedTab, type TabDef } from "@/components/manage/tab-state";
import { ROLE_LABELS } from "@/components/manage/format";
import { requireManager } from "@/lib/auth/actor";
import { listActivity } from "@/lib/domain/management-activity";
import {
  getOrganizationOverview,
  listOrganizationApis,
  listOrganizationClients,
  listOrganizationMembers,
  listOrganizationPlans,
  MEMBER_SORTS,
  VERSIONED_SORTS,
} from "@/lib/domain/management-organizations";
import { loadOrNotFound, pageNumber, type SearchParams } from "../page-helpers";
import { addMemberAction, changeMemberRoleAction, createApiAction, createClientAction, createPlanAction, removeMemberAction } from "./actions";

type Props = { params: Promise<{ org: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).org} · API Management` };
}

const ACTIVITY_PAGE_SIZE = 25;
const PAGE_SIZE = 20;
const DEFAULT_SORT = { id: "name", desc: false } as const;

export default async function OrganizationPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const { org: slug } = await params;
  const query = await searchParams;
  const db = await getDb();
  const { org, can, role } = await loadOrNotFound(getOrganizationOverview(db, actor, slug));

  const tabs: TabDef[] = [
    ...(can.apiView ? [{ id: "apis", label: "APIs" }] : []),
    ...(can.planView ? [{ id: "plans", label: "Plans" }] : []),
    ...(can.clientView ? [{ id: "clients", label: "Clients" }] : []),
    { id: "members", label: "Members" },
    { id: "activity", label: "Activity" },
  ];
  const tab = selectedTab(tabs, query.tab);
  const base = `/manage/${org.slug}`;
  const list = parseTableParams(query, { sortable: VERSIONED_SORTS, defaultSort: DEFAULT_SORT });
  const listQuery = { q: list.q, sort: list.sort, page: list.page, pageSize: PAGE_SIZE };

  return (
    <>
      <PageHeader crumbs={[{ label: "API Management", href: "/manage" }, { label: org.name }]} title={org.name}>
        <p className="text-sm text-slate-600">
          <span className="font-mono">{org.slug}</span>
          {role ? ` · Your role: ${ROLE_LABELS[role]}` : " · Administrator"}
        </p>
        {org.description && <p className="text-sm text-slate-700">{org.description}</p>}
      </PageHeader>
      <Tabs tabs={tabs} selected={tab} label={`${org.name} sections`} />
      <TabPanel tab={tab}>
        {tab === "apis" && (
          <div className="flex flex-col gap-6">
            <Section title="APIs" id="apis">
              <VersionedTable
                label="APIs"
                basePath={`${base}/apis`}
                {...(await listOrganizationApis(db, actor, org.id, listQuery))}
                pageSize={PAGE_SIZE}
                defaultSort={DEFAULT_SORT}
                emptyMessage={list.q ? "No API matches." : "No APIs yet."}
              />
            </Section>
            {can.apiEdit && (
              <Section title="New API" id="new-api" description="An API starts with one version in status Created.">
                <NewApiForm action={createApiAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "plans" && (
          <div className="flex flex-col gap-6">
            <Section title="Plans" id="plans">
              <VersionedTable
                label="Plans"
                basePath={`${base}/plans`}
                {...(await listOrganizationPlans(db, actor, org.id, listQuery))}
                pageSize={PAGE_SIZE}
                defaultSort={DEFAULT_SORT}
                emptyMessage={list.q ? "No plan matches." : "No plans yet."}
              />
            </Section>
            {can.planEdit && (
              <Section title="New plan" id="new-plan">
                <NewPlanForm action={createPlanAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "clients" && (
          <div className="flex flex-col gap-6">
            <Section title="Clients" id="clients">
              <VersionedTable
                label="Clients"
                basePath={`${base}/clients`}
                {...(await listOrganizationClients(db, actor, org.id, listQuery))}
                pageSize={PAGE_SIZE}
                defaultSort={DEFAULT_SORT}
                emptyMessage={list.q ? "No client matches." : "No clients yet."}
              />
            </Section>
            {can.clientEdit && (
              <Section title="New client" id="new-client" description="Each client version gets its own API key.">
                <NewClientForm action={createClientAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "members" && <MembersTab orgId={org.id} query={query} canAdmin={can.orgAdmin} />}
        {tab === "activity" && (
          <Section title="Activity" id="activity">
            <ActivityTable
              {...(await listActivity(db, actor, { kind: "organization", orgId: org.id }, { page: pageNumber(query, "activity-"), pageSize: ACTIVITY_PAGE_SIZE }))}
              pageSize={ACTIVITY_PAGE_SIZE}
            />
          </Section>
        )}
      </TabPanel>
    </>
  );
}

async function MembersTab({ orgId, query, canAdmin }: { orgId: string; query: SearchParams; canAdmin: boolean }) {
  const actor = await requireManager();
  const list = parseTableParams(query, { sortable: MEMBER_SORTS, defaultSort: DEFAULT_SORT });
  const members = await listOrganizationMembers(await getDb(), actor, orgId, { q: list.q, sort: list.sort, page: list.page, pageSize: PAGE_SIZE });
  return (
    <Section title="Members" id="members" description={canAdmin ? "An organization keeps at least one owner." : undefined}>
      <MembersPanel
        orgId={orgId}
        members={members.rows}
        total={members.total}
        pageSize={PAGE_SIZE}
        defaultSort={DEFAULT_SORT}
        ownerCount={members.ownerCount}
        canAdmin={canAdmin}
        currentUserId={actor.userId}
        actions={{ add: addMemberAction, changeRole: changeMemberRoleAction, remove: removeMemberAction }}
      />
    </Section>
  );
}
