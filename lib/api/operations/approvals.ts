import { z } from "zod";
import type { Db } from "@/db/client";
import {
  APPROVAL_SORTS,
  approveContract,
  approvePlanChange,
  contractReasonSchema,
  decideContracts,
  DEFAULT_APPROVAL_SORT,
  getContract,
  listPendingApprovals,
  rejectContract,
  rejectPlanChange,
  RUNNING_CONTRACT_STATUSES,
} from "@/lib/domain/contracts";
import { DOMAIN_ERROR_CODES, type DomainErrorCode, isDomainError } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { defineOperation } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";
import { contractIdOf, contractOf, contractSchema } from "./contracts";

/**
 * Approvals as API Management shows them: the contract requests and plan changes awaiting a
 * decision that the token's user may take (a plan administrator of the API's organization, or an
 * admin), one by one or several at once. Both are named by their contract's id.
 */

const approvalKind = z.enum(["contract", "planChange"]).meta({ description: "`contract`: a new contract request; `planChange`: a running contract asks to move to another plan." });

const approvalRequest = z
  .object({
    contractId: z.uuid(),
    kind: approvalKind,
    requestedAt: timestamp,
    requesterName: z.string().nullable(),
    requesterEmail: z.string().nullable(),
    clientOrgSlug: z.string(),
    clientOrgName: z.string(),
    clientSlug: z.string(),
    clientName: z.string(),
    clientVersion: z.string(),
    apiOrgSlug: z.string(),
    apiSlug: z.string(),
    apiName: z.string(),
    apiVersion: z.string(),
    planVersionId: z.uuid().meta({ description: "The plan version asked for." }),
    planSlug: z.string(),
    planName: z.string(),
    planVersion: z.string(),
    currentPlanSlug: z.string().nullable().meta({ description: "For a plan change: the plan the contract is on; null for a contract request." }),
    currentPlanName: z.string().nullable(),
    currentPlanVersion: z.string().nullable(),
  })
  .meta({ id: "ApprovalRequest", description: "A contract request, or a plan change, on a plan that requires approval." });

export const listApprovals = defineOperation({
  method: "GET",
  path: "/approvals",
  id: "listApprovals",
  tag: "Approvals",
  summary: "Contract requests and plan changes awaiting a decision the token's user may take",
  scope: "read",
  paged: true,
  query: listQuery({ sortable: APPROVAL_SORTS, defaultSort: DEFAULT_APPROVAL_SORT }),
  response: pageOf(approvalRequest),
  handler: async ({ db, actor, url, query }) => {
    const page = await listPendingApprovals(db, actor, query);
    const data = page.rows.map((row) => ({
      contractId: row.contractId,
      kind: row.kind,
      requestedAt: row.requestedAt,
      requesterName: row.requesterName,
      requesterEmail: row.requesterEmail,
      clientOrgSlug: row.clientOrgSlug,
      clientOrgName: row.clientOrgName,
      clientSlug: row.clientSlug,
      clientName: row.clientName,
      clientVersion: row.clientVersion,
      apiOrgSlug: row.apiOrgSlug,
      apiSlug: row.apiSlug,
      apiName: row.apiName,
      apiVersion: row.apiVersion,
      planVersionId: row.planVersionId,
      planSlug: row.planSlug,
      planName: row.planName,
      planVersion: row.planVersion,
      currentPlanSlug: row.currentPlanSlug,
      currentPlanName: row.currentPlanName,
      currentPlanVersion: row.currentPlanVersion,
    }));
    return paged(url, query, data, page.total);
  },
});

const DECISION_ERRORS = ["contract_not_found", "forbidden", "invalid_state"] as const satisfies readonly DomainErrorCode[];

/** What a decision answers: the contract as it is now, and which kind of request was decided. */
const decidedContract = contractSchema
  .extend({ decided: approvalKind.meta({ description: "Which request was decided: the contract itself, or its plan change." }) })
  .meta({ id: "DecidedContract" });

/**
 * Whether deciding this contract decides its plan change: a running contract with one pending.
 * An id the actor cannot see is decided as a contract request, whose rules give the answer; the
 * decision itself re-reads the row locked and refuses a stale one.
 */
async function requestKindOf(db: Db, actor: Actor, contractId: string): Promise<"contract" | "planChange"> {
  try {
    const row = await getContract(db, actor, contractId);
    return RUNNING_CONTRACT_STATUSES.includes(row.status) && row.pendingPlanVersionId !== null ? "planChange" : "contract";
  } catch (error) {
    if (isDomainError(error)) return "contract";
    throw error;
  }
}

export const approveRequest = defineOperation({
  method: "POST",
  path: "/approvals/{id}/approve",
  id: "approveContract",
  tag: "Approvals",
  summary: "Approve a contract request (the contract becomes active) or a plan change (the contract moves to that plan)",
  scope: "write",
  errors: DECISION_ERRORS,
  response: decidedContract,
  handler: async ({ db, actor, params }) => {
    const id = contractIdOf(params.id);
    const kind = await requestKindOf(db, actor, id);
    await (kind === "planChange" ? approvePlanChange(db, actor, id) : approveContract(db, actor, id));
    return { ...contractOf(await getContract(db, actor, id)), decided: kind };
  },
});

export const rejectRequest = defineOperation({
  method: "POST",
  path: "/approvals/{id}/reject",
  id: "rejectContract",
  tag: "Approvals",
  summary: "Reject a contract request or a plan change, with a reason the requester is shown",
  description: "A rejected plan change leaves the contract running on its plan.",
  scope: "write",
  body: z.object({ reason: contractReasonSchema }),
  errors: DECISION_ERRORS,
  response: decidedContract,
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    const kind = await requestKindOf(db, actor, id);
    await (kind === "planChange" ? rejectPlanChange(db, actor, { contractId: id, reason: body.reason }) : rejectContract(db, actor, { contractId: id, reason: body.reason }));
    return { ...contractOf(await getContract(db, actor, id)), decided: kind };
  },
});

export const decideRequests = defineOperation({
  method: "POST",
  path: "/approvals/decisions",
  id: "decideContracts",
  tag: "Approvals",
  summary: "Approve or reject several requests at once",
  description:
    "Each request is decided on its own, contract requests and plan changes alike (a running contract's id decides its plan change): " +
    "one decided meanwhile, unknown, or not yours to decide is listed in `failed` with its problem code, and the others go through. Rejecting needs a `reason`.",
  scope: "write",
  body: z.object({
    decision: z.enum(["approve", "reject"]),
    ids: z.array(z.uuid()).min(1, "Select at least one request").max(100).meta({ description: "Contract ids, from `contractId` of GET /approvals." }),
    reason: z.string().optional().meta({ description: "Required to reject; the requesters are shown it." }),
  }),
  response: z
    .object({
      decided: z.array(z.uuid()),
      failed: z.array(z.object({ id: z.uuid(), code: z.enum(DOMAIN_ERROR_CODES), message: z.string() })),
    })
    .meta({ id: "DecisionOutcome" }),
  handler: async ({ db, actor, body }) => {
    const outcome = await decideContracts(
      db,
      actor,
      body.decision === "approve" ? { decision: "approve", contractIds: body.ids } : { decision: "reject", contractIds: body.ids, reason: body.reason ?? "" },
    );
    return {
      decided: outcome.decided,
      failed: outcome.failed.map((failure) => ({ id: failure.contractId, code: failure.code as DomainErrorCode, message: failure.message })),
    };
  },
});

export const approvalsOperations = [listApprovals, approveRequest, rejectRequest, decideRequests];
