import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { DataTableFilter, DataTablePagination } from "@/components/data-table/DataTable";
import { ClientSection } from "@/components/portal/ClientSection";
import { EndedContractsToggle } from "@/components/portal/EndedContractsToggle";
import { mayImportApiKey } from "@/components/portal/key-import";
import { NewClientDialog } from "@/components/portal/NewClientDialog";
import { requireActor } from "@/lib/auth/actor";
import { listClientOrganizations, listMyClients, myClientContractsListParams, myClientsListParams } from "@/lib/domain/clients";
import { listPlanOffers } from "@/lib/domain/catalog";
import { DEFAULT_CONTRACT_SORT, RUNNING_CONTRACT_STATUSES } from "@/lib/domain/contracts";
import type { SearchParamsRecord } from "@/lib/domain/list-params";

export const metadata: Metadata = { title: "My Clients" };

const CLIENTS_PER_PAGE = 10;
/** `v.<clientId>=<version>` picks the version a section shows. */
const VERSION_PARAM = "v.";

export default async function MyClientsPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const actor = await requireActor();
  const db = await getDb();
  const search = await searchParams;
  const { q, page } = myClientsListParams.parse(search);
  const { sort } = myClientContractsListParams.parse(search);
  // "Show ended contracts" (ended=1): broken, withdrawn and expired ones stay listed with their reason.
  const includeEnded = search.ended === "1";
  const versions: Record<string, string> = {};
  for (const [name, value] of Object.entries(search)) {
    if (name.startsWith(VERSION_PARAM) && typeof value === "string") versions[name.slice(VERSION_PARAM.length)] = value;
  }

  let result = await listMyClients(db, actor, { q, sort, page, pageSize: CLIENTS_PER_PAGE, versions, includeEnded });
  if (result.clients.length === 0 && result.total > 0) {
    // Past the last page (its last client was just deleted, say): show the last page instead.
    result = await listMyClients(db, actor, { q, sort, page: -1, pageSize: CLIENTS_PER_PAGE, versions, includeEnded });
  }
  const organizations = await listClientOrganizations(db, actor);
  // The plans of the running contracts' API versions: what Change plan offers, and the name of a pending change.
  const running = result.clients.flatMap((c) => c.contracts).filter((c) => RUNNING_CONTRACT_STATUSES.includes(c.status));
  const offers = await listPlanOffers(db, running.map((c) => c.apiVersionId));

  const versionHref = (clientId: string) => (version: string) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(search)) if (typeof value === "string") query.set(name, value);
    query.set(`${VERSION_PARAM}${clientId}`, version);
    return `/my-clients?${query}`;
  };

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">My Clients</h1>
          <p className="mt-1 text-slate-600">Your applications, their API keys and their contracts with APIs.</p>
        </div>
        <NewClientDialog organizations={organizations} />
      </div>

      {(result.total > 0 || q) && (
        <div className="flex flex-col gap-3">
          <DataTableFilter label="Filter clients and contracts" placeholder="Client, API, plan or status" />
          <EndedContractsToggle checked={includeEnded} />
        </div>
      )}

      {result.clients.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-600 ring-1 ring-slate-200">
          {q ? `No clients or contracts match “${q}”.` : "You have no clients yet. Create one to get an API key, then sign a contract from an API's page."}
        </p>
      ) : (
        result.clients.map((client) => (
          <ClientSection
            key={client.id}
            client={client}
            versionHref={versionHref(client.id)}
            defaultSort={DEFAULT_CONTRACT_SORT}
            filtered={Boolean(q)}
            offers={offers}
            canImportKey={mayImportApiKey(actor, client.orgId)}
            showOrganization={actor.roles.size > 1}
          />
        ))
      )}

      <DataTablePagination label="Clients" total={result.total} pageSize={CLIENTS_PER_PAGE} rowCount={result.clients.length} />
    </div>
  );
}
