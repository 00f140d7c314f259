import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { pathSegment } from "@/lib/api/paging";
import { getApiPage } from "@/lib/domain/catalog";

/** An API version as its API page shows it to the token's user, with the plans it offers. */
export const GET = apiRoute<{ org: string; api: string; version: string }>({ scope: "read" }, async ({ actor, params }) => {
  const page = await getApiPage(await getDb(), actor, pathSegment(params.org), pathSegment(params.api), pathSegment(params.version));
  return {
    id: page.version.id,
    org: { slug: page.org.slug, name: page.org.name },
    api: { slug: page.api.slug, name: page.api.name, description: page.api.description, tags: page.api.tags },
    version: page.version.version,
    status: page.version.status,
    public: page.version.isPublic,
    publishedAt: page.version.publishedAt,
    retiredAt: page.version.retiredAt,
    endpoint: page.endpoint,
    versions: page.versions,
    acceptsContracts: page.acceptsContracts,
    plans: page.plans.map((plan) => ({
      planVersionId: plan.planVersionId,
      name: plan.name,
      slug: plan.slug,
      version: plan.version,
      description: plan.description,
      policies: plan.policies,
      requiresApproval: plan.requiresApproval,
      summary: plan.summary,
    })),
  };
});
