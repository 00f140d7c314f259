import { z } from "zod";
import { CONTRACT_STATUSES } from "@/db/schema";
import {
  createClient,
  createClientVersion,
  deleteClient,
  getClientVersionDetail,
  getManagedClient,
  listMyClients,
  listOrganizationClients,
  requireClientOrganization,
  retireClientVersion,
  revealApiKey,
  rotateApiKey,
} from "@/lib/domain/clients";
import type { ApiKeySummary, MyClient } from "@/lib/domain/clients";
import { CONTRACT_SORT_KEYS, createContract, DEFAULT_CONTRACT_SORT, LIVE_CONTRACT_STATUSES, listContracts } from "@/lib/domain/contracts";
import { DomainError } from "@/lib/domain/errors";
import { importedApiKeySchema, MAX_KEY_GRACE_SECONDS } from "@/lib/domain/keys";
import { DEFAULT_VERSIONED_SORT, VERSIONED_SORTS } from "@/lib/domain/lists";
import type { Actor } from "@/lib/domain/permissions";
import { descriptionSchema, nameSchema, slugSchema, versionSchema } from "@/lib/domain/slugs";
import type { Db } from "@/db/client";
import { contractOf, contractSchema } from "./contracts";
import { defineOperation, type Operation, reply } from "../operation";
import { idField, listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * Clients, their versions and API keys, and the contracts a client version signs: what API
 * Management shows under /manage/{org}/clients/{client}/{version}, and My Clients under /me/clients.
 * The key itself is answered only by the reveal and rotate operations, never in a list.
 */

const TAG = "Clients";

const clientVersionStatus = z.enum(["Created", "AwaitingApproval", "Registered", "Retired"]);
const contractStatus = z.enum(CONTRACT_STATUSES);

const orgRef = z.object({ slug: z.string(), name: z.string() });

/** One row of a contracts table, as the domain's ContractRow: both sides, the plan, the state, the endpoint. */
const versionSummary = z.object({ id: z.uuid(), version: z.string(), status: clientVersionStatus }).meta({ id: "ClientVersionSummary" });

const datedVersionSummary = z
  .object({ id: z.uuid(), version: z.string(), status: clientVersionStatus, createdAt: timestamp, retiredAt: timestamp.nullable() })
  .meta({ id: "DatedClientVersionSummary" });

const apiKeySummary = z
  .object({
    masked: z.string().meta({ description: "The prefix and last four characters." }),
    fingerprint: z.string().meta({ description: "How the gateway's logs name this key." }),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    previous: z
      .object({ masked: z.string(), fingerprint: z.string(), expiresAt: timestamp, lastUsedAt: timestamp.nullable() })
      .nullable()
      .meta({ description: "The key the last rotation replaced, while its grace period lasts." }),
  })
  .meta({ id: "ApiKeySummary" });

function keySummaryOf(key: ApiKeySummary) {
  return {
    masked: key.masked,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    previous: key.previous && { masked: key.previous.masked, fingerprint: key.previous.fingerprint, expiresAt: key.previous.expiresAt, lastUsedAt: key.previous.lastUsedAt },
  };
}

const clientSchema = z
  .object({
    id: z.uuid(),
    org: orgRef,
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: timestamp,
    versions: z.array(datedVersionSummary),
  })
  .meta({ id: "Client" });

const CLIENT_VERSION_CONTRACTS = 20;

const clientVersionSchema = z
  .object({
    id: z.uuid().meta({ description: "The client version's id: `clientVersionId` elsewhere." }),
    org: orgRef,
    client: z.object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string() }),
    version: z.string(),
    status: clientVersionStatus.meta({ description: "Follows the contracts: AwaitingApproval while a request waits, Registered with an active one." }),
    createdAt: timestamp,
    retiredAt: timestamp.nullable(),
    key: apiKeySummary,
    versions: z.array(versionSummary).meta({ description: "Every version of the client, in reading order." }),
    contracts: z.array(contractSchema).meta({ description: `Its first ${CLIENT_VERSION_CONTRACTS} contracts, newest first; …/contracts lists them all.` }),
    contractCount: z.number().int().meta({ description: "How many contracts it has, in every status." }),
  })
  .meta({ id: "ClientVersion" });

