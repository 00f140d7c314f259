import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { ClientSection } from "@/components/portal/ClientSection";
import { EndedContractsToggle } from "@/components/portal/EndedContractsToggle";
import { mayImportApiKey } from "@/components/portal/key-import";
import { requireActor } from "@/lib/auth/actor";
import { getMyClient, myClientContractsListParams } from "@/lib/domain/clients";
import { listPlanOffers } from "@/lib/domain/catalog";
import { DEFAULT_CONTRACT_SORT, type ContractSortKey, RUNNING_CONTRACT_STATUSES } from "@/lib/domain/contracts";
import { isDomainError } from "@/lib/domain/errors";
import type { SearchParamsRecord } from "@/lib/domain/list-params";

type Props = { params: Promise<{ org: string; client: string }>; searchParams: Promise<SearchParamsRecord> };

// Once per request: the metadata and the page read the same client (cache compares plain arguments).
const loadClient = cache(async (org: string, slug: string, version: string | undefined, sortId: ContractSortKey, sortDesc: boolean, includeEnded: boolean) => {
  const actor = await requireActor();
  try {
    return await getMyClient(await getDb(), actor, decodeURIComponent(org), decodeURIComponent(slug), { version, sort: { id: sortId, desc: sortDesc }, includeEnded });
  } catch (error) {
    // Another user's client and a missing one look the same.
    if (isDomainError(error, "client_not_found")) notFound();
    throw error;
  }
});

async function load({ params, searchParams }: Props) {
  const { org, client: slug } = await params;
  const search = await searchParams;
  const { sort = DEFAULT_CONTRACT_SORT } = myClientContractsListParams.parse(search);
  const version = typeof search.version === "string" ? search.version : undefined;
  const includeEnded = search.ended === "1";
  return { client: await loadClient(org, slug, version, sort.id, sort.desc, includeEnded), search, includeEnded };
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { client } = await load(props);
  return { title: client.name };
}

/** One client of My Clients on its own page: a bookmarkable address, `?version=` for its other versions. */
export default async function ClientPage(props: Props) {
  const { client, search, includeEnded } = await load(props);
  const actor = await requireActor();
  const running = client.contracts.filter((c) => RUNNING_CONTRACT_STATUSES.includes(c.status));
  const offers = await listPlanOffers(await getDb(), running.map((c) => c.apiVersionId));
  const versionHref = (version: string) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(search)) if (typeof value === "string") query.set(name, value);
    query.set("version", version);
    return `/my-clients/${client.orgSlug}/${client.slug}?${query}`;
  };
  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/my-clients" className="hover:underline">
          My Clients
        </Link>{" "}
        / {client.name}
      </nav>
      <h1 className="sr-only">{client.name}</h1>
      <EndedContractsToggle checked={includeEnded} />
      <ClientSection client={client} versionHref={versionHref} defaultSort={DEFAULT_CONTRACT_SORT} linkHeading={false} offers={offers} canImportKey={mayImportApiKey(actor, client.orgId)} showOrganization={actor.roles.size > 1} />
    </div>
  );
}
