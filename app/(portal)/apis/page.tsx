import type { Metadata } from "next";
import Link from "next/link";
import { desc, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { apis, apiVersions, organizations } from "@/db/schema";
import { requireActor } from "@/lib/auth/actor";

export const metadata: Metadata = { title: "APIs" };

export default async function CatalogPage() {
  await requireActor();
  const db = await getDb();
  const rows = await db
    .selectDistinctOn([apis.id], { org: organizations.slug, orgName: organizations.name, slug: apis.slug, name: apis.name, description: apis.description })
    .from(apiVersions)
    .innerJoin(apis, eq(apis.id, apiVersions.apiId))
    .innerJoin(organizations, eq(organizations.id, apis.orgId))
    .where(eq(apiVersions.status, "Published"))
    .orderBy(apis.id, desc(apiVersions.publishedAt));
  return (
    <>
      <h1 className="text-2xl font-semibold">APIs</h1>
      <ul className="mt-6 grid gap-4 sm:grid-cols-2">
        {rows.map((api) => (
          <li key={`${api.org}/${api.slug}`} className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <Link href={`/apis/${api.org}/${api.slug}`} className="font-semibold text-brand-700 hover:underline">
              {api.name}
            </Link>
            <p className="text-xs text-slate-500">{api.orgName}</p>
            <p className="mt-2 text-sm text-slate-700">{api.description}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
