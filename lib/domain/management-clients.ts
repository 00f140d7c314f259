import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { clients, clientVersions } from "@/db/schema";
import { clientVersionStatus } from "./clients";
import { DomainError } from "./errors";
import { maskStoredApiKey } from "./keys";
import { organizationPermissions, requireManagedOrganization } from "./management-access";
import { compareVersions, contractStatusesOf, parseStatusArray } from "./management-organizations";
import type { Actor } from "./permissions";
import { isStorableText } from "./text";

export interface ClientVersionRef {
  org: string;
  client: string;
  version: string;
}

/**
 * The client version behind /manage/[org]/clients/[client]/[version], for users with clientView
 * there. The key itself stays out: only its mask and dates; revealing goes through revealApiKey.
 */
export async function getClientVersionDetail(db: Queryable, actor: Actor, ref: ClientVersionRef) {
  const org = await requireManagedOrganization(db, actor, ref.org, "clientView");
  if (!isStorableText(ref.client, ref.version)) throw new DomainError("client_not_found");
  const [row] = await db
    .select({ client: clients, version: clientVersions, contractStatuses: contractStatusesOf(clientVersions.id) })
    .from(clientVersions)
    .innerJoin(clients, eq(clients.id, clientVersions.clientId))
    .where(and(eq(clients.orgId, org.id), eq(clients.slug, ref.client), eq(clientVersions.version, ref.version)));
  if (!row) throw new DomainError("client_not_found");
  const siblings = await db
    .select({ id: clientVersions.id, version: clientVersions.version, retiredAt: clientVersions.retiredAt, contractStatuses: contractStatusesOf(clientVersions.id) })
    .from(clientVersions)
    .where(eq(clientVersions.clientId, row.client.id));
  const { apiKeyDigest: _d, apiKeySealed, previousApiKeyDigest, previousApiKeySealed, legacyApiKey, legacyPreviousApiKey, ...version } = row.version;
  const now = new Date();
  const inGrace = Boolean(previousApiKeyDigest && version.previousApiKeyExpiresAt && version.previousApiKeyExpiresAt > now);
  const statuses = parseStatusArray(row.contractStatuses);
  return {
    org,
    client: row.client,
    version,
    status: clientVersionStatus(row.version, statuses),
    contractStatuses: statuses,
    key: {
      masked: maskStoredApiKey(version.id, { sealed: apiKeySealed, legacy: legacyApiKey }),
      createdAt: version.apiKeyCreatedAt,
      lastUsedAt: version.apiKeyLastUsedAt,
      previous: inGrace
        ? {
            masked: maskStoredApiKey(version.id, { sealed: previousApiKeySealed, legacy: legacyPreviousApiKey }),
            expiresAt: version.previousApiKeyExpiresAt!,
            lastUsedAt: version.previousApiKeyLastUsedAt,
          }
        : null,
    },
    versions: siblings
      .map((v) => ({ id: v.id, version: v.version, status: clientVersionStatus(v, parseStatusArray(v.contractStatuses)) }))
      .sort((a, b) => compareVersions(a.version, b.version)),
    can: organizationPermissions(actor, org.id),
  };
}

export type ClientVersionDetail = Awaited<ReturnType<typeof getClientVersionDetail>>;
