import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { NewOrganizationForm } from "@/components/manage/NewOrganizationForm";
import { OrganizationsTable } from "@/components/manage/OrganizationsTable";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { requireManager } from "@/lib/auth/actor";
import { countPendingApprovals } from "@/lib/domain/contracts";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { DEFAULT_ORGANIZATION_SORT, listManagedOrganizations, organizationListParams } from "@/lib/domain/organizations";
import { isAdmin } from "@/lib/domain/permissions";
import { createOrganizationAction } from "./actions";

export const metadata: Metadata = { title: "API Management" };

const PAGE_SIZE = 20;
export default async function ManagePage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const actor = await requireManager();
  const db = await getDb();
  const params = organizationListParams.parse(await searchParams);
  const organizations = await listManagedOrganizations(db, actor, { ...params, pageSize: PAGE_SIZE });
  const pending = await countPendingApprovals(db, actor);
  return (
    <>
      <PageHeader
        crumbs={[]}
        title="API Management"
        actions={
          <Link href="/manage/approvals" className="text-sm font-medium text-brand-600 hover:underline">
            {pending === 0 ? "No requests awaiting approval" : `${pending} request${pending === 1 ? "" : "s"} awaiting approval`}
          </Link>
        }
      >
        <p className="text-sm text-slate-600">
          {isAdmin(actor) ? "Every organization, as an administrator." : "The organizations you belong to."} Open one to run its APIs, plans, clients and members.
        </p>
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Section title="Organizations" id="organizations">
          <OrganizationsTable rows={organizations.rows} total={organizations.total} pageSize={PAGE_SIZE} defaultSort={DEFAULT_ORGANIZATION_SORT} />
        </Section>
        <Section title="New organization" id="new-organization" description="You become its owner.">
          <NewOrganizationForm action={createOrganizationAction} />
        </Section>
      </div>
    </>
  );
}