/** A key brought from another gateway instead of a generated one. */
const importedApiKeyField = importedApiKeySchema
  .optional()
  .meta({ description: "Import this key instead of generating one (owners of the organization only): 32 to 128 letters, digits and . _ ~ -, used by no other client." });

type ClientParams = { org: string; client: string };
type VersionParams = ClientParams & { version: string };

const versionRef = (params: VersionParams) => ({ org: params.org, client: params.client, version: params.version });

async function clientBody(db: Db, actor: Actor, params: ClientParams) {
  const { org, client, versions } = await getManagedClient(db, actor, params, "member");
  return { id: client.id, org: { slug: org.slug, name: org.name }, slug: client.slug, name: client.name, description: client.description, createdAt: client.createdAt, versions };
}

async function clientVersionBody(db: Db, actor: Actor, params: VersionParams) {
  const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
  const contracts = await listContracts(db, actor, { clientVersionId: detail.version.id, sort: DEFAULT_CONTRACT_SORT, pageSize: CLIENT_VERSION_CONTRACTS });
  return {
    id: detail.version.id,
    org: { slug: detail.org.slug, name: detail.org.name },
    client: { id: detail.client.id, slug: detail.client.slug, name: detail.client.name, description: detail.client.description },
    version: detail.version.version,
    status: detail.status,
    createdAt: detail.version.createdAt,
    retiredAt: detail.version.retiredAt,
    key: keySummaryOf(detail.key),
    versions: detail.versions,
    contracts: contracts.rows.map(contractOf),
    contractCount: contracts.total,
  };
}

const versionPath = (org: string, client: string, version: string) => `/api/v1/orgs/${encodeURIComponent(org)}/clients/${encodeURIComponent(client)}/versions/${encodeURIComponent(version)}`;

export const listClients = defineOperation({
  method: "GET",
  path: "/orgs/{org}/clients",
  id: "listClients",
  tag: TAG,
  summary: "The organization's clients, each with its versions",
  description: "As API Management's Clients tab lists them; `q` finds clients by name, identifier or description.",
  scope: "read",
  paged: true,
  errors: ["not_found"],
  query: listQuery({ sortable: VERSIONED_SORTS, defaultSort: DEFAULT_VERSIONED_SORT }),
  response: pageOf(
    z
      .object({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string(), versions: z.array(versionSummary) })
      .meta({ id: "ClientListItem" }),
  ),
  handler: async ({ db, actor, params, query, url }) => {
    const org = await requireClientOrganization(db, actor, params.org, "member");
    const page = await listOrganizationClients(db, actor, org.id, query, "member");
    const data = page.rows.map(({ id, slug, name, description, versions }) => ({ id, slug, name, description, versions }));
    return paged(url, query, data, page.total);
  },
});

export const createClientOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/clients",
  id: "createClient",
  tag: TAG,
  summary: "Create a client and its first version, which gets its own API key",
  description:
    "The identifier is derived from the name when `slug` is absent (suffixed when taken). Reveal the key with …/versions/{version}/key. " +
    "An owner of the organization may bring the key with `apiKey`.",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden", "slug_taken", "key_taken"],
  body: z.object({ name: nameSchema, slug: slugSchema.optional(), description: descriptionSchema, version: versionSchema.default("1.0"), apiKey: importedApiKeyField }),
  response: clientSchema,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireClientOrganization(db, actor, params.org, "member");
    const { client, version } = await createClient(db, actor, { orgId: org.id, ...body });
    return reply(await clientBody(db, actor, { org: org.slug, client: client.slug }), {
      status: 201,
      headers: { location: versionPath(org.slug, client.slug, version.version) },
    });
  },
});

export const getClient = defineOperation({
  method: "GET",
  path: "/orgs/{org}/clients/{client}",
  id: "getClient",
  tag: TAG,
  summary: "A client and its versions",
  scope: "read",
  errors: ["not_found", "client_not_found"],
  response: clientSchema,
  handler: async ({ db, actor, params }) => clientBody(db, actor, params),
});

export const deleteClientOperation = defineOperation({
  method: "DELETE",
  path: "/orgs/{org}/clients/{client}",
  id: "deleteClient",
  tag: TAG,
  summary: "Delete a client and all its versions",
  description: "Refused (client_has_contracts) while any version has an active contract or a pending request.",
  scope: "write",
  errors: ["not_found", "client_not_found", "forbidden", "client_has_contracts"],
  handler: async ({ db, actor, params }) => {
    const { client } = await getManagedClient(db, actor, params, "member");
    await deleteClient(db, actor, client.id);
  },
});

