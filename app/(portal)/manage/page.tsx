import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { parseTableParams } from "@/components/data-table/params";
import { NewOrganizationForm } from "@/components/manage/NewOrganizationForm";
import { OrganizationsTable } from "@/components/manage/OrganizationsTable";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { requireManager } from "@/lib/auth/actor";
import { countPendingApprovals } from "@/lib/domain/management-approvals";
import { listManagedOrganizations, ORGANIZATION_SORTS } from "@/lib/domain/management-organizations";
import { isAdmin } from "@/lib/domain/permissions";
import { createOrganizationAction } from "./actions";
import type { SearchParams } from "./page-helpers";

export const metadata: Metadata = { title: "API Management" };

const PAGE_SIZE = 20;
const DEFAULT_SORT = { id: "name", desc: false } as const;

export default async function ManagePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requireManager();
  const db = await getDb();
  const table = parseTableParams(await searchParams, { sortable: ORGANIZATION_SORTS, defaultSort: DEFAULT_SORT });
  const organizations = await listManagedOrganizations(db, actor, { q: table.q, sort: table.sort, page: table.page, pageSize: PAGE_SIZE });
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
          <OrganizationsTable rows={organizations.rows} total={organizations.total} pageSize={PAGE_SIZE} defaultSort={DEFAULT_SORT} />
        </Section>
        <Section title="New organization" id="new-organization" description="You become its owner.">
          <NewOrganizationForm action={createOrganizationAction} />
        </Section>
      </div>
    </>
  );
}
