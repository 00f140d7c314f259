import Link from "next/link";
import { StatusBadge } from "@/components/StatusBadge";
import type { TableSort } from "@/components/data-table/params";
import type { PlanOffer } from "@/lib/domain/catalog";
import type { MyClient } from "@/lib/domain/clients";
import { ApiKeyField } from "./ApiKeyField";
import { ClientVersionActions } from "./ClientVersionActions";
import { toClientContract } from "./client-contract";
import { ContractTable } from "./ContractTable";

/** What a client version's status means for its key, next to the status word. */
const CLIENT_STATUS_MEANING: Record<string, string> = {
  Created: "Not live yet: its key works once one of its contracts is active.",
  AwaitingApproval: "A contract request awaits the provider's approval.",
  Registered: "Live: its key works with the APIs of its active contracts.",
};

/**
 * One client in My Clients: a section headed by its name, with the shown version (and a switch
 * to the others), its status, its API key and its contracts.
 */
export function ClientSection({
  client,
  versionHref,
  defaultSort,
  filtered = false,
  linkHeading = true,
  offers,
  canImportKey = false,
  showOrganization = true,
}: {
  client: MyClient;
  versionHref: (version: string) => string;
  defaultSort: TableSort;
  /** The contracts shown are those matching the page's filter. */
  filtered?: boolean;
  linkHeading?: boolean;
  /** API version id -> the plans it offers (listPlanOffers), for Change plan and pending changes. */
  offers?: ReadonlyMap<string, PlanOffer[]>;
  /** The actor owns the client's organization: a new version may bring its own API key. */
  canImportKey?: boolean;
  /** Name the client's organization: off for someone whose only organization is their personal one. */
  showOrganization?: boolean;
}) {
  const { selected } = client;
  const headingId = `client-${client.id}`;
  const retired = selected.status === "Retired";
  const detailHref = `/my-clients/${client.orgSlug}/${client.slug}`;

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-4 rounded-lg bg-white p-5 ring-1 ring-slate-200">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex flex-col gap-1">
          <h2 id={headingId} className="text-xl font-semibold">
            {linkHeading ? (
              <Link href={detailHref} className="hover:underline">
                {client.name}
              </Link>
            ) : (
              client.name
            )}
          </h2>
          {(showOrganization || client.description) && (
            <p className="text-sm text-slate-600">{[showOrganization ? client.orgName : "", client.description].filter(Boolean).join(" · ")}</p>
          )}
          <p className="text-sm">
            <Link
              prefetch={false}
              href={`/usage/clients/${client.orgSlug}/${client.slug}/${encodeURIComponent(selected.version)}`}
              className="font-medium text-brand-700 hover:underline"
            >
              Usage of version {selected.version}
            </Link>
          </p>
        </div>
        <ClientVersionActions
          clientId={client.id}
          clientName={client.name}
          clientVersionId={selected.id}
          version={selected.version}
          retired={retired}
          liveContracts={client.liveContractCount}
          canEdit={client.canEdit}
          canAdmin={client.canAdmin}
          canImportKey={canImportKey}
        />
      </header>

      <div className="flex flex-wrap items-center gap-3 text-sm">
        {client.versions.length > 1 ? (
          <nav aria-label={`Versions of ${client.name}`} className="flex flex-wrap items-center gap-2">
            <span className="font-medium text-slate-700">Version</span>
            {client.versions.map((v) => (
              <Link
                key={v.id}
                href={versionHref(v.version)}
                scroll={false}
                aria-current={v.id === selected.id ? "true" : undefined}
                className={`rounded-full px-3 py-1 ring-1 ${v.id === selected.id ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-100"}`}
              >
                {v.version}
              </Link>
            ))}
          </nav>
        ) : (
          <span>
            <span className="font-medium text-slate-700">Version</span> {selected.version}
          </span>
        )}
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-700">Status</span>
          <StatusBadge status={selected.status} />
          {CLIENT_STATUS_MEANING[selected.status] && <span className="text-slate-600">{CLIENT_STATUS_MEANING[selected.status]}</span>}
        </span>
      </div>

      {retired && <p className="text-sm text-red-800">This version is retired: its API key no longer works and it cannot sign contracts.</p>}

      <ApiKeyField clientVersionId={selected.id} apiKey={selected.key} canRotate={client.canEdit && !retired} />

      <ContractTable
        label={`Contracts of ${client.name} ${selected.version}`}
        client={`${client.name} ${selected.version}`}
        canEdit={client.canEdit}
        contracts={client.contracts.map((contract) => toClientContract(contract, offers?.get(contract.apiVersionId)))}
        defaultSort={defaultSort}
        emptyMessage={filtered ? "No contracts of this version match the filter." : "No contracts yet. Open an API from the catalog and create a contract."}
      />
    </section>
  );
}
