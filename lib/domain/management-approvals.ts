import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { apis, apiVersions, clients, clientVersions, contracts, organizations, plans, planVersions, users } from "@/db/schema";
import { approveContract, rejectContract } from "./contracts";
import { isDomainError, parseInput } from "./errors";
import { type Actor, hasPermission, isAdmin } from "./permissions";
import { pageTotal, totalOverPages } from "./paging";
import { multilineText, searchTextSchema, TEXT_LIMITS } from "./text";

/** The organizations whose approval requests the actor decides; null means every organization (admin). */
function decidableOrgIds(actor: Actor): string[] | null {
  if (isAdmin(actor)) return null;
  return [...actor.roles.keys()].filter((orgId) => hasPermission(actor, orgId, "planAdmin"));
}

export const APPROVAL_SORTS = ["requested", "client", "api", "plan", "requester"] as const;
export type ApprovalSort = (typeof APPROVAL_SORTS)[number];

export const approvalQuerySchema = z.object({
  sort: z.enum(APPROVAL_SORTS).catch("requested").default("requested"),
  desc: z.boolean().catch(false).default(false),
  q: searchTextSchema,
  page: z.coerce.number().int().min(1).catch(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).catch(20).default(20),
});
export type ApprovalQuery = z.input<typeof approvalQuerySchema>;

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

const clientOrgs = alias(organizations, "client_orgs");
const apiOrgs = alias(organizations, "api_orgs");

function pendingScope(actor: Actor, q: string): SQL | undefined {
  const orgIds = decidableOrgIds(actor);
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return and(
    eq(contracts.status, "AwaitingApproval"),
    orgIds === null ? undefined : inArray(apis.orgId, orgIds),
    q ? or(ilike(clients.name, like), ilike(apis.name, like), ilike(plans.name, like), ilike(users.name, like), ilike(users.email, like), ilike(clientOrgs.name, like)) : undefined,
  );
}

/** Contracts awaiting a decision that the actor may take: planAdmin in the API's organization, or admin. */
export async function listPendingApprovals(db: Queryable, actor: Actor, query: ApprovalQuery = {}): Promise<{ rows: ApprovalRequest[]; total: number }> {
  const options = approvalQuerySchema.parse(query);
  const orgIds = decidableOrgIds(actor);
  if (orgIds !== null && orgIds.length === 0) return { rows: [], total: 0 };
  const where = pendingScope(actor, options.q);
  const direction = options.desc ? desc : asc;
  const sortColumn = {
    requested: contracts.createdAt,
    client: clients.name,
    api: apis.name,
    plan: plans.name,
    requester: users.name,
  }[options.sort];
  const base = () =>
    db
      .select({
        contractId: contracts.id,
        requestedAt: contracts.createdAt,
        requesterName: users.name,
        requesterEmail: users.email,
        clientOrgSlug: clientOrgs.slug,
        clientOrgName: clientOrgs.name,
        clientSlug: clients.slug,
        clientName: clients.name,
        clientVersion: clientVersions.version,
        apiOrgSlug: apiOrgs.slug,
        apiSlug: apis.slug,
        apiName: apis.name,
        apiVersion: apiVersions.version,
        planSlug: plans.slug,
        planName: plans.name,
        planVersion: planVersions.version,
        total: totalOverPages(),
      })
      .from(contracts)
      .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
      .innerJoin(clients, eq(clients.id, clientVersions.clientId))
      .innerJoin(clientOrgs, eq(clientOrgs.id, clients.orgId))
      .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
      .innerJoin(apis, eq(apis.id, apiVersions.apiId))
      .innerJoin(apiOrgs, eq(apiOrgs.id, apis.orgId))
      .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .leftJoin(users, eq(users.id, contracts.createdById))
      .where(where);
  const rows = await base()
    .orderBy(direction(sortColumn), asc(contracts.createdAt), asc(contracts.id))
    .limit(options.pageSize)
    .offset((options.page - 1) * options.pageSize);
  const total = await pageTotal(rows, options.page, () => countPendingApprovals(db, actor, options.q));
  return { rows: rows.map(({ total: _total, ...row }) => row), total };
}

/** How many requests await the actor's decision: the count in the navigation. */
export async function countPendingApprovals(db: Queryable, actor: Actor, q = ""): Promise<number> {
  const orgIds = decidableOrgIds(actor);
  if (orgIds !== null && orgIds.length === 0) return 0;
  let query = db
    .select({ n: sql<number>`count(*)::int` })
    .from(contracts)
    .innerJoin(apiVersions, eq(apiVersions.id, contracts.apiVersionId))
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .$dynamic();
  if (q) {
    query = query
      .innerJoin(clientVersions, eq(clientVersions.id, contracts.clientVersionId))
      .innerJoin(clients, eq(clients.id, clientVersions.clientId))
      .innerJoin(clientOrgs, eq(clientOrgs.id, clients.orgId))
      .innerJoin(planVersions, eq(planVersions.id, contracts.planVersionId))
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .leftJoin(users, eq(users.id, contracts.createdById));
  }
  const [row] = await query.where(pendingScope(actor, q));
  return row.n;
}

const decisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve"), contractIds: z.array(z.string().uuid()).min(1, "Select at least one request").max(100) }),
  z.object({
    decision: z.literal("reject"),
    contractIds: z.array(z.string().uuid()).min(1, "Select at least one request").max(100),
    reason: multilineText({ max: TEXT_LIMITS.reason, min: 1, minMessage: "A reason is required" }),
  }),
]);

export interface DecisionOutcome {
  decided: string[];
  failed: { contractId: string; code: string; message: string }[];
}

/**
 * Approves or rejects several requests, each through the contract rules in its own transaction:
 * one that was decided meanwhile, or that the actor may not decide, fails alone.
 */
export async function decideContracts(db: Db, actor: Actor, input: z.input<typeof decisionSchema>): Promise<DecisionOutcome> {
  const data = parseInput(decisionSchema, input);
  const outcome: DecisionOutcome = { decided: [], failed: [] };
  for (const contractId of new Set(data.contractIds)) {
    try {
      if (data.decision === "approve") await approveContract(db, actor, contractId);
      else await rejectContract(db, actor, { contractId, reason: data.reason });
      outcome.decided.push(contractId);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcome.failed.push({ contractId, code: error.code, message: error.message });
    }
  }
  return outcome;
}