export const createClientVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/clients/{client}/versions",
  id: "createClientVersion",
  tag: TAG,
  summary: "Create a client version, with a new API key",
  description:
    "With `copyContractsFrom`, the named version's active contracts and pending requests are requested again for the new one, each checked again by the contract rules (an approval plan asks again); one the rules refuse refuses the whole creation. " +
    "An owner of the organization may bring the new version's key with `apiKey`.",
  scope: "write",
  status: 201,
  errors: [
    "not_found",
    "client_not_found",
    "forbidden",
    "version_exists",
    "client_retired",
    "api_not_published",
    "api_not_found",
    "plan_not_offered",
    "plan_not_locked",
    "api_is_public",
    "contract_exists",
    "key_taken",
  ],
  body: z.object({
    version: versionSchema,
    apiKey: importedApiKeyField,
    copyContractsFrom: versionSchema.optional().meta({ description: "A version of the same client whose live contracts the new one requests again." }),
  }),
  response: clientVersionSchema,
  handler: async ({ db, actor, params, body }) => {
    const { org, client, versions } = await getManagedClient(db, actor, params, "member");
    let copyContractsFromVersionId: string | undefined;
    if (body.copyContractsFrom !== undefined) {
      copyContractsFromVersionId = versions.find((v) => v.version === body.copyContractsFrom)?.id;
      if (!copyContractsFromVersionId) {
        const sentence = `This client has no version ${body.copyContractsFrom}.`;
        throw new DomainError("validation_failed", sentence, { copyContractsFrom: sentence });
      }
    }
    const version = await createClientVersion(db, actor, { clientId: client.id, version: body.version, copyContractsFromVersionId, apiKey: body.apiKey });
    return reply(await clientVersionBody(db, actor, { org: org.slug, client: client.slug, version: version.version }), {
      status: 201,
      headers: { location: versionPath(org.slug, client.slug, version.version) },
    });
  },
});

export const getClientVersion = defineOperation({
  method: "GET",
  path: "/orgs/{org}/clients/{client}/versions/{version}",
  id: "getClientVersion",
  tag: TAG,
  summary: "A client version: its status, its key (masked) and its contracts",
  scope: "read",
  errors: ["not_found", "client_not_found"],
  response: clientVersionSchema,
  handler: async ({ db, actor, params }) => clientVersionBody(db, actor, params),
});

export const retireClientVersionOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/clients/{client}/versions/{version}/retire",
  id: "retireClientVersion",
  tag: TAG,
  summary: "Retire a client version: final; its keys stop working at once",
  scope: "write",
  errors: ["not_found", "client_not_found", "forbidden", "client_retired"],
  response: clientVersionSchema,
  handler: async ({ db, actor, params }) => {
    const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
    await retireClientVersion(db, actor, detail.version.id);
    return clientVersionBody(db, actor, params);
  },
});

export const revealClientApiKey = defineOperation({
  method: "GET",
  path: "/orgs/{org}/clients/{client}/versions/{version}/key",
  id: "revealClientApiKey",
  tag: TAG,
  summary: "Reveal the client version's API key, and the previous one while it still works",
  description: "What the portal's Reveal button shows, for the same users. Never cached.",
  scope: "read",
  errors: ["not_found", "client_not_found", "invalid_state", "key_unreadable"],
  response: z
    .object({
      apiKey: z.string(),
      previousApiKey: z.string().nullable().meta({ description: "The key the last rotation replaced, while its grace period lasts." }),
      previousApiKeyExpiresAt: timestamp.nullable(),
    })
    .meta({ id: "RevealedApiKey" }),
  handler: async ({ db, actor, params }) => {
    const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
    const keys = await revealApiKey(db, actor, detail.version.id);
    return { apiKey: keys.apiKey, previousApiKey: keys.previousApiKey, previousApiKeyExpiresAt: keys.previousApiKeyExpiresAt };
  },
});

