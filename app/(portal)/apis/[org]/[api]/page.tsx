import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { StatusBadge } from "@/components/StatusBadge";
import { Badge } from "@/components/ui/Badge";
import { CopyButton } from "@/components/portal/CopyButton";
import { CreateContractDialog } from "@/components/portal/CreateContractDialog";
import { withCreateContractOpen } from "@/components/portal/create-contract-link";
import { Markdown } from "@/components/portal/Markdown";
import { ApiKeyChoiceProvider } from "@/components/portal/api-page/ApiKeyChoice";
import { CurlExample } from "@/components/portal/api-page/CurlExample";
import { MyApiContracts } from "@/components/portal/api-page/MyApiContracts";
import { OperationList, type TryItAvailability } from "@/components/portal/api-page/OperationList";
import { requireCatalogReader } from "@/lib/auth/actor";
import { getApiPage, listMyApiContracts, listTryItKeys, renderDocs } from "@/lib/domain/catalog";
import { listClientOrganizations, listContractCandidates } from "@/lib/domain/clients";
import { isDomainError } from "@/lib/domain/errors";

type Props = { params: Promise<{ org: string; api: string }>; searchParams: Promise<{ version?: string | string[] }> };

// Once per request: the metadata and the page read the same API.
const loadApiPage = cache(async (org: string, api: string, version: string | undefined) => {
  const actor = await requireCatalogReader();
  const db = await getDb();
  try {
    return { actor, db, page: await getApiPage(db, actor, decodeURIComponent(org), decodeURIComponent(api), version) };
  } catch (error) {
    if (isDomainError(error, "not_found")) notFound();
    throw error;
  }
});

async function load({ params, searchParams }: Props) {
  const { org, api } = await params;
  const { version } = await searchParams;
  return loadApiPage(org, api, typeof version === "string" ? version : undefined);
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { page } = await load(props);
  return { title: `${page.api.name} ${page.version.version}` };
}

