import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { ClientSection } from "@/components/portal/ClientSection";
import { requireActor } from "@/lib/auth/actor";
import { getMyClient, myClientContractsListParams } from "@/lib/domain/clients";
import { DEFAULT_CONTRACT_SORT, type ContractSortKey } from "@/lib/domain/contracts";
import { isDomainError } from "@/lib/domain/errors";
import type { SearchParamsRecord } from "@/lib/domain/list-params";

type Props = { params: Promise<{ org: string; client: string }>; searchParams: Promise<SearchParamsRecord> };

// Once per request: the metadata and the page read the same client (cache compares plain arguments).
const loadClient = cache(async (org: string, slug: string, version: string | undefined, sortId: ContractSortKey, sortDesc: boolean) => {
  const actor = await requireActor();
  try {
    return await getMyClient(await getDb(), actor, decodeURIComponent(org), decodeURIComponent(slug), { version, sort: { id: sortId, desc: sortDesc } });
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
  return { client: await loadClient(org, slug, version, sort.id, sort.desc), search };
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { client } = await load(props);
  return { title: client.name };
}

/** One client of My Clients on its own page: a bookmarkable address, `?version=` for its other versions. */
export default async function ClientPage(props: Props) {
  const { client, search } = await load(props);
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
      <ClientSection client={client} versionHref={versionHref} defaultSort={DEFAULT_CONTRACT_SORT} linkHeading={false} />
    </div>
  );
}