export const rotateClientApiKey = defineOperation({
  method: "POST",
  path: "/orgs/{org}/clients/{client}/versions/{version}/key/rotate",
  id: "rotateClientApiKey",
  tag: TAG,
  summary: "Issue a new API key; the old one keeps working for `graceSeconds`",
  description: `The new key is in this answer; reveal it again with …/key. \`graceSeconds\` is 0 (the old key dies now, the default) to ${MAX_KEY_GRACE_SECONDS} (7 days).`,
  scope: "write",
  errors: ["not_found", "client_not_found", "forbidden", "client_retired"],
  body: z.object({
    graceSeconds: z.number().int().min(0).max(MAX_KEY_GRACE_SECONDS, "At most 7 days").default(0).meta({ description: "How long the old key keeps working." }),
  }),
  response: z
    .object({ apiKey: z.string(), fingerprint: z.string(), createdAt: timestamp, previousApiKeyExpiresAt: timestamp.nullable() })
    .meta({ id: "RotatedApiKey" }),
  handler: async ({ db, actor, params, body }) => {
    const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
    const rotated = await rotateApiKey(db, actor, { clientVersionId: detail.version.id, graceSeconds: body.graceSeconds });
    const { key } = await getClientVersionDetail(db, actor, versionRef(params), "member");
    return { apiKey: rotated.apiKey, fingerprint: key.fingerprint, createdAt: rotated.apiKeyCreatedAt, previousApiKeyExpiresAt: rotated.previousApiKeyExpiresAt };
  },
});

export const listClientVersionContracts = defineOperation({
  method: "GET",
  path: "/orgs/{org}/clients/{client}/versions/{version}/contracts",
  id: "listClientVersionContracts",
  tag: TAG,
  summary: "The client version's contracts, as its Contracts tab lists them",
  description: "Every status by default; `q` searches the API, its organization, the plan, the status and who signed.",
  scope: "read",
  paged: true,
  errors: ["not_found", "client_not_found"],
  query: listQuery({
    sortable: CONTRACT_SORT_KEYS,
    defaultSort: DEFAULT_CONTRACT_SORT,
    filters: { status: contractStatus.optional().meta({ description: "Only contracts in this status." }) },
  }),
  response: pageOf(contractSchema),
  handler: async ({ db, actor, params, query, url }) => {
    const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
    const page = await listContracts(db, actor, { clientVersionId: detail.version.id, status: query.status, q: query.q, sort: query.sort, page: query.page, pageSize: query.pageSize });
    return paged(url, query, page.rows.map(contractOf), page.total);
  },
});

export const createClientVersionContract = defineOperation({
  method: "POST",
  path: "/orgs/{org}/clients/{client}/versions/{version}/contracts",
  id: "createClientVersionContract",
  tag: TAG,
  summary: "Sign a contract with an API version through a plan it offers",
  description:
    "Active at once, or AwaitingApproval when the plan asks the API's organization to approve. `apiVersionId` and `planVersionId` are the `id` and a plan's `planVersionId` of GET /apis/{org}/{api}/{version}. " +
    "When that plan has `terms`, send `acceptTerms: true`; the acceptance is recorded in the contract's history.",
  scope: "write",
  status: 201,
  errors: [
    "not_found",
    "client_not_found",
    "forbidden",
    "client_retired",
    "api_not_found",
    "api_not_published",
    "api_is_public",
    "plan_not_offered",
    "plan_not_locked",
    "contract_exists",
  ],
  body: z.object({
    apiVersionId: idField,
    planVersionId: idField,
    acceptTerms: z.boolean().optional().meta({ description: "Must be true when the plan version has terms of use." }),
  }),
  response: contractSchema,
  handler: async ({ db, actor, params, body }) => {
    const detail = await getClientVersionDetail(db, actor, versionRef(params), "member");
    const contract = await createContract(db, actor, { clientVersionId: detail.version.id, apiVersionId: body.apiVersionId, planVersionId: body.planVersionId, acceptTerms: body.acceptTerms });
    // A client version holds one live contract per API version: this one.
    const { rows } = await listContracts(db, actor, { clientVersionId: detail.version.id, apiVersionId: contract.apiVersionId, status: LIVE_CONTRACT_STATUSES });
    const row = rows.find((r) => r.id === contract.id);
    if (!row) throw new DomainError("contract_not_found");
    return reply(contractOf(row), { status: 201, headers: { location: `/api/v1/contracts/${row.id}` } });
  },
});

