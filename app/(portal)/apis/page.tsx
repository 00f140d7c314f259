import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { getDb } from "@/db/client";
import { CatalogTable } from "@/components/portal/CatalogTable";
import { requireCatalogReader } from "@/lib/auth/actor";
import { catalogListParams, DEFAULT_CATALOG_SORT, listCatalog } from "@/lib/domain/catalog";
import type { SearchParamsRecord } from "@/lib/domain/list-params";

export const metadata: Metadata = { title: "APIs" };

const PAGE_SIZE = 20;

export default async function CatalogPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const reader = await requireCatalogReader();
  const search = await searchParams;
  const { tag, ...params } = catalogListParams.parse(search);
  const db = await getDb();
  let catalog = await listCatalog(db, reader, { ...params, tag, pageSize: PAGE_SIZE });
  if (catalog.rows.length === 0 && catalog.total > 0) {
    // Past the last page: show the last page instead.
    catalog = await listCatalog(db, reader, { ...params, page: catalog.pageCount, tag, pageSize: PAGE_SIZE });
  }

  const tagHref = (value?: string) => {
    const query = new URLSearchParams();
    if (params.q) query.set("q", params.q);
    if (value) query.set("tag", value);
    const text = query.toString();
    return text ? `/apis?${text}` : "/apis";
  };
  const filtered = params.q || tag;
  const emptyMessage = filtered
    ? `No APIs match ${[params.q && `“${params.q}”`, tag && `the tag “${tag}”`].filter(Boolean).join(" and ")}.`
    : "No APIs are published yet.";

  return (
    <>
      <h1 className="text-2xl font-semibold">APIs</h1>
      <p className="mt-1 text-slate-600">Published APIs you can call through the gateway. Private ones need a contract and an API key.</p>
      {catalog.tags.length > 0 && (
        <nav aria-label="Tags" className="mt-6 flex flex-wrap items-center gap-2 text-sm">
          <span className="font-medium text-slate-700">Tags:</span>
          <TagLink href={tagHref()} current={!tag}>
            All
          </TagLink>
          {catalog.tags.map((t) => (
            <TagLink key={t.tag} href={tagHref(t.tag)} current={t.tag === tag}>
              {t.tag} ({t.count})
            </TagLink>
          ))}
        </nav>
      )}
      <div className="mt-4">
        <CatalogTable rows={catalog.rows} total={catalog.total} pageSize={PAGE_SIZE} defaultSort={DEFAULT_CATALOG_SORT} emptyMessage={emptyMessage} />
      </div>
    </>
  );
}

function TagLink({ href, current, children }: { href: string; current: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded-full px-3 py-1 ring-1 ${current ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-100"}`}
    >
      {children}
    </Link>
  );
}
