import { and, eq, inArray, or, sql, type Column, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiVersions, apis, auditEvents, clients, clientVersions, contracts, plans, planVersions, users } from "@/db/schema";
import { DomainError } from "./errors";
import { listParamsSchema } from "./list-params";
import { descending, type ListPage, pagedList, qualified } from "./lists";
import { type Actor, mayViewInManagement } from "./permissions";

/** Whose history an Activity tab shows. */
export type ActivityScope =
  | { kind: "apiVersion"; apiVersionId: string }
  | { kind: "clientVersion"; clientVersionId: string }
  | { kind: "planVersion"; planVersionId: string }
  | { kind: "organization"; orgId: string };

export interface ActivityEntry {
  id: number;
  at: Date;
  action: string;
  entityType: string;
  entityId: string;
  actorName: string | null;
  actorEmail: string | null;
  details: Record<string, unknown>;
}

/** The URL params of an Activity tab: only its page, `activity-page`. */
export const activityListParams = listParamsSchema({ prefix: "activity-" });

const notFound = () => new DomainError("not_found", "That does not exist.");

/** The events about one thing, after checking that the actor may view it in API Management. */
async function scopeCondition(db: Queryable, actor: Actor, scope: ActivityScope): Promise<SQL> {
  const e = auditEvents;
  switch (scope.kind) {
    case "apiVersion": {
      const [row] = await db
        .select({ orgId: apis.orgId, apiId: apis.id, version: apiVersions.version })
        .from(apiVersions)
        .innerJoin(apis, eq(apis.id, apiVersions.apiId))
        .where(eq(apiVersions.id, scope.apiVersionId));
      if (!row || !mayViewInManagement(actor, row.orgId, "apiView")) throw notFound();
      const contractIds = db.select({ id: sql<string>`${contracts.id}::text` }).from(contracts).where(eq(contracts.apiVersionId, scope.apiVersionId));
      return or(
        and(eq(e.entityType, "api_version"), eq(e.entityId, scope.apiVersionId)),
        // The API's creation made its first version.
        and(eq(e.entityType, "api"), eq(e.entityId, row.apiId), sql`${e.details}->>'version' = ${row.version}`),
        and(eq(e.entityType, "contract"), inArray(e.entityId, contractIds)),
      )!;
    }
    case "clientVersion": {
      const [row] = await db
        .select({ orgId: clients.orgId, clientId: clients.id, version: clientVersions.version })
        .from(clientVersions)
        .innerJoin(clients, eq(clients.id, clientVersions.clientId))
        .where(eq(clientVersions.id, scope.clientVersionId));
      if (!row || !mayViewInManagement(actor, row.orgId, "clientView")) throw notFound();
      const contractIds = db.select({ id: sql<string>`${contracts.id}::text` }).from(contracts).where(eq(contracts.clientVersionId, scope.clientVersionId));
      return or(
        and(eq(e.entityType, "client_version"), eq(e.entityId, scope.clientVersionId)),
        and(eq(e.entityType, "client"), eq(e.entityId, row.clientId), sql`${e.details}->>'version' = ${row.version}`),
        and(eq(e.entityType, "contract"), inArray(e.entityId, contractIds)),
      )!;
    }
    case "planVersion": {
      const [row] = await db
        .select({ orgId: plans.orgId, planId: plans.id, version: planVersions.version })
        .from(planVersions)
        .innerJoin(plans, eq(plans.id, planVersions.planId))
        .where(eq(planVersions.id, scope.planVersionId));
      if (!row || !mayViewInManagement(actor, row.orgId, "planView")) throw notFound();
      return or(
        and(eq(e.entityType, "plan_version"), eq(e.entityId, scope.planVersionId)),
        and(eq(e.entityType, "plan"), eq(e.entityId, row.planId), sql`${e.details}->>'version' = ${row.version}`),
      )!;
    }
    case "organization": {
      if (!mayViewInManagement(actor, scope.orgId, "orgView")) throw notFound();
      return eq(e.orgId, scope.orgId);
    }
  }
}

/**
 * Audit events about an API version, client version, plan version or organization, newest first.
 * A contract event written for both organizations of a contract is shown once. `q` keeps the
 * events whose action, entity type or actor's name or email hold each of its words.
 */
export async function listActivity(
  db: Queryable,
  actor: Actor,
  scope: ActivityScope,
  { page, pageSize, q }: { page?: number; pageSize?: number; q?: string } = {},
): Promise<ListPage<ActivityEntry>> {
  const condition = await scopeCondition(db, actor, scope);
  // Both organizations of a contract record its creation and breaking, in one transaction: same time.
  const twin = (column: Column) => sql`${sql.identifier("twin")}.${sql.identifier(column.name)}`;
  const e = (column: Column) => qualified(column);
  const firstOfTwins = sql`not exists (select 1 from ${auditEvents} as ${sql.identifier("twin")} where ${twin(auditEvents.entityType)} = ${e(auditEvents.entityType)} and ${twin(auditEvents.entityId)} = ${e(auditEvents.entityId)} and ${twin(auditEvents.action)} = ${e(auditEvents.action)} and ${twin(auditEvents.at)} = ${e(auditEvents.at)} and ${twin(auditEvents.id)} < ${e(auditEvents.id)})`;
  const where = scope.kind === "organization" ? condition : and(condition, firstOfTwins);
  const { rows, total } = await pagedList({
    db,
    query: () =>
      db
        .select({
          id: auditEvents.id,
          at: auditEvents.at,
          action: auditEvents.action,
          entityType: auditEvents.entityType,
          entityId: auditEvents.entityId,
          actorName: users.name,
          actorEmail: users.email,
          details: auditEvents.details,
        })
        .from(auditEvents)
        .leftJoin(users, eq(users.id, auditEvents.actorId))
        .$dynamic(),
    where,
    search: [auditEvents.action, auditEvents.entityType, users.name, users.email],
    q,
    orderBy: [descending(auditEvents.at), descending(auditEvents.id)],
    page,
    pageSize,
    defaultPageSize: 25,
  });
  return { rows, total };
}