const myClientContract = z
  .object({
    id: z.uuid(),
    status: contractStatus,
    reason: z.string().nullable(),
    createdAt: timestamp,
    apiName: z.string(),
    apiOrgSlug: z.string(),
    apiSlug: z.string(),
    apiVersionId: z.uuid(),
    apiVersion: z.string(),
    planName: z.string(),
    planVersion: z.string(),
    endpoint: z.string(),
    endsAt: timestamp.nullable().meta({ description: "When it will end; null: no end." }),
    pendingPlanVersionId: z.uuid().nullable().meta({ description: "The plan version a plan change awaiting approval asks for." }),
  })
  .meta({ id: "MyClientContract" });

const myClientVersion = z
  .object({
    id: z.uuid(),
    version: z.string(),
    status: clientVersionStatus,
    createdAt: timestamp,
    retiredAt: timestamp.nullable(),
    key: apiKeySummary,
    contracts: z
      .array(myClientContract)
      .meta({ description: "Its active, suspended and pending contracts and rejected requests (with their reason); with `ended=true`, broken, withdrawn and expired ones too." }),
  })
  .meta({ id: "MyClientVersion" });

const myClient = z
  .object({
    id: z.uuid(),
    org: orgRef,
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    canEdit: z.boolean(),
    canAdmin: z.boolean(),
    versions: z.array(datedVersionSummary),
    selected: myClientVersion.meta({ description: "The newest version that is not retired (the newest when all are)." }),
  })
  .meta({ id: "MyClient" });

function myClientOf(client: MyClient) {
  const { selected } = client;
  return {
    id: client.id,
    org: { slug: client.orgSlug, name: client.orgName },
    slug: client.slug,
    name: client.name,
    description: client.description,
    canEdit: client.canEdit,
    canAdmin: client.canAdmin,
    versions: client.versions.map(({ id, version, status, createdAt, retiredAt }) => ({ id, version, status, createdAt, retiredAt })),
    selected: {
      id: selected.id,
      version: selected.version,
      status: selected.status,
      createdAt: selected.createdAt,
      retiredAt: selected.retiredAt,
      key: keySummaryOf(selected.key),
      contracts: client.contracts.map((c) => ({
        id: c.id,
        status: c.status,
        reason: c.reason,
        createdAt: c.createdAt,
        apiName: c.apiName,
        apiOrgSlug: c.apiOrgSlug,
        apiSlug: c.apiSlug,
        apiVersionId: c.apiVersionId,
        apiVersion: c.apiVersion,
        planName: c.planName,
        planVersion: c.planVersion,
        endpoint: c.endpoint,
        endsAt: c.endsAt ?? null,
        pendingPlanVersionId: c.pendingPlanVersionId ?? null,
      })),
    },
  };
}

export const listMyClientsOperation = defineOperation({
  method: "GET",
  path: "/me/clients",
  id: "listMyClients",
  tag: TAG,
  summary: "My Clients: the clients of the token user's organizations, with their contracts",
  description:
    "Clients by name; `q` lists a client when its name matches (with all its contracts) or one of its contracts does (with those only). `sort` orders each client's contracts.",
  scope: "read",
  paged: true,
  query: listQuery({
    sortable: CONTRACT_SORT_KEYS,
    defaultSort: DEFAULT_CONTRACT_SORT,
    filters: {
      ended: z
        .enum(["true", "false"])
        .optional()
        .transform((value) => value === "true")
        .meta({ description: "`true` adds ended contracts (broken, withdrawn, expired)." }),
    },
  }),
  response: pageOf(myClient),
  handler: async ({ db, actor, query, url }) => {
    const result = await listMyClients(db, actor, { q: query.q, sort: query.sort, page: query.page, pageSize: query.pageSize, includeEnded: query.ended });
    return paged(url, query, result.clients.map(myClientOf), result.total);
  },
});

export const clientsOperations: Operation[] = [
  listClients,
  createClientOperation,
  getClient,
  deleteClientOperation,
  createClientVersionOperation,
  getClientVersion,
  retireClientVersionOperation,
  revealClientApiKey,
  rotateClientApiKey,
  listClientVersionContracts,
  createClientVersionContract,
  listMyClientsOperation,
];
