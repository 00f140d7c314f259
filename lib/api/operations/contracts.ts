import { z } from "zod";
import { CONTRACT_STATUSES, contractEventKindEnum } from "@/db/schema";
import { getApiVersionDetail } from "@/lib/domain/apis";
import {
  breakContract,
  cancelPlanChange,
  CONTRACT_SORT_KEYS,
  contractReasonSchema,
  type ContractRow,
  DEFAULT_CONTRACT_SORT,
  getContract,
  getContractDetail,
  listContracts,
  movePlan,
  type PlanRef,
  requestPlanChange,
  resumeContract,
  setContractEndDate,
  suspendContract,
  withdrawContract,
} from "@/lib/domain/contracts";
import { DomainError } from "@/lib/domain/errors";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { defineOperation } from "../operation";
import { idField, listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * Contracts as the portal's contract tables show them: those the token's user may see from either
 * side, one contract and its history, breaking and withdrawing, its lifecycle (plan changes,
 * moves, suspension, end dates), and an API version's Contracts tab.
 */

export const contractSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(CONTRACT_STATUSES),
    reason: z.string().nullable().meta({ description: "Why it was rejected, broken or suspended by the provider." }),
    createdAt: timestamp,
    decidedAt: timestamp.nullable().meta({ description: "When it became active or was rejected." }),
    endedAt: timestamp.nullable().meta({ description: "When it was broken, withdrawn or expired." }),
    endsAt: timestamp.nullable().meta({ description: "When it will end (a trial plan, or a date the provider set); null: no end." }),
    pendingPlanVersionId: z.uuid().nullable().meta({ description: "The plan version a plan change awaiting approval asks for." }),
    createdByName: z.string().nullable(),
    clientId: z.uuid(),
    clientOrgId: z.uuid(),
    clientOrgSlug: z.string(),
    clientOrgName: z.string(),
    clientSlug: z.string(),
    clientName: z.string(),
    clientVersionId: z.uuid(),
    clientVersion: z.string(),
    apiId: z.uuid(),
    apiOrgId: z.uuid(),
    apiOrgSlug: z.string(),
    apiOrgName: z.string(),
    apiSlug: z.string(),
    apiName: z.string(),
    apiVersionId: z.uuid(),
    apiVersion: z.string(),
    planVersionId: z.uuid(),
    planSlug: z.string(),
    planName: z.string(),
    planVersion: z.string(),
    endpoint: z.string().meta({ description: "The gateway address the client calls: `{gateway}/{org}/{api}/{version}/`." }),
  })
  .meta({ id: "Contract", description: "A contract between a client version and an API version through a plan." });

/** The answer for one contract: the row's fields and no others. */
export function contractOf(row: ContractRow): z.input<typeof contractSchema> {
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    pendingPlanVersionId: row.pendingPlanVersionId,
    createdByName: row.createdByName,
    clientId: row.clientId,
    clientOrgId: row.clientOrgId,
    clientOrgSlug: row.clientOrgSlug,
    clientOrgName: row.clientOrgName,
    clientSlug: row.clientSlug,
    clientName: row.clientName,
    clientVersionId: row.clientVersionId,
    clientVersion: row.clientVersion,
    apiId: row.apiId,
    apiOrgId: row.apiOrgId,
    apiOrgSlug: row.apiOrgSlug,
    apiOrgName: row.apiOrgName,
    apiSlug: row.apiSlug,
    apiName: row.apiName,
    apiVersionId: row.apiVersionId,
    apiVersion: row.apiVersion,
    planVersionId: row.planVersionId,
    planSlug: row.planSlug,
    planName: row.planName,
    planVersion: row.planVersion,
    endpoint: row.endpoint,
  };
}

const statusFilter = z.enum(CONTRACT_STATUSES).optional().meta({ description: "Only contracts in this status." });

export const listMyContracts = defineOperation({
  method: "GET",
  path: "/contracts",
  id: "listContracts",
  tag: "Contracts",
  summary: "The contracts the token's user may see, from the client side or the API side",
  scope: "read",
  paged: true,
  query: listQuery({ sortable: CONTRACT_SORT_KEYS, defaultSort: DEFAULT_CONTRACT_SORT, filters: { status: statusFilter } }),
  response: pageOf(contractSchema),
  handler: async ({ db, actor, url, query }) => {
    const page = await listContracts(db, actor, query);
    return paged(url, query, page.rows.map(contractOf), page.total);
  },
});

