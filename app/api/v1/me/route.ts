import { getDb } from "@/db/client";
import { apiRoute } from "@/lib/api/handler";
import { listMyOrganizations } from "@/lib/domain/organizations";

/** The token's user, profile and organizations. */
export const GET = apiRoute({ scope: "read" }, async ({ actor }) => ({
  id: actor.userId,
  email: actor.email,
  name: actor.name,
  profile: actor.profile,
  organizations: await listMyOrganizations(await getDb(), actor),
}));
