import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
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
import { activityListParams, listActivity } from "@/lib/domain/activity";
import { listOrganizationApis } from "@/lib/domain/apis";
import { listOrganizationClients } from "@/lib/domain/clients";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { DEFAULT_VERSIONED_SORT, versionedListParams } from "@/lib/domain/lists";
import { DEFAULT_MEMBER_SORT, getOrganizationOverview, listOrganizationMembers, memberListParams } from "@/lib/domain/organizations";
import { listOrganizationPlans } from "@/lib/domain/plans";
import { loadOrNotFound } from "../page-helpers";
import { addMemberAction, changeMemberRoleAction, createApiAction, createClientAction, createPlanAction, removeMemberAction } from "./actions";

type Props = { params: Promise<{ org: string }>; searchParams: Promise<SearchParamsRecord> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).org} · API Management` };
}

const ACTIVITY_PAGE_SIZE = 25;
const PAGE_SIZE = 20;

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
  const list = versionedListParams.parse(query);
  const listQuery = { ...list, pageSize: PAGE_SIZE };

  return (
    <>
      <PageHeader
        crumbs={[{ label: "API Management", href: "/manage" }, { label: org.name }]}
        title={org.name}
        actions={
          <>
            {can.apiView && (
              <Link href={`${base}/usage`} className="text-sm font-medium text-brand-700 hover:underline">
                Usage
              </Link>
            )}
            {can.orgAdmin && (
              <Link href={`${base}/webhooks`} className="text-sm font-medium text-brand-700 hover:underline">
                Webhooks
              </Link>
            )}
          </>
        }
      >
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
                defaultSort={DEFAULT_VERSIONED_SORT}
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
                defaultSort={DEFAULT_VERSIONED_SORT}
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
                defaultSort={DEFAULT_VERSIONED_SORT}
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
              {...(await listActivity(db, actor, { kind: "organization", orgId: org.id }, { page: activityListParams.parse(query).page, pageSize: ACTIVITY_PAGE_SIZE }))}
              pageSize={ACTIVITY_PAGE_SIZE}
            />
          </Section>
        )}
      </TabPanel>
    </>
  );
}

async function MembersTab({ orgId, query, canAdmin }: { orgId: string; query: SearchParamsRecord; canAdmin: boolean }) {
  const actor = await requireManager();
  const members = await listOrganizationMembers(await getDb(), actor, orgId, { ...memberListParams.parse(query), pageSize: PAGE_SIZE });
  return (
    <Section title="Members" id="members" description={canAdmin ? "An organization keeps at least one owner." : undefined}>
      <MembersPanel
        orgId={orgId}
        members={members.rows}
        total={members.total}
        pageSize={PAGE_SIZE}
        defaultSort={DEFAULT_MEMBER_SORT}
        ownerCount={members.ownerCount}
        canAdmin={canAdmin}
        currentUserId={actor.userId}
        actions={{ add: addMemberAction, changeRole: changeMemberRoleAction, remove: removeMemberAction }}
      />
    </Section>
  );
}
