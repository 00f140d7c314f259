import { z } from "zod";
import {
  APPROVAL_SORTS,
  approveContract,
  contractReasonSchema,
  decideContracts,
  DEFAULT_APPROVAL_SORT,
  getContract,
  listPendingApprovals,
  rejectContract,
} from "@/lib/domain/contracts";
import { DOMAIN_ERROR_CODES, type DomainErrorCode } from "@/lib/domain/errors";
import { defineOperation } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";
import { contractIdOf, contractOf, contractSchema } from "./contracts";

/**
 * Approvals as API Management shows them: the contract requests awaiting a decision that the
 * token's user may take (a plan administrator of the API's organization, or an admin), one by one
 * or several at once.
 */

const approvalRequest = z
  .object({
    contractId: z.uuid(),
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
    planSlug: z.string(),
    planName: z.string(),
    planVersion: z.string(),
  })
  .meta({ id: "ApprovalRequest", description: "A contract request on a plan that requires approval." });

export const listApprovals = defineOperation({
  method: "GET",
  path: "/approvals",
  id: "listApprovals",
  tag: "Approvals",
  summary: "Contract requests awaiting a decision the token's user may take",
  scope: "read",
  paged: true,
  query: listQuery({ sortable: APPROVAL_SORTS, defaultSort: DEFAULT_APPROVAL_SORT }),
  response: pageOf(approvalRequest),
  handler: async ({ db, actor, url, query }) => {
    const page = await listPendingApprovals(db, actor, query);
    const data = page.rows.map((row) => ({
      contractId: row.contractId,
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
      planSlug: row.planSlug,
      planName: row.planName,
      planVersion: row.planVersion,
    }));
    return paged(url, query, data, page.total);
  },
});

const DECISION_ERRORS = ["contract_not_found", "forbidden", "invalid_state"] as const satisfies readonly DomainErrorCode[];

export const approveRequest = defineOperation({
  method: "POST",
  path: "/approvals/{id}/approve",
  id: "approveContract",
  tag: "Approvals",
  summary: "Approve a contract request: the contract becomes active",
  scope: "write",
  errors: DECISION_ERRORS,
  response: contractSchema,
  handler: async ({ db, actor, params }) => {
    const id = contractIdOf(params.id);
    await approveContract(db, actor, id);
    return contractOf(await getContract(db, actor, id));
  },
});

export const rejectRequest = defineOperation({
  method: "POST",
  path: "/approvals/{id}/reject",
  id: "rejectContract",
  tag: "Approvals",
  summary: "Reject a contract request with a reason the requester is shown",
  scope: "write",
  body: z.object({ reason: contractReasonSchema }),
  errors: DECISION_ERRORS,
  response: contractSchema,
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    await rejectContract(db, actor, { contractId: id, reason: body.reason });
    return contractOf(await getContract(db, actor, id));
  },
});

export const decideRequests = defineOperation({
  method: "POST",
  path: "/approvals/decisions",
  id: "decideContracts",
  tag: "Approvals",
  summary: "Approve or reject several requests at once",
  description:
    "Each request is decided on its own: one decided meanwhile, unknown, or not yours to decide is listed in `failed` with its " +
    "problem code, and the others go through. Rejecting needs a `reason`.",
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