export default async function ApiPage(props: Props) {
  const { actor, db, page } = await load(props);
  const { api, org, version } = page;
  const [candidates, organizations] =
    actor && page.acceptsContracts ? await Promise.all([listContractCandidates(db, actor, version.id), listClientOrganizations(db, actor)]) : [[], []];
  // Visitors get neither panel nor key; a public version needs no key.
  const [myContracts, keys] = actor ? await Promise.all([listMyApiContracts(db, actor, api.id), version.isPublic ? [] : listTryItKeys(db, actor, version.id)]) : [null, []];
  const tryIt: TryItAvailability = !actor
    ? { reason: "Sign in to try these operations through the gateway." }
    : version.status !== "Published"
      ? { reason: "Try it works on published versions only." }
      : { tryUrl: `/apis/${encodeURIComponent(org.slug)}/${encodeURIComponent(api.slug)}/try`, version: version.version, isPublic: version.isPublic };
  const versionHref = (v: string) => `/apis/${org.slug}/${api.slug}?version=${encodeURIComponent(v)}`;
  // A visitor signs in (or up) first and comes back to this very page (and version), the form open.
  const { version: asked } = await props.searchParams;
  const thisPage = typeof asked === "string" ? versionHref(version.version) : `/apis/${org.slug}/${api.slug}`;

  return (
    <ApiKeyChoiceProvider keys={keys}>
      <article className="flex flex-col gap-8" data-api-version-id={version.id}>
        <header className="flex flex-col gap-2">
          <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
            <Link href="/apis" className="hover:underline">
              APIs
            </Link>{" "}
            / {org.name}
          </nav>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold">{api.name}</h1>
            {version.isPublic ? <Badge tone="green">Public</Badge> : <Badge tone="blue">Private</Badge>}
            {version.status !== "Published" && <StatusBadge status={version.status} />}
          </div>
          <p className="text-sm text-slate-600">
            Version {version.version} · by {org.name}
            {api.tags.length > 0 && <> · tags: {api.tags.join(", ")}</>}
          </p>
          {api.description && <p className="max-w-3xl text-slate-800">{api.description}</p>}
          {page.versions.length > 1 && (
            <nav aria-label="Versions" className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium text-slate-700">Versions:</span>
              {page.versions.map((v) => (
                <Link
                  key={v.version}
                  href={versionHref(v.version)}
                  aria-current={v.version === version.version ? "page" : undefined}
                  className={`rounded-full px-3 py-1 ring-1 ${v.version === version.version ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-100"}`}
                >
                  {v.version}
                  {v.status !== "Published" && ` (${v.status.toLowerCase()})`}
                </Link>
              ))}
            </nav>
          )}
        </header>

        {version.status === "Retired" && (
          <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">This version is retired: the gateway no longer serves it and it takes no new contracts.</p>
        )}

        {myContracts && <MyApiContracts contracts={myContracts} isPublic={version.isPublic} />}

        <section aria-labelledby="endpoint-heading" className="flex flex-col gap-3">
          <h2 id="endpoint-heading" className="text-lg font-semibold">
            Endpoint
          </h2>
          <div className="flex flex-wrap items-center gap-3">
            <code className="rounded bg-white px-2 py-1 text-sm ring-1 ring-slate-200">{page.endpoint}</code>
            <CopyButton text={page.endpoint} label="Copy endpoint" />
          </div>
          <p className="text-sm text-slate-600">
            {version.isPublic
              ? "This API is public: call it without an API key or a contract."
              : "Send your client's API key in the X-API-Key header (or the apikey query parameter). The key works once the client has an active contract with this API."}
          </p>
          <CurlExample endpoint={page.endpoint} isPublic={version.isPublic} />
        </section>

        {!version.isPublic && (
          <section aria-labelledby="plans-heading" className="flex flex-col gap-3">
            <h2 id="plans-heading" className="text-lg font-semibold">
              Plans
            </h2>
            {page.plans.length === 0 ? (
              <p className="text-sm text-slate-600">This version offers no plans.</p>
            ) : (
              <ul className="grid gap-3 sm:grid-cols-2">
                {page.plans.map((plan) => (
                  <li key={plan.planVersionId} className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
                    <h3 className="font-semibold">
                      {plan.name} <span className="font-normal text-slate-500">{plan.version}</span>
                    </h3>
                    {plan.description && <p className="mt-1 text-sm text-slate-700">{plan.description}</p>}
                    <p className="mt-2 text-sm font-medium text-slate-800">{plan.summary}</p>
                  </li>
                ))}
              </ul>
            )}
            {page.acceptsContracts && !actor && (
              <p>
                <Link
                  href={`/login?next=${encodeURIComponent(withCreateContractOpen(thisPage))}`}
                  className="inline-flex items-center rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
                >
                  Sign in to create a contract
                </Link>
              </p>
            )}
            {page.acceptsContracts && actor && (
              <CreateContractDialog
                apiVersionId={version.id}
                apiLabel={`${api.name} ${version.version}`}
                plans={page.plans.map((p) => ({
                  planVersionId: p.planVersionId,
                  label: `${p.name} ${p.version} — ${p.summary}`,
                  name: `${p.name} ${p.version}`,
                  durationDays: p.durationDays,
                  termsHtml: p.terms.trim() ? renderDocs(p.terms) : null,
                }))}
                candidates={candidates}
                organizations={organizations}
              />
            )}
          </section>
        )}

        {page.operations.length > 0 && (
          <section aria-labelledby="operations-heading" className="flex flex-col gap-3">
            <h2 id="operations-heading" className="text-lg font-semibold">
              Operations
            </h2>
            <OperationList operations={page.operations} tryIt={tryIt} />
          </section>
        )}

        <section aria-labelledby="docs-heading" className="flex flex-col gap-3">
          <h2 id="docs-heading" className="text-lg font-semibold">
            Documentation
          </h2>
          {version.docs.trim() ? <Markdown source={version.docs} /> : <p className="text-sm text-slate-600">No documentation yet.</p>}
        </section>
      </article>
    </ApiKeyChoiceProvider>
  );
}