export const getOneContract = defineOperation({
  method: "GET",
  path: "/contracts/{id}",
  id: "getContract",
  tag: "Contracts",
  summary: "One contract",
  scope: "read",
  errors: ["contract_not_found"],
  response: contractSchema,
  handler: async ({ db, actor, params }) => contractOf(await getContract(db, actor, params.id)),
});

/** A path id that is no UUID names no contract: 404 as for any other unknown id. */
export function contractIdOf(id: string): string {
  if (!z.uuid().safeParse(id).success) throw new DomainError("contract_not_found");
  return id;
}

export const deleteContract = defineOperation({
  method: "DELETE",
  path: "/contracts/{id}",
  id: "breakContract",
  tag: "Contracts",
  summary: "Break an active contract",
  description:
    "Ends the contract at once; its client's API key stops working with that API version. The client's side may always break it; " +
    "an API administrator of the API's organization breaks it from the API side and must give a `reason`, which the consumer is shown.",
  scope: "write",
  query: z.object({
    reason: z.string().max(TEXT_LIMITS.reason).optional().meta({ description: "Why the provider ends it: required from the API side." }),
  }),
  errors: ["contract_not_found", "forbidden", "invalid_state"],
  handler: async ({ db, actor, params, query }) => {
    await breakContract(db, actor, { contractId: contractIdOf(params.id), reason: query.reason });
  },
});

export const withdrawOneContract = defineOperation({
  method: "POST",
  path: "/contracts/{id}/withdraw",
  id: "withdrawContract",
  tag: "Contracts",
  summary: "Withdraw a request that awaits approval",
  scope: "write",
  errors: ["contract_not_found", "forbidden", "invalid_state"],
  response: contractSchema,
  handler: async ({ db, actor, params }) => {
    const id = contractIdOf(params.id);
    await withdrawContract(db, actor, id);
    return contractOf(await getContract(db, actor, id));
  },
});

const planRef = z
  .object({ planVersionId: z.uuid(), planSlug: z.string(), planName: z.string(), planVersion: z.string() })
  .meta({ id: "ContractPlanRef", description: "A plan version, as a contract's history names it." });

function planRefOf(plan: PlanRef | null) {
  return plan && { planVersionId: plan.planVersionId, planSlug: plan.planSlug, planName: plan.planName, planVersion: plan.planVersion };
}

const contractEvent = z
  .object({
    id: z.uuid(),
    kind: z.enum(contractEventKindEnum.enumValues),
    at: timestamp,
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable().meta({ description: "Null for what the system did on its own (expiry), or a deleted user." }),
    reason: z.string().nullable(),
    plan: planRef.nullable().meta({ description: "The plan accepted, requested or moved to." }),
    fromPlan: planRef.nullable().meta({ description: "For plan changes: the plan left." }),
    endsAt: timestamp.nullable().meta({ description: "For end_date_set: the new end (null: removed); for expiry_warned: the end warned of." }),
  })
  .meta({ id: "ContractEvent", description: "One line of a contract's history." });

const contractHistory = z
  .object({
    contract: contractSchema.extend({
      suspensionReason: z.string().nullable().meta({ description: "Why the provider suspended it, while Suspended." }),
      pendingPlanChange: planRef
        .extend({ requestedAt: timestamp, requestedById: z.uuid().nullable(), requestedByName: z.string().nullable() })
        .nullable()
        .meta({ description: "A plan change awaiting approval; the contract stays on its plan until it is decided." }),
      terms: z
        .object({
          planVersionId: z.uuid(),
          text: z.string().meta({ description: "Markdown." }),
          acceptedAt: timestamp.nullable(),
          acceptedById: z.uuid().nullable(),
          acceptedByName: z.string().nullable(),
        })
        .nullable()
        .meta({ description: "The terms of use of the current plan version and who accepted them; null when it has none." }),
    }),
    events: z.array(contractEvent).meta({ description: "Oldest first." }),
  })
  .meta({ id: "ContractHistory" });

