import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { nextPage, readPaging } from "@/lib/api/paging";
import { catalogListParams, listCatalog } from "@/lib/domain/catalog";

/** The catalog the token's user sees: `q`, `tag` and `sort` as in the portal, paged by `cursor` and `limit`. */
export const GET = apiRoute({ scope: "read" }, async ({ request, actor }) => {
  const url = new URL(request.url);
  const { page, pageSize } = readPaging(url);
  const { q, sort, tag } = catalogListParams.parse(url.searchParams);
  const catalog = await listCatalog(await getDb(), actor, { q, sort, tag, page, pageSize });
  const { next, headers } = nextPage(url, catalog.page, catalog.pageCount);
  const data = catalog.rows.map((row) => ({
    org: row.orgSlug,
    orgName: row.orgName,
    slug: row.slug,
    name: row.name,
    description: row.description,
    tags: row.tags,
    public: row.isPublic,
    latestVersion: row.version,
    publishedAt: row.publishedAt,
  }));
  return Response.json({ data, next }, { headers: { "cache-control": "no-store", ...headers } });
});
