import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { ApprovalsTable } from "@/components/manage/ApprovalsTable";
import { PageHeader } from "@/components/manage/PageHeader";
import { requireManager } from "@/lib/auth/actor";
import { approvalListParams, DEFAULT_APPROVAL_SORT, listPendingApprovals } from "@/lib/domain/contracts";
import type { SearchParamsRecord } from "@/lib/domain/list-params";
import { isAdmin } from "@/lib/domain/permissions";
import { approveAction, decideSelectedAction, rejectAction } from "./actions";

export const metadata: Metadata = { title: "Approvals · API Management" };

const PAGE_SIZE = 20;
export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const actor = await requireManager();
  const params = approvalListParams.parse(await searchParams);
  const { rows, total } = await listPendingApprovals(await getDb(), actor, { ...params, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader crumbs={[{ label: "API Management", href: "/manage" }, { label: "Approvals" }]} title="Approvals">
        <p className="text-sm text-slate-600">
          Contract requests and plan changes on plans that require approval, {isAdmin(actor) ? "in every organization" : "in the organizations where you administer plans"}. The
          requester is notified of the decision.
        </p>
      </PageHeader>
      <ApprovalsTable rows={rows} total={total} pageSize={PAGE_SIZE} defaultSort={DEFAULT_APPROVAL_SORT} actions={{ approve: approveAction, reject: rejectAction, decideSelected: decideSelectedAction }} />
    </>
  );
}