export const getContractHistory = defineOperation({
  method: "GET",
  path: "/contracts/{id}/history",
  id: "getContractHistory",
  tag: "Contracts",
  summary: "A contract with its end date, suspension, pending plan change and terms acceptance, and its history",
  scope: "read",
  errors: ["contract_not_found"],
  response: contractHistory,
  handler: async ({ db, actor, params }) => {
    const { contract, events } = await getContractDetail(db, actor, contractIdOf(params.id));
    const { pendingPlanChange, terms } = contract;
    return {
      contract: {
        ...contractOf(contract),
        suspensionReason: contract.suspensionReason,
        pendingPlanChange: pendingPlanChange && {
          ...planRefOf(pendingPlanChange)!,
          requestedAt: pendingPlanChange.requestedAt,
          requestedById: pendingPlanChange.requestedById,
          requestedByName: pendingPlanChange.requestedByName,
        },
        terms: terms && { planVersionId: terms.planVersionId, text: terms.text, acceptedAt: terms.acceptedAt, acceptedById: terms.acceptedById, acceptedByName: terms.acceptedByName },
      },
      events: events.map((event) => ({
        id: event.id,
        kind: event.kind,
        at: event.at,
        actorId: event.actorId,
        actorName: event.actorName,
        reason: event.reason,
        plan: planRefOf(event.plan),
        fromPlan: planRefOf(event.fromPlan),
        endsAt: event.endsAt,
      })),
    };
  },
});

/** Codes of a change to a running contract, besides the operation's own. */
const LIFECYCLE_ERRORS = ["contract_not_found", "forbidden", "invalid_state"] as const;

const acceptTermsField = z.boolean().optional().meta({ description: "Must be true when the plan version has terms of use (`terms` of GET /apis/{org}/{api}/{version})." });

export const requestContractPlanChange = defineOperation({
  method: "POST",
  path: "/contracts/{id}/plan-change",
  id: "requestContractPlanChange",
  tag: "Contracts",
  summary: "Move an active or suspended contract to another plan its API version offers",
  description:
    "From the client side. `changed`: the contract is on the new plan now (the offer needs no approval, or you may approve it); " +
    "`pending`: the change awaits the API organization's approval, one at a time, and the contract stays on its plan meanwhile. " +
    "The end date is kept unless the new plan has a duration, which then starts from now.",
  scope: "write",
  errors: [...LIFECYCLE_ERRORS, "api_not_published", "plan_not_offered", "plan_not_locked"],
  body: z.object({ planVersionId: idField.meta({ description: "A `planVersionId` the contract's API version offers." }), acceptTerms: acceptTermsField }),
  response: z.object({ outcome: z.enum(["changed", "pending"]), contract: contractSchema }).meta({ id: "PlanChangeOutcome" }),
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    const { outcome } = await requestPlanChange(db, actor, { contractId: id, planVersionId: body.planVersionId, acceptTerms: body.acceptTerms });
    return { outcome, contract: contractOf(await getContract(db, actor, id)) };
  },
});

export const cancelContractPlanChange = defineOperation({
  method: "DELETE",
  path: "/contracts/{id}/plan-change",
  id: "cancelContractPlanChange",
  tag: "Contracts",
  summary: "Take back a plan change that awaits approval",
  scope: "write",
  errors: LIFECYCLE_ERRORS,
  handler: async ({ db, actor, params }) => {
    await cancelPlanChange(db, actor, contractIdOf(params.id));
  },
});

export const moveContract = defineOperation({
  method: "POST",
  path: "/contracts/{id}/move",
  id: "moveContract",
  tag: "Contracts",
  summary: "Move an active or suspended contract to another offered plan at once, from the API side",
  description: "For API administrators of the API's organization; the consumer is told, with the `reason` when given. A plan change the consumer asked for is dropped.",
  scope: "write",
  errors: [...LIFECYCLE_ERRORS, "plan_not_offered", "plan_not_locked"],
  body: z.object({
    planVersionId: idField.meta({ description: "A `planVersionId` the contract's API version offers." }),
    reason: z.string().max(TEXT_LIMITS.reason).optional().meta({ description: "Shown to the consumer." }),
  }),
  response: contractSchema,
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    await movePlan(db, actor, { contractId: id, planVersionId: body.planVersionId, reason: body.reason });
    return contractOf(await getContract(db, actor, id));
  },
});

