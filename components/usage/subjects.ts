import "server-only";
import type { Queryable } from "@/db/client";
import { getApiVersionDetail } from "@/lib/domain/apis";
import { getMyClient } from "@/lib/domain/clients";
import { getContractDetail } from "@/lib/domain/contracts";
import { DomainError } from "@/lib/domain/errors";
import { getOrganizationOverview } from "@/lib/domain/organizations";
import type { Actor } from "@/lib/domain/permissions";
import { requireContractUsageView } from "@/lib/domain/usage";

/**
 * What a usage page or its CSV reads, found from the URL's names. Each answers the domain's 404
 * for an object this actor may not see, so the page and the CSV refuse alike.
 */
export async function contractSubject(db: Queryable, actor: Actor, contractId: string) {
  // The usage permission (the client's side only) first: the contract page itself is open to the API's side too.
  await requireContractUsageView(db, actor, contractId);
  const { contract } = await getContractDetail(db, actor, contractId);
  return {
    contract,
    label: `${contract.clientName} ${contract.clientVersion} → ${contract.apiName} ${contract.apiVersion}`,
    fileStem: `${contract.clientSlug}-${contract.clientVersion}-${contract.apiSlug}-${contract.apiVersion}`,
  };
}

export async function clientVersionSubject(db: Queryable, actor: Actor, ref: { org: string; client: string; version: string }) {
  const client = await getMyClient(db, actor, ref.org, ref.client, { version: ref.version, includeEnded: true });
  const version = client.versions.find((v) => v.version === ref.version);
  if (!version) throw new DomainError("client_not_found", "That client does not exist.");
  return { client, version, label: `${client.name} ${version.version}`, fileStem: `${client.slug}-${version.version}` };
}

export async function apiVersionSubject(db: Queryable, actor: Actor, ref: { org: string; api: string; version: string }) {
  const detail = await getApiVersionDetail(db, actor, ref);
  return { detail, label: `${detail.api.name} ${detail.version.version}`, fileStem: `${detail.api.slug}-${detail.version.version}` };
}

export async function organizationSubject(db: Queryable, actor: Actor, slug: string) {
  const { org } = await getOrganizationOverview(db, actor, slug);
  return { org, label: org.name, fileStem: org.slug };
}

/** Path segments arrive percent-encoded ("1.0" is safe, a name with spaces is not). */
export function segment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
