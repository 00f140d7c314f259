import { and, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, plans, planVersions, users } from "@/db/schema";
import { listParamsSchema } from "../list-params";
import { ascending, type ListPage, type ListQuery, pagedList, wordsMatch } from "../lists";
import type { Actor } from "../permissions";
import { apiOrg, clientOrg } from "./queries";
import { RUNNING_CONTRACT_STATUSES } from "./statuses";
import { decidableContractsCondition, decidesAnywhere } from "./visibility";

export const APPROVAL_SORTS = ["requested", "client", "api", "plan", "requester"] as const;
export type ApprovalSort = (typeof APPROVAL_SORTS)[number];

export const DEFAULT_APPROVAL_SORT = { id: "requested", desc: false } as const satisfies { id: ApprovalSort; desc: boolean };

/** The URL params of the Approvals list. */
export const approvalListParams = listParamsSchema({ sortable: APPROVAL_SORTS, defaultSort: DEFAULT_APPROVAL_SORT });

/** What awaits a decision: a new contract, or a plan change of a running contract. */
export type ApprovalKind = "contract" | "planChange";

export interface ApprovalRequest {
  /** The contract to decide; approveContract/rejectContract for `contract`, approvePlanChange/rejectPlanChange for `planChange` (decideContracts takes both). */
  contractId: string;
  kind: ApprovalKind;
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
  /** The plan asked for: the contract's plan, or the plan a change would move it to. */
  planVersionId: string;
  planSlug: string;
  planName: string;
  planVersion: string;
  /** For a plan change, the plan the contract is on until it is decided; null for a new contract. */
  currentPlanSlug: string | null;
  currentPlanName: string | null;
  currentPlanVersion: string | null;
}

/** The contract's current plan, beside the plan asked for. */
const currentPlanVersions = alias(planVersions, "current_plan_versions");
const currentPlans = alias(plans, "current_plans");

const isPlanChange = and(isNotNull(contracts.pendingPlanVersionId), inArray(contracts.status, RUNNING_CONTRACT_STATUSES));
const requestedPlanVersionId = sql`coalesce(${contracts.pendingPlanVersionId}, ${contracts.planVersionId})`;
const requesterId = sql`case when ${contracts.pendingPlanVersionId} is not null then ${contracts.pendingPlanRequestedById} else ${contracts.createdById} end`;
const requestedAt = sql<Date>`coalesce(${contracts.pendingPlanRequestedAt}, ${contracts.createdAt})`.mapWith(contracts.createdAt);

/** Where the words of an approvals search are looked for. */
const APPROVAL_SEARCH_COLUMNS = [clients.name, apis.name, plans.name, currentPlans.name, users.name, users.email, clientOrg.name];

function pendingScope(actor: Actor, q: string | undefined): SQL | undefined {
  return and(or(eq(contracts.status, "AwaitingApproval"), isPlanChange), decidableContractsCondition(actor, apis.orgId), wordsMatch(APPROVAL_SEARCH_COLUMNS, q));
}

/** Every table a request's line shows: both sides, the plan asked for, the current plan and the requester. */
function withRequestJoins<T extends PgSelect>(query: T): T {
  const joined: PgSelect = query
    .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .innerJoin(clientOrg, eq(clientOrg.id, clients.orgId))
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(apiOrg, eq(apiOrg.id, apis.orgId))
    .innerJoin(planVersions, eq(planVersions.id, requestedPlanVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .innerJoin(currentPlanVersions, eq(currentPlanVersions.id, contracts.planVersionId))
    .innerJoin(currentPlans, eq(currentPlans.id, currentPlanVersions.planId))
    .leftJoin(users, eq(users.id, requesterId));
  return joined as T;
}

/** The requests with only what the scope reads (the API's organization): enough to count them, or to page them oldest first. */
const leanRequests = (db: Queryable) =>
  db
    .select({ id: contracts.id })
    .from(contracts)
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .$dynamic();

/**
 * New contracts and plan changes awaiting a decision that the actor may take: planAdmin in the
 * API's organization, or admin. One list, oldest request first by default. The page's ids are
 * found first, joining only what the search and the sort read (oldest first, the requests' own
 * index serves the page), then their lines are read with every join.
 */
export async function listPendingApprovals(db: Queryable, actor: Actor, query: ListQuery<ApprovalSort> = {}): Promise<ListPage<ApprovalRequest>> {
  if (!decidesAnywhere(actor)) return { rows: [], total: 0 };
  const sort = query.sort ?? DEFAULT_APPROVAL_SORT;
  const searched = Boolean(query.q?.trim());
  const { rows: found, total } = await pagedList({
    db,
    query: () => (searched || sort.id !== "requested" ? withRequestJoins(db.select({ id: contracts.id }).from(contracts).$dynamic()) : leanRequests(db)),
    // Without words to look for, the count needs only what the scope reads.
    countQuery: searched ? undefined : () => leanRequests(db),
    where: pendingScope(actor, query.q),
    sort,
    sortColumns: { requested: [requestedAt], client: [clients.name], api: [apis.name], plan: [plans.name], requester: [users.name] },
    orderBy: [ascending(requestedAt), ascending(contracts.id)],
    page: query.page,
    pageSize: query.pageSize,
  });
  const ids = found.map((row) => row.id);
  if (ids.length === 0) return { rows: [], total };
  const loaded = await withRequestJoins(
    db
      .select({
        contractId: contracts.id,
        planChange: sql<boolean>`(${isPlanChange})`,
        requestedAt,
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
        planVersionId: planVersions.id,
        planSlug: plans.slug,
        planName: plans.name,
        planVersion: planVersions.version,
        currentPlanSlug: currentPlans.slug,
        currentPlanName: currentPlans.name,
        currentPlanVersion: currentPlanVersions.version,
      })
      .from(contracts)
      .$dynamic(),
  ).where(inArray(contracts.id, ids));
  const byId = new Map(loaded.map((row) => [row.contractId, row]));
  const rows = ids.flatMap((id): ApprovalRequest[] => {
    const row = byId.get(id);
    if (!row) return [];
    const { planChange, currentPlanSlug, currentPlanName, currentPlanVersion, ...rest } = row;
    return planChange
      ? [{ ...rest, kind: "planChange" as const, currentPlanSlug, currentPlanName, currentPlanVersion }]
      : [{ ...rest, kind: "contract" as const, currentPlanSlug: null, currentPlanName: null, currentPlanVersion: null }];
  });
  return { rows, total };
}

/** How many requests (new contracts and plan changes) await the actor's decision: the count in the navigation. */
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
