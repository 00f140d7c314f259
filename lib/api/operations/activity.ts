import { z } from "zod";
import { listActivity } from "@/lib/domain/activity";
import { requireManagedOrganization } from "@/lib/domain/organizations";
import { defineOperation } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/** An organization's activity log: the audit events its Activity tab on /manage/{org} shows. */

const activityEntry = z
  .object({
    id: z.number().int(),
    at: timestamp,
    action: z.string().meta({ description: "What happened: member.added, api_version.published, …" }),
    entityType: z.string(),
    entityId: z.string(),
    actorName: z.string().nullable().meta({ description: "Who did it; null for the system or a deleted user." }),
    actorEmail: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "ActivityEntry" });

export const listOrganizationActivity = defineOperation({
  method: "GET",
  path: "/orgs/{org}/activity",
  id: "listOrganizationActivity",
  tag: "Organizations",
  summary: "The organization's activity log, newest first",
  scope: "read",
  paged: true,
  errors: ["not_found"],
  query: listQuery({}),
  response: pageOf(activityEntry),
  handler: async ({ db, actor, url, params, query }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    const { rows, total } = await listActivity(db, actor, { kind: "organization", orgId: org.id }, query);
    return paged(url, query, rows, total);
  },
});

export const activityOperations = [listOrganizationActivity];
