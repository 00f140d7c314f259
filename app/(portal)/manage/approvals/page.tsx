import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { parseTableParams } from "@/components/data-table/params";
import { ApprovalsTable } from "@/components/manage/ApprovalsTable";
import { PageHeader } from "@/components/manage/PageHeader";
import { requireManager } from "@/lib/auth/actor";
import { APPROVAL_SORTS, listPendingApprovals } from "@/lib/domain/management-approvals";
import { isAdmin } from "@/lib/domain/permissions";
import type { SearchParams } from "../page-helpers";
import { approveAction, decideSelectedAction, rejectAction } from "./actions";

export const metadata: Metadata = { title: "Approvals · API Management" };

const PAGE_SIZE = 20;
const DEFAULT_SORT = { id: "requested", desc: false } as const;

export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requireManager();
  const table = parseTableParams(await searchParams, { sortable: APPROVAL_SORTS, defaultSort: DEFAULT_SORT });
  const { rows, total } = await listPendingApprovals(await getDb(), actor, {
    sort: table.sort?.id,
    desc: table.sort?.desc,
    q: table.q,
    page: table.page,
    pageSize: PAGE_SIZE,
  });
  return (
    <>
      <PageHeader crumbs={[{ label: "API Management", href: "/manage" }, { label: "Approvals" }]} title="Approvals">
        <p className="text-sm text-slate-600">
          Contract requests on plans that require approval, {isAdmin(actor) ? "in every organization" : "in the organizations where you administer plans"}. The requester is
          notified of the decision.
        </p>
      </PageHeader>
      <ApprovalsTable rows={rows} total={total} pageSize={PAGE_SIZE} defaultSort={DEFAULT_SORT} actions={{ approve: approveAction, reject: rejectAction, decideSelected: decideSelectedAction }} />
    </>
  );
}
