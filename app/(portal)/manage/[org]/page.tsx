import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { ActivityTable } from "@/components/manage/ActivityTable";
import { MembersPanel } from "@/components/manage/MembersPanel";
import { NewApiForm } from "@/components/manage/NewApiForm";
import { NewClientForm } from "@/components/manage/NewClientForm";
import { NewPlanForm } from "@/components/manage/NewPlanForm";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { TabPanel } from "@/components/manage/TabPanel";
import { Tabs } from "@/components/manage/Tabs";
import { selectedTab, type TabDef } from "@/components/manage/tab-state";
import { ROLE_LABELS } from "@/components/manage/format";
import { requireManager } from "@/lib/auth/actor";
import { listActivity } from "@/lib/domain/management-activity";
import { getOrganizationOverview } from "@/lib/domain/management-organizations";
import { loadOrNotFound, pageNumber, type SearchParams } from "../page-helpers";
import { addMemberAction, changeMemberRoleAction, createApiAction, createClientAction, createPlanAction, removeMemberAction } from "./actions";

type Props = { params: Promise<{ org: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${(await params).org} · API Management` };
}

const ACTIVITY_PAGE_SIZE = 25;

export default async function OrganizationPage({ params, searchParams }: Props) {
  const actor = await requireManager();
  const { org: slug } = await params;
  const query = await searchParams;
  const db = await getDb();
  const overview = await loadOrNotFound(getOrganizationOverview(db, actor, slug));
  const { org, can } = overview;

  const tabs: TabDef[] = [
    ...(overview.apis ? [{ id: "apis", label: "APIs" }] : []),
    ...(overview.plans ? [{ id: "plans", label: "Plans" }] : []),
    ...(overview.clients ? [{ id: "clients", label: "Clients" }] : []),
    { id: "members", label: "Members" },
    { id: "activity", label: "Activity" },
  ];
  const tab = selectedTab(tabs, query.tab);
  const base = `/manage/${org.slug}`;

  return (
    <>
      <PageHeader crumbs={[{ label: "API Management", href: "/manage" }, { label: org.name }]} title={org.name}>
        <p className="text-sm text-slate-600">
          <span className="font-mono">{org.slug}</span>
          {overview.role ? ` · Your role: ${ROLE_LABELS[overview.role]}` : " · Administrator"}
        </p>
        {org.description && <p className="text-sm text-slate-700">{org.description}</p>}
      </PageHeader>
      <Tabs tabs={tabs} selected={tab} label={`${org.name} sections`} />
      <TabPanel tab={tab}>
        {tab === "apis" && overview.apis && (
          <div className="flex flex-col gap-6">
            <Section title="APIs" id="apis">
              {overview.apis.length === 0 ? (
                <p className="text-sm text-slate-600">No APIs yet.</p>
              ) : (
                <VersionedTable
                  label="APIs"
                  rows={overview.apis.map((api) => ({
                    key: api.id,
                    name: api.name,
                    slug: api.slug,
                    description: api.description,
                    versions: api.versions.map((v) => ({ ...v, href: `${base}/apis/${api.slug}/${encodeURIComponent(v.version)}` })),
                  }))}
                />
              )}
            </Section>
            {can.apiEdit && (
              <Section title="New API" id="new-api" description="An API starts with one version in status Created.">
                <NewApiForm action={createApiAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "plans" && overview.plans && (
          <div className="flex flex-col gap-6">
            <Section title="Plans" id="plans">
              {overview.plans.length === 0 ? (
                <p className="text-sm text-slate-600">No plans yet.</p>
              ) : (
                <VersionedTable
                  label="Plans"
                  rows={overview.plans.map((plan) => ({
                    key: plan.id,
                    name: plan.name,
                    slug: plan.slug,
                    description: plan.description,
                    versions: plan.versions.map((v) => ({ ...v, href: `${base}/plans/${plan.slug}/${encodeURIComponent(v.version)}` })),
                  }))}
                />
              )}
            </Section>
            {can.planEdit && (
              <Section title="New plan" id="new-plan">
                <NewPlanForm action={createPlanAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "clients" && overview.clients && (
          <div className="flex flex-col gap-6">
            <Section title="Clients" id="clients">
              {overview.clients.length === 0 ? (
                <p className="text-sm text-slate-600">No clients yet.</p>
              ) : (
                <VersionedTable
                  label="Clients"
                  rows={overview.clients.map((client) => ({
                    key: client.id,
                    name: client.name,
                    slug: client.slug,
                    description: client.description,
                    versions: client.versions.map((v) => ({ ...v, href: `${base}/clients/${client.slug}/${encodeURIComponent(v.version)}` })),
                  }))}
                />
              )}
            </Section>
            {can.clientEdit && (
              <Section title="New client" id="new-client" description="Each client version gets its own API key.">
                <NewClientForm action={createClientAction} orgId={org.id} orgSlug={org.slug} />
              </Section>
            )}
          </div>
        )}
        {tab === "members" && (
          <Section title="Members" id="members" description={can.orgAdmin ? "An organization keeps at least one owner." : undefined}>
            <MembersPanel
              orgId={org.id}
              members={overview.members}
              canAdmin={can.orgAdmin}
              currentUserId={actor.userId}
              actions={{ add: addMemberAction, changeRole: changeMemberRoleAction, remove: removeMemberAction }}
            />
          </Section>
        )}
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

interface VersionedRow {
  key: string;
  name: string;
  slug: string;
  description: string;
  versions: { id: string; version: string; status: string; href: string }[];
}

/** APIs, plans or clients, each with links to its versions and their statuses. */
function VersionedTable({ label, rows }: { label: string; rows: VersionedRow[] }) {
  return (
    <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
      <table aria-label={label} className="min-w-full text-sm">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2">Name</th>
            <th scope="col" className="px-3 py-2">Identifier</th>
            <th scope="col" className="px-3 py-2">Versions</th>
            <th scope="col" className="px-3 py-2">Description</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => {
            const latest = row.versions.at(-1);
            return (
              <tr key={row.key} className="align-top">
                <td className="px-3 py-2 font-medium">
                  {latest ? (
                    <Link href={latest.href} className="text-brand-700 hover:underline">
                      {row.name}
                    </Link>
                  ) : (
                    row.name
                  )}
                </td>
                <td className="px-3 py-2 font-mono text-xs">{row.slug}</td>
                <td className="px-3 py-2">
                  <ul className="flex flex-col gap-1">
                    {row.versions.map((v) => (
                      <li key={v.id} className="flex items-center gap-2">
                        <Link href={v.href} className="text-brand-700 hover:underline" aria-label={`${row.name} ${v.version}`}>
                          {v.version}
                        </Link>
                        <StatusBadge status={v.status} />
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="px-3 py-2 text-slate-600">{row.description}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
