import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, plans, planVersions, users } from "@/db/schema";
import { listParamsSchema } from "../list-params";
import { type ListPage, type ListQuery, pagedList, totalOverPages, wordsMatch } from "../lists";
import type { Actor } from "../permissions";
import { apiOrg, clientOrg, withContractJoins } from "./queries";
import { decidableContractsCondition, decidesAnywhere } from "./visibility";

export const APPROVAL_SORTS = ["requested", "client", "api", "plan", "requester"] as const;
export type ApprovalSort = (typeof APPROVAL_SORTS)[number];

export const DEFAULT_APPROVAL_SORT = { id: "requested", desc: false } as const satisfies { id: ApprovalSort; desc: boolean };

/** The URL params of the Approvals list. */
export const approvalListParams = listParamsSchema({ sortable: APPROVAL_SORTS, defaultSort: DEFAULT_APPROVAL_SORT });

export interface ApprovalRequest {
  contractId: string;
  requestedAt: Date;
  requesterName: string | null;
  requesterEmail: string | null;
  clientOrgSlug: string;
  clientOrgName: string;
  clientSlug: string;
  clientName: string;
  clientVersion: string;
  apiOrgSlug: string;
  apiSlug: string;
  apiName: string;
  apiVersion: string;
  planSlug: string;
  planName: string;
  planVersion: string;
}


/** Where the words of an approvals search are looked for. */
const APPROVAL_SEARCH_COLUMNS = [clients.name, apis.name, plans.name, users.name, users.email, clientOrg.name];

function pendingScope(actor: Actor, q: string | undefined): SQL | undefined {
  return and(eq(contracts.status, "AwaitingApproval"), decidableContractsCondition(actor, apis.orgId), wordsMatch(APPROVAL_SEARCH_COLUMNS, q));
}

/** Contracts awaiting a decision that the actor may take: planAdmin in the API's organization, or admin. */
export async function listPendingApprovals(db: Queryable, actor: Actor, query: ListQuery<ApprovalSort> = {}): Promise<ListPage<ApprovalRequest>> {
  if (!decidesAnywhere(actor)) return { rows: [], total: 0 };
  const { rows, total } = await pagedList({
    query: () =>
      withContractJoins(
        db
          .select({
            contractId: contracts.id,
            requestedAt: contracts.createdAt,
            requesterName: users.name,
            requesterEmail: users.email,
            clientOrgSlug: clientOrg.slug,
            clientOrgName: clientOrg.name,
            clientSlug: clients.slug,
            clientName: clients.name,
            clientVersion: clientVersions.version,
            apiOrgSlug: apiOrg.slug,
            apiSlug: apis.slug,
            apiName: apis.name,
            apiVersion: apiVersions.version,
            planSlug: plans.slug,
            planName: plans.name,
            planVersion: planVersions.version,
            total: totalOverPages(),
          })
          .from(contracts)
          .$dynamic(),
      ),
    where: pendingScope(actor, query.q),
    sort: query.sort ?? DEFAULT_APPROVAL_SORT,
    sortColumns: { requested: [contracts.createdAt], client: [clients.name], api: [apis.name], plan: [plans.name], requester: [users.name] },
    orderBy: [asc(contracts.createdAt), asc(contracts.id)],
    page: query.page,
    pageSize: query.pageSize,
  });
  return { rows, total };
}

/** How many requests await the actor's decision: the count in the navigation. */
export async function countPendingApprovals(db: Queryable, actor: Actor): Promise<number> {
  if (!decidesAnywhere(actor)) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(contracts)
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .where(pendingScope(actor, undefined));
  return row.n;
}
