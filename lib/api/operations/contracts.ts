import { z } from "zod";
import { CONTRACT_STATUSES } from "@/db/schema";
import { getApiVersionDetail } from "@/lib/domain/apis";
import {
  breakContract,
  CONTRACT_SORT_KEYS,
  type ContractRow,
  DEFAULT_CONTRACT_SORT,
  getContract,
  listContracts,
  withdrawContract,
} from "@/lib/domain/contracts";
import { DomainError } from "@/lib/domain/errors";
import { TEXT_LIMITS } from "@/lib/domain/text";
import { defineOperation } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * Contracts as the portal's contract tables show them: those the token's user may see from either
 * side, one contract, breaking and withdrawing, and an API version's Contracts tab.
 */

export const contractSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(CONTRACT_STATUSES),
    reason: z.string().nullable().meta({ description: "Why it was rejected, or broken by the provider." }),
    createdAt: timestamp,
    decidedAt: timestamp.nullable().meta({ description: "When it became active or was rejected." }),
    endedAt: timestamp.nullable().meta({ description: "When it was broken or withdrawn." }),
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

export const contractsOperations = [listMyContracts, getOneContract, deleteContract, withdrawOneContract, listApiVersionContracts];
