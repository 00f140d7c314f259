import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { NewOrganizationForm } from "@/components/manage/NewOrganizationForm";
import { PageHeader, Section } from "@/components/manage/PageHeader";
import { ROLE_LABELS } from "@/components/manage/format";
import { requireManager } from "@/lib/auth/actor";
import { countPendingApprovals } from "@/lib/domain/management-approvals";
import { listManagedOrganizations } from "@/lib/domain/management-organizations";
import { isAdmin } from "@/lib/domain/permissions";
import { createOrganizationAction } from "./actions";

export const metadata: Metadata = { title: "API Management" };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export default async function ManagePage() {
  const actor = await requireManager();
  const db = await getDb();
  const [organizations, pending] = await Promise.all([listManagedOrganizations(db, actor), countPendingApprovals(db, actor)]);
  return (
    <>
      <PageHeader
        crumbs={[]}
        title="API Management"
        actions={
          <Link href="/manage/approvals" className="text-sm font-medium text-brand-600 hover:underline">
            {pending > 0 ? `${plural(pending, "request")} awaiting approval` : "No requests awaiting approval"}
          </Link>
        }
      >
        <p className="text-sm text-slate-600">
          {isAdmin(actor) ? "Every organization, as an administrator." : "The organizations you belong to."} Open one to run its APIs, plans, clients and members.
        </p>
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Section title="Organizations" id="organizations">
          {organizations.length === 0 ? (
            <p className="text-sm text-slate-600">You do not belong to an organization yet. Create one below.</p>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2">
              {organizations.map((org) => (
                <li key={org.id} className="rounded-md p-4 ring-1 ring-slate-200">
                  <div className="flex items-baseline justify-between gap-2">
                    <Link href={`/manage/${org.slug}`} className="font-semibold text-brand-700 hover:underline">
                      {org.name}
                    </Link>
                    <span className="text-xs text-slate-500">{org.role ? ROLE_LABELS[org.role] : "Administrator"}</span>
                  </div>
                  <p className="font-mono text-xs text-slate-500">{org.slug}</p>
                  {org.description && <p className="mt-1 text-sm text-slate-700">{org.description}</p>}
                  <p className="mt-2 text-xs text-slate-600">
                    {plural(org.apiCount, "API")} · {plural(org.planCount, "plan")} · {plural(org.clientCount, "client")} · {plural(org.memberCount, "member")}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="New organization" id="new-organization" description="You become its owner.">
          <NewOrganizationForm action={createOrganizationAction} />
        </Section>
      </div>
    </>
  );
}