export const suspendOneContract = defineOperation({
  method: "POST",
  path: "/contracts/{id}/suspend",
  id: "suspendContract",
  tag: "Contracts",
  summary: "Pause an active contract, from the API side, with a reason the consumer is shown",
  description: "The gateway refuses its calls (contract_suspended) until it is resumed; plan, key and counters are kept.",
  scope: "write",
  errors: LIFECYCLE_ERRORS,
  body: z.object({ reason: contractReasonSchema }),
  response: contractSchema,
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    await suspendContract(db, actor, { contractId: id, reason: body.reason });
    return contractOf(await getContract(db, actor, id));
  },
});

export const resumeOneContract = defineOperation({
  method: "POST",
  path: "/contracts/{id}/resume",
  id: "resumeContract",
  tag: "Contracts",
  summary: "Let a suspended contract through again, from the API side",
  scope: "write",
  errors: LIFECYCLE_ERRORS,
  response: contractSchema,
  handler: async ({ db, actor, params }) => {
    const id = contractIdOf(params.id);
    await resumeContract(db, actor, id);
    return contractOf(await getContract(db, actor, id));
  },
});

export const setOneContractEndDate = defineOperation({
  method: "PUT",
  path: "/contracts/{id}/end-date",
  id: "setContractEndDate",
  tag: "Contracts",
  summary: "Set when an active or suspended contract ends, or remove its end, from the API side",
  description: "`endsAt` is a moment in the future, or null for no end. The consumer is warned 7 days and 1 day before; at that moment it becomes Expired.",
  scope: "write",
  errors: LIFECYCLE_ERRORS,
  body: z.object({ endsAt: timestamp.nullable().meta({ description: "ISO 8601 with an offset (2027-01-31T18:00:00Z), or null." }) }),
  response: contractSchema,
  handler: async ({ db, actor, params, body }) => {
    const id = contractIdOf(params.id);
    await setContractEndDate(db, actor, { contractId: id, endsAt: body.endsAt === null ? null : new Date(body.endsAt) });
    return contractOf(await getContract(db, actor, id));
  },
});

export const listApiVersionContracts = defineOperation({
  method: "GET",
  path: "/orgs/{org}/apis/{api}/versions/{version}/contracts",
  id: "listApiVersionContracts",
  tag: "Contracts",
  summary: "An API version's contracts, whoever the client: its Contracts tab",
  scope: "read",
  paged: true,
  query: listQuery({
    sortable: CONTRACT_SORT_KEYS,
    defaultSort: DEFAULT_CONTRACT_SORT,
    filters: {
      status: statusFilter,
      plan: z.uuid().optional().meta({ description: "Only contracts on this plan version (a `planVersionId` this API version offers)." }),
    },
  }),
  errors: ["not_found", "api_not_found"],
  response: pageOf(contractSchema),
  handler: async ({ db, actor, url, params, query }) => {
    const detail = await getApiVersionDetail(db, actor, { org: params.org, api: params.api, version: params.version });
    const { plan, ...table } = query;
    if (plan !== undefined && !detail.offeredPlans.some((offered) => offered.planVersionId === plan)) {
      throw new DomainError("validation_failed", "plan: this API version does not offer that plan version.", { plan: "This API version does not offer that plan version." });
    }
    const page = await listContracts(db, actor, { ...table, apiVersionId: detail.version.id, planVersionId: plan });
    return paged(url, query, page.rows.map(contractOf), page.total);
  },
});

export const contractsOperations = [
  listMyContracts,
  getOneContract,
  deleteContract,
  withdrawOneContract,
  getContractHistory,
  requestContractPlanChange,
  cancelContractPlanChange,
  moveContract,
  suspendOneContract,
  resumeOneContract,
  setOneContractEndDate,
  listApiVersionContracts,
];
